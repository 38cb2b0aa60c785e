import { attributeText, type Attributes, type MetadataQuery, type Signal } from '@obstack/plugin-api';
import { inRange, sortedUnique, type TenantStore } from './store';

export function services(store: TenantStore | undefined, q: MetadataQuery): string[] {
  if (store === undefined) return [];
  return sortedUnique([
    ...store.logs.filter((l) => inRange(l.record.timeUnixNano, q.range)).map((l) => l.record.serviceName),
    ...store.spans.filter((s) => inRange(s.startTimeUnixNano, q.range)).map((s) => s.serviceName),
    ...store.points.filter((p) => inRange(p.timeUnixNano, q.range)).map((p) => p.serviceName),
  ]);
}

export function operations(store: TenantStore | undefined, q: MetadataQuery): string[] {
  return sortedUnique(
    (store?.spans ?? []).filter((s) => inRange(s.startTimeUnixNano, q.range) && (q.service === undefined || s.serviceName === q.service)).map((s) => s.name),
  );
}

/** The label-like maps of a signal: metric labels, or attributes and resource attributes. */
function labelSets(store: TenantStore | undefined, signal: Signal, q: MetadataQuery): Array<Record<string, unknown>> {
  if (store === undefined) return [];
  const service = (name: string) => q.service === undefined || name === q.service;
  switch (signal) {
    case 'metrics':
      return store.points.filter((p) => inRange(p.timeUnixNano, q.range) && service(p.serviceName)).map((p) => p.labels);
    case 'logs':
      return store.logs
        .map((l) => l.record)
        .filter((r) => inRange(r.timeUnixNano, q.range) && service(r.serviceName))
        .flatMap((r) => [r.attributes, r.resource]);
    case 'traces':
      return store.spans.filter((s) => inRange(s.startTimeUnixNano, q.range) && service(s.serviceName)).flatMap((s) => [s.attributes, s.resource]);
    case 'rum':
      return store.rum.filter((e) => inRange(e.timeUnixNano, q.range)).map((e) => e.attributes);
    case 'cost':
      return store.cost.map((a) => a.properties);
  }
}

export function labelNames(store: TenantStore | undefined, signal: Signal, q: MetadataQuery): string[] {
  return sortedUnique(labelSets(store, signal, q).flatMap((set) => Object.keys(set)));
}

export function labelValues(store: TenantStore | undefined, signal: Signal, name: string, q: MetadataQuery): string[] {
  return sortedUnique(
    labelSets(store, signal, q)
      .filter((set) => Object.hasOwn(set, name))
      .map((set) => attributeText((set as Attributes)[name])),
  );
}

export function metricNames(store: TenantStore | undefined, q: MetadataQuery): string[] {
  return sortedUnique((store?.points ?? []).filter((p) => inRange(p.timeUnixNano, q.range)).map((p) => p.name));
}
