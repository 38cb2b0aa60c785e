import { matchesFilters, type RumEvent, type RumGroup, type RumQuery, type RumResult } from '@obstack/plugin-api';
import { inRange, percentile, type TenantStore } from './store';

type Dimension = NonNullable<RumQuery['groupBy']>[number];

const DIMENSIONS: Record<Dimension, (e: RumEvent) => string | undefined> = {
  kind: (e) => e.kind,
  name: (e) => e.name,
  page: (e) => e.page.path,
  browser: (e) => e.browser?.name,
  os: (e) => e.browser?.os,
  device: (e) => e.browser?.device,
  app: (e) => e.app.name,
};

export function queryRum(store: TenantStore | undefined, query: RumQuery): RumResult {
  const matching = (store?.rum ?? [])
    .filter(
      (e) =>
        inRange(e.timeUnixNano, query.range) &&
        (query.kinds === undefined || query.kinds.includes(e.kind)) &&
        (query.sessionId === undefined || e.sessionId === query.sessionId) &&
        (query.pagePath === undefined || e.page.path === query.pagePath) &&
        matchesFilters(query.filters, e.attributes),
    )
    .sort((a, b) => (a.timeUnixNano > b.timeUnixNano ? -1 : a.timeUnixNano < b.timeUnixNano ? 1 : 0));

  if (query.groupBy === undefined || query.groupBy.length === 0) {
    return { events: structuredClone(matching.slice(0, query.limit)) };
  }
  const dims = query.groupBy;
  const groups = new Map<string, { key: Record<string, string>; events: RumEvent[] }>();
  for (const e of matching) {
    const key = Object.fromEntries(dims.map((d) => [d, DIMENSIONS[d](e) ?? '']));
    const id = JSON.stringify(key);
    const group = groups.get(id) ?? { key, events: [] };
    group.events.push(e);
    groups.set(id, group);
  }
  const out: RumGroup[] = [...groups.values()].map(({ key, events }) => ({
    key,
    count: events.length,
    sessions: new Set(events.map((e) => e.sessionId)).size,
    p75Value: percentile(
      0.75,
      events.flatMap((e) => (e.value === undefined ? [] : [e.value])),
    ),
  }));
  out.sort((a, b) => b.count - a.count || JSON.stringify(a.key).localeCompare(JSON.stringify(b.key)));
  return { events: [], groups: out.slice(0, query.limit) };
}
