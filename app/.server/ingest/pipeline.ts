import type { Attributes, LogRecord, MetricPoint, RumEvent, Span, WriteBatch } from '@obstack/plugin-api';
import type { BusEnvelope, BusHandler } from '../bus';
import type { DataSourceService } from '../host/data-sources';
import type { PluginHost } from '../host/host';
import { PiiScrubber } from './pii';
import type { IngestSettingsCache } from './settings';
import { parseUserAgent } from './user-agent';

/** Attribute keys a client could use to claim another tenant; always overwritten with the real one. */
const TENANT_KEYS = ['obstack.tenant.id', 'obstack.tenant', 'tenant.id', 'tenant_id'];

function stampTenant(attrs: Attributes, tenantId: string) {
  for (const k of TENANT_KEYS) if (k in attrs) attrs[k] = tenantId;
}

/** Resource attributes as the semantic conventions name them, whichever version the SDK follows. */
function normalizeResource(resource: Attributes, tenantId: string) {
  const envName = resource['deployment.environment.name'];
  if (resource['deployment.environment'] === undefined && envName !== undefined) resource['deployment.environment'] = envName;
  stampTenant(resource, tenantId);
}

function splitUrl(url: string): { path?: string; query?: string } {
  try {
    const u = new URL(url);
    return { path: u.pathname, ...(u.search ? { query: u.search.slice(1) } : {}) };
  } catch {
    return {};
  }
}

/**
 * Enrichment, in the worker, in place (the batch is this process's own decoded copy):
 * tenant stamping, resource normalisation, user agent and URL breakdown for RUM, and
 * the tenant's PII rules.
 */
export function enrich(batch: WriteBatch, tenantId: string, pii: PiiScrubber): void {
  // Items of one OTLP resource share its attribute object: normalise and scrub it once.
  const resources = new Set<Attributes>();
  const resource = (attrs: Attributes) => {
    if (resources.has(attrs)) return;
    resources.add(attrs);
    normalizeResource(attrs, tenantId);
    if (pii.active) pii.attributes(attrs);
  };
  switch (batch.signal) {
    case 'logs':
      for (const r of batch.records as LogRecord[]) {
        resource(r.resource);
        stampTenant(r.attributes, tenantId);
        if (pii.active) {
          r.body = pii.text(r.body);
          pii.attributes(r.attributes);
        }
      }
      return;
    case 'traces':
      for (const s of batch.spans as Span[]) {
        resource(s.resource);
        stampTenant(s.attributes, tenantId);
        if (pii.active) {
          pii.attributes(s.attributes);
          for (const e of s.events) pii.attributes(e.attributes);
          if (s.status.message) s.status.message = pii.text(s.status.message);
        }
      }
      return;
    case 'metrics':
      for (const p of batch.points as MetricPoint[]) {
        for (const k of TENANT_KEYS) if (k in p.labels) p.labels[k] = tenantId;
        if (pii.active) pii.labels(p.labels);
      }
      return;
    case 'rum':
      for (const e of batch.events as RumEvent[]) {
        stampTenant(e.attributes, tenantId);
        const ua = e.browser?.userAgent;
        if (ua) {
          const parsed = parseUserAgent(ua);
          e.browser = {
            ...e.browser,
            name: e.browser?.name || parsed.name,
            ...(parsed.version && !e.browser?.version ? { version: parsed.version } : {}),
            os: e.browser?.os || parsed.os,
            device: e.browser?.device || parsed.device,
          };
        }
        if (e.page.url && (!e.page.path || e.page.query === undefined)) {
          const { path, query } = splitUrl(e.page.url);
          if (path && !e.page.path) e.page.path = path;
          if (query !== undefined && e.page.query === undefined) e.page.query = query;
        }
        if (pii.active) {
          if (e.message) e.message = pii.text(e.message);
          if (e.stack) e.stack = pii.text(e.stack);
          e.page.url = pii.text(e.page.url);
          if (e.page.query) e.page.query = pii.text(e.page.query);
          pii.attributes(e.attributes);
        }
      }
      return;
    case 'cost':
      return;
  }
}

/**
 * The worker's bus handler: enrich, then write to every data source that stores the
 * signal for the tenant. It resolves only when all of them acknowledged, so the bus
 * commits (or answers the client, inline) only then.
 */
export function createPipelineHandler(deps: { settings: IngestSettingsCache; dataSources: DataSourceService; host: PluginHost }): BusHandler {
  const scrubbers = new Map<string, { rules: unknown; scrubber: PiiScrubber }>();
  return async ({ tenantId, batch }: BusEnvelope) => {
    const settings = await deps.settings.get(tenantId);
    let cached = scrubbers.get(tenantId);
    if (!cached || cached.rules !== settings.pii) {
      cached = { rules: settings.pii, scrubber: new PiiScrubber(settings.pii) };
      if (scrubbers.size > 10_000) scrubbers.clear();
      scrubbers.set(tenantId, cached);
    }
    enrich(batch, tenantId, cached.scrubber);
    const sources = await deps.dataSources.routedCached(tenantId);
    await deps.host.write(sources, tenantId, batch);
  };
}
