import { expect } from 'vitest';
import { SIGNALS, type Signal } from '../../model';
import type { CallContext, PluginInstance } from '../../plugin';
import type { ConformanceDataset } from '../dataset';
import { check, contextFor, implemented, requireLoaded, serialize, type ConformanceCheck, type ConformanceState, type TenantData } from '../state';

interface Asked {
  /** What was asked, for the failure message. */
  what: string;
  answer: unknown;
  /** The viewer's own data must show up in this answer (it reads the signal). */
  own?: boolean;
}

type Asker = (i: PluginInstance, ctx: CallContext, mine: ConformanceDataset, theirs: ConformanceDataset) => Promise<Asked[]>;

/**
 * Per method: broad questions (everything in the range) and pointed ones (the other
 * tenant's service, trace id, metric name, session). Answers to the viewer may carry
 * the viewer's marker only.
 */
function askers(state: ConformanceState): Array<{ method: keyof PluginInstance; ask: Asker }> {
  const reads = (s: Signal) => state.reads.has(s);
  const list: Array<{ method: keyof PluginInstance; ask: Asker }> = [
    {
      method: 'queryLogs',
      ask: async (i, ctx, mine, theirs) => [
        { what: 'queryLogs of the whole range', answer: await i.queryLogs!({ range: mine.range, limit: 1000, direction: 'backward', volumeStepMs: 300_000 }, ctx), own: reads('logs') },
        { what: "queryLogs of the other tenant's service", answer: await i.queryLogs!({ range: mine.range, limit: 1000, direction: 'backward', services: [theirs.services.checkout] }, ctx) },
        { what: "queryLogs of the other tenant's trace", answer: await i.queryLogs!({ range: mine.range, limit: 1000, direction: 'backward', traceId: theirs.traces[0]?.traceId ?? '' }, ctx) },
      ],
    },
    {
      method: 'queryMetrics',
      ask: async (i, ctx, mine, theirs) => [
        { what: 'queryMetrics of own counter', answer: await i.queryMetrics!({ range: mine.range, metric: mine.metricNames.counter, aggregation: 'none', stepMs: 60_000 }, ctx), own: reads('metrics') },
        { what: "queryMetrics of the other tenant's counter", answer: await i.queryMetrics!({ range: mine.range, metric: theirs.metricNames.counter, aggregation: 'none', stepMs: 60_000 }, ctx) },
        { what: "queryMetrics of the other tenant's histogram p95", answer: await i.queryMetrics!({ range: mine.range, metric: theirs.metricNames.histogram, aggregation: 'p95', stepMs: 60_000 }, ctx) },
      ],
    },
    {
      method: 'getTrace',
      ask: async (i, ctx, mine, theirs) => {
        const asked: Asked[] = [{ what: 'getTrace of an own trace', answer: await i.getTrace!(mine.traces[0]?.traceId ?? '', ctx), own: reads('traces') }];
        for (const t of theirs.traces) {
          const answer = await i.getTrace!(t.traceId, ctx);
          expect(answer, `getTrace(${t.traceId}) of the other tenant must be null`).toBeNull();
          asked.push({ what: `getTrace(${t.traceId}) of the other tenant`, answer });
        }
        return asked;
      },
    },
    {
      method: 'searchTraces',
      ask: async (i, ctx, mine, theirs) => [
        { what: 'searchTraces of the whole range', answer: await i.searchTraces!({ range: mine.range, limit: 100 }, ctx), own: reads('traces') },
        { what: "searchTraces of the other tenant's service", answer: await i.searchTraces!({ range: mine.range, limit: 100, service: theirs.services.payments }, ctx) },
      ],
    },
    {
      method: 'serviceStats',
      ask: async (i, ctx, mine) => [{ what: 'serviceStats of the whole range', answer: await i.serviceStats!(mine.range, ctx), own: reads('traces') }],
    },
    {
      method: 'queryRum',
      ask: async (i, ctx, mine, theirs) => [
        { what: 'queryRum of the whole range', answer: await i.queryRum!({ range: mine.range, limit: 1000 }, ctx), own: reads('rum') },
        { what: 'queryRum grouped by app', answer: await i.queryRum!({ range: mine.range, limit: 1000, groupBy: ['app'] }, ctx) },
        { what: "queryRum of the other tenant's session", answer: await i.queryRum!({ range: mine.range, limit: 1000, sessionId: `${theirs.marker}-session-1` }, ctx) },
      ],
    },
    {
      method: 'queryCost',
      ask: async (i, ctx, mine) => [
        { what: 'queryCost by namespace', answer: await i.queryCost!({ range: mine.range, aggregate: 'namespace' }, ctx), own: reads('cost') },
        { what: 'queryCost by cluster per 10 min', answer: await i.queryCost!({ range: mine.range, aggregate: 'cluster', stepMs: 600_000 }, ctx) },
      ],
    },
    {
      method: 'services',
      ask: async (i, ctx, mine) => [
        { what: 'services', answer: await i.services!({ range: mine.range }, ctx), own: reads('logs') || reads('traces') || reads('metrics') },
        { what: 'services without a range', answer: await i.services!({}, ctx) },
      ],
    },
    {
      method: 'operations',
      ask: async (i, ctx, mine, theirs) => [
        { what: 'operations', answer: await i.operations!({ range: mine.range }, ctx) },
        { what: "operations of the other tenant's service", answer: await i.operations!({ range: mine.range, service: theirs.services.frontend }, ctx) },
      ],
    },
    {
      method: 'labelNames',
      ask: async (i, ctx, mine) =>
        Promise.all(
          SIGNALS.filter(reads).map(async (s) => ({ what: `labelNames(${s})`, answer: await i.labelNames!(s, { range: mine.range }, ctx), own: s === 'metrics' })),
        ),
    },
    {
      method: 'labelValues',
      ask: async (i, ctx, mine, theirs) => {
        const asked: Asked[] = [];
        for (const s of SIGNALS.filter(reads)) {
          asked.push({ what: `labelValues(${s}, service.name)`, answer: await i.labelValues!(s, 'service.name', { range: mine.range }, ctx), own: s === 'metrics' });
        }
        if (reads('metrics')) {
          const answer = await i.labelValues!('metrics', theirs.markerLabel, { range: mine.range }, ctx);
          expect(answer, `labelValues(metrics, ${theirs.markerLabel}), a label only the other tenant has`).toEqual([]);
        }
        return asked;
      },
    },
    {
      method: 'metricNames',
      ask: async (i, ctx, mine) => [{ what: 'metricNames', answer: await i.metricNames!({ range: mine.range }, ctx), own: reads('metrics') }],
    },
  ];
  return list.filter((a) => implemented(state, a.method));
}

export function isolationChecks(state: ConformanceState): ConformanceCheck[] {
  return askers(state).map(({ method, ask }) =>
    check('tenant isolation', `${method} as one tenant returns none of the other's data`, async () => {
      requireLoaded(state);
      const pairs: Array<[TenantData, TenantData, string]> = [
        [state.b, state.a, 'B'],
        [state.a, state.b, 'A'],
      ];
      for (const [viewer, other, name] of pairs) {
        const asked = await ask(state.instance, contextFor(state, viewer.tenantId), viewer.data, other.data);
        for (const a of asked) {
          const text = serialize(a.answer);
          expect(text.includes(other.data.marker), `${a.what} as tenant ${name} contains the other tenant's data ("${other.data.marker}"): ${text.slice(0, 300)}`).toBe(false);
          if (a.own) expect(text.includes(viewer.data.marker), `${a.what} as tenant ${name} must contain its own data: ${text.slice(0, 300)}`).toBe(true);
        }
      }
    }),
  );
}
