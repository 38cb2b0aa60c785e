import { expect } from 'vitest';
import type { RumEvent } from '../../model';
import type { RumGroup, RumQuery, RumResult } from '../../query';
import { check, contextFor, method, requireLoaded, type ConformanceCheck, type ConformanceState } from '../state';

const G = 'rum';
type Dimension = NonNullable<RumQuery['groupBy']>[number];

export function rumDimension(event: RumEvent, dimension: Dimension): string {
  switch (dimension) {
    case 'kind':
      return event.kind;
    case 'name':
      return event.name;
    case 'page':
      return event.page.path ?? '';
    case 'browser':
      return event.browser?.name ?? '';
    case 'os':
      return event.browser?.os ?? '';
    case 'device':
      return event.browser?.device ?? '';
    case 'app':
      return event.app.name;
  }
}

export function rumChecks(state: ConformanceState): ConformanceCheck[] {
  const data = state.a.data;
  const all = data.rum;
  const newestFirst = (pred: (e: RumEvent) => boolean) => all.filter(pred).reverse();
  const query = async (q: Partial<RumQuery>): Promise<RumResult> => {
    requireLoaded(state);
    const queryRum = method(state, 'queryRum', 'a plugin that reads rum must implement');
    return queryRum({ range: data.range, limit: 1000, ...q }, contextFor(state, state.a.tenantId));
  };
  const eventsCase = (title: string, q: Partial<RumQuery>, pred: (e: RumEvent) => boolean) =>
    check(G, title, async () => {
      expect((await query(q)).events, `events for ${JSON.stringify(q)}`).toEqual(newestFirst(pred));
    });
  const groupCase = (title: string, q: Partial<RumQuery> & { groupBy: Dimension[] }, pred: (e: RumEvent) => boolean = () => true) =>
    check(G, title, async () => {
      const result = await query(q);
      expect(result.events, 'events when grouping').toEqual([]);
      expectGroups(result.groups, all.filter(pred), q.groupBy);
    });
  const [s1, s2] = [`${data.marker}-session-1`, `${data.marker}-session-2`];

  return [
    eventsCase('round-trips every field of every event, most recent first', {}, () => true),
    check(G, 'limit keeps the most recent events', async () => {
      expect((await query({ limit: 3 })).events).toEqual(all.slice(-3).reverse());
    }),
    eventsCase('kinds filter (one kind)', { kinds: ['web_vital'] }, (e) => e.kind === 'web_vital'),
    eventsCase('kinds filter (several kinds)', { kinds: ['page_view', 'error'] }, (e) => e.kind === 'page_view' || e.kind === 'error'),
    eventsCase('sessionId filter', { sessionId: s2 }, (e) => e.sessionId === s2),
    eventsCase('pagePath filter matches page.path exactly', { pagePath: '/checkout' }, (e) => e.page.path === '/checkout'),
    eventsCase('attribute filter', { filters: [{ key: 'experiment', op: '=', value: 'green' }] }, (e) => e.attributes.experiment === 'green'),
    eventsCase('numeric attribute filter', { filters: [{ key: 'quantity', op: '>=', value: 2 }] }, (e) => e.attributes.quantity === 2),
    eventsCase('conditions combine with AND', { kinds: ['web_vital'], sessionId: s1, pagePath: '/' }, (e) => e.kind === 'web_vital' && e.sessionId === s1 && e.page.path === '/'),
    groupCase('groupBy kind counts events and sessions', { groupBy: ['kind'] }),
    groupCase('groupBy name of web vitals gives the value p75', { groupBy: ['name'], kinds: ['web_vital'] }, (e) => e.kind === 'web_vital'),
    groupCase('groupBy browser', { groupBy: ['browser'] }),
    groupCase('groupBy os and device together', { groupBy: ['os', 'device'] }),
    groupCase('groupBy page and app', { groupBy: ['page', 'app'] }),
  ];
}

function expectGroups(groups: RumGroup[] | undefined, events: RumEvent[], dims: Dimension[]): void {
  expect(groups, 'groups (asked with groupBy)').toBeDefined();
  const want = new Map<string, { key: Record<string, string>; count: number; sessions: Set<string>; values: number[] }>();
  for (const e of events) {
    const key = Object.fromEntries(dims.map((d) => [d, rumDimension(e, d)]));
    const id = JSON.stringify(key);
    const g = want.get(id) ?? { key, count: 0, sessions: new Set<string>(), values: [] };
    g.count++;
    g.sessions.add(e.sessionId);
    if (e.value !== undefined) g.values.push(e.value);
    want.set(id, g);
  }
  const got = groups ?? [];
  expect(got.map((g) => JSON.stringify(g.key)).sort(), 'group keys').toEqual([...want.keys()].sort());
  const counts = got.map((g) => g.count);
  expect(counts, 'groups are ordered by count, largest first').toEqual([...counts].sort((a, b) => b - a));
  for (const g of got) {
    const w = want.get(JSON.stringify(g.key));
    if (w === undefined) continue;
    const at = `group ${JSON.stringify(g.key)}`;
    expect({ count: g.count, sessions: g.sessions }, `${at}: count and sessions`).toEqual({ count: w.count, sessions: w.sessions.size });
    if (w.values.length === 0) {
      expect(g.p75Value, `${at}: p75Value with no values`).toBeNull();
    } else if (w.values.length === 1) {
      expect(g.p75Value, `${at}: p75Value of one value`).toBeCloseTo(w.values[0] as number, 9);
    } else {
      // Backends estimate percentiles differently; the answer must at least lie among the values.
      expect(g.p75Value, `${at}: p75Value`).not.toBeNull();
      expect(g.p75Value as number, `${at}: p75Value within the values`).toBeGreaterThanOrEqual(Math.min(...w.values));
      expect(g.p75Value as number, `${at}: p75Value within the values`).toBeLessThanOrEqual(Math.max(...w.values));
    }
  }
}
