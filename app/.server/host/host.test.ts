import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type PluginDefinition, type PluginInstance, PLUGIN_API_VERSION, PluginError, definePlugin, isPluginError } from '@obstack/plugin-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../log';
import { CallGuard } from './guard';
import { createGuardedFetch, isBlockedAddress } from './guarded-fetch';
import { type InstanceSpec, PluginHost } from './host';
import { PluginRegistry } from './registry';
import { SecretBox } from './secrets';

const lines: string[] = [];
const log = createLogger({ level: 'debug', format: 'json', write: (l) => void lines.push(l) });

function probePlugin(overrides: Partial<PluginDefinition> = {}, behaviour: Partial<PluginInstance> = {}) {
  const created: string[] = [];
  const disposed: string[] = [];
  const def = definePlugin({
    id: 'probe',
    name: 'Probe',
    version: '1.0.0',
    apiVersion: `^${PLUGIN_API_VERSION}`,
    capabilities: { logs: { read: true, write: true, stability: 'experimental' } },
    configSchema: { type: 'object', properties: { label: { type: 'string', title: 'Label' }, token: { type: 'string', title: 'Token', format: 'password' } } },
    secretFields: ['token'],
    create(config) {
      const label = String((config as { label?: string }).label ?? '');
      created.push(label);
      return {
        async checkHealth() {
          return { status: 'ok', message: `probe ${label}` };
        },
        async dispose() {
          disposed.push(label);
        },
        ...behaviour,
      };
    },
    ...overrides,
  } as PluginDefinition);
  return { def, created, disposed };
}

function spec(version: string, extra: Partial<InstanceSpec> = {}): InstanceSpec {
  return {
    id: 'ds-1',
    name: 'Probe source',
    pluginId: 'probe',
    version,
    config: { label: version },
    secrets: {},
    allowInternalAddresses: false,
    timeoutMs: 2_000,
    maxConcurrency: 4,
    ...extra,
  };
}

describe('plugin registry', () => {
  it('refuses a plugin built for another API version, naming both versions', () => {
    const r = new PluginRegistry(log);
    const { def } = probePlugin();
    expect(() => r.register({ ...def, apiVersion: '^2.0.0' }, 'package', '@acme/future')).toThrow(
      `plugin probe requires plugin API ^2.0.0; this Obstack provides ${PLUGIN_API_VERSION}`,
    );
    expect(() => r.register({ id: 'X!', create: () => ({}) }, 'package', 'bad-plugin')).toThrow(/bad-plugin is not a valid Obstack plugin/);
  });

  it('loads a plugin package by name and records the ones it cannot load', async () => {
    const r = new PluginRegistry(log);
    await r.loadPackages(['@acme/obstack-plugin-inmemory', '@acme/does-not-exist']);
    expect(r.get('acme-inmemory')?.packageName).toBe('@acme/obstack-plugin-inmemory');
    expect(r.failures).toHaveLength(1);
    expect(r.failures[0]?.message).toContain('@acme/does-not-exist could not be loaded');
  });
});

describe('plugin host', () => {
  it('keeps one instance per config version, rebuilds on change and disposes the old one after its calls finish', async () => {
    const { def, created, disposed } = probePlugin();
    const r = new PluginRegistry(log);
    r.register(def, 'builtin');
    const host = new PluginHost(r, log);
    await host.call(spec('v1'), 't1', (i, ctx) => i.checkHealth(ctx));
    await host.call(spec('v1'), 't1', (i, ctx) => i.checkHealth(ctx));
    expect(created).toEqual(['v1']);
    // A slow call on v1 is running when the config changes to v2.
    let release!: () => void;
    const slow = host.call(spec('v1'), 't1', () => new Promise<string>((ok) => (release = () => ok('done'))));
    await new Promise((r2) => setTimeout(r2, 20));
    const health = await host.call(spec('v2'), 't1', (i, ctx) => i.checkHealth(ctx));
    expect(health.message).toBe('probe v2');
    expect(created).toEqual(['v1', 'v2']);
    expect(disposed).toEqual([]);
    release();
    expect(await slow).toBe('done');
    await new Promise((r2) => setTimeout(r2, 20));
    expect(disposed).toEqual(['v1']);
    await host.close();
    expect(disposed).toEqual(['v1', 'v2']);
  });

  it('passes the caller tenant and a deadline, and enforces the deadline even if the plugin ignores it', async () => {
    const { def } = probePlugin({}, {
      queryLogs: () => new Promise(() => {}),
    });
    const r = new PluginRegistry(log);
    r.register(def, 'builtin');
    const host = new PluginHost(r, log);
    const seen = await host.call(spec('v1'), 'tenant-a', async (_i, ctx) => ({ tenant: ctx.tenantId, left: ctx.deadline - Date.now() }));
    expect(seen.tenant).toBe('tenant-a');
    expect(seen.left).toBeGreaterThan(1_000);
    const started = Date.now();
    const err = await host
      .call(spec('v1', { timeoutMs: 300 }), 'tenant-a', (i, ctx) => i.queryLogs!({ range: { startMs: 0, endMs: 1 }, limit: 1, direction: 'backward' }, ctx))
      .catch((e: unknown) => e);
    expect(Date.now() - started).toBeLessThan(1_500);
    expect(isPluginError(err) && err.message).toBe('Probe source did not answer within 300 ms');
    await host.close();
  });

  it('refuses a config the schema rejects, naming the field, before create runs', async () => {
    const { def, created } = probePlugin({ configSchema: { type: 'object', properties: { url: { type: 'string', title: 'URL', format: 'uri' } }, required: ['url'] }, secretFields: [] });
    const r = new PluginRegistry(log);
    r.register(def, 'builtin');
    const host = new PluginHost(r, log);
    const err = await host.call({ ...spec('v1'), config: { url: 'ftp://x' } }, 't', (i, ctx) => i.checkHealth(ctx)).catch((e: unknown) => e);
    expect(isPluginError(err) && err.source).toBe('config');
    expect((err as PluginError).field).toBe('url');
    expect((err as Error).message).toContain('Probe source is misconfigured: url:');
    expect(created).toEqual([]);
  });

  it('writes to every sink and fails the batch if one sink fails, so the bus redelivers', async () => {
    const writes: string[] = [];
    const ok = probePlugin({}, { write: async (b) => (writes.push(`ok:${b.id}`), { accepted: 1 }) });
    const r = new PluginRegistry(log);
    r.register(ok.def, 'builtin');
    r.register(
      probePlugin({ id: 'broken', name: 'Broken' }, { write: async () => Promise.reject(new PluginError('disk full', { source: 'downstream', retryable: true })) }).def,
      'builtin',
    );
    const host = new PluginHost(r, log);
    const batch = { id: 'b1', signal: 'logs' as const, records: [] };
    const sources = [
      { spec: spec('v1'), query: [], write: ['logs' as const] },
      { spec: { ...spec('v1'), id: 'ds-2', name: 'Broken one', pluginId: 'broken' }, query: [], write: ['logs' as const] },
    ];
    const err = await host.write(sources, 't', batch).catch((e: unknown) => e);
    expect((err as Error).message).toBe('Broken one: disk full');
    expect(isPluginError(err) && err.retryable).toBe(true);
    expect(writes).toEqual(['ok:b1']);
    await host.close();
  });
});

describe('call guard', () => {
  it('limits concurrency with a bounded queue', async () => {
    const g = new CallGuard('busy', { maxConcurrency: 1, maxQueue: 1 });
    let release!: () => void;
    const first = g.run(5_000, undefined, () => new Promise<void>((ok) => (release = ok)));
    const second = g.run(5_000, undefined, async () => 'second');
    await expect(g.run(5_000, undefined, async () => 'third')).rejects.toThrow('busy is busy (1 requests running, 1 waiting)');
    expect(g.state()).toMatchObject({ inFlight: 1, queued: 1 });
    release();
    await first;
    expect(await second).toBe('second');
  });

  it('opens the breaker after repeated failures, then lets one probe through after the cooldown', async () => {
    const g = new CallGuard('flaky', { maxConcurrency: 4, failureThreshold: 3, cooldownMs: 200 });
    const fail = () => g.run(1_000, undefined, async () => Promise.reject(new Error('connection refused')));
    for (let i = 0; i < 3; i++) await expect(fail()).rejects.toThrow('connection refused');
    expect(g.state().breaker).toBe('open');
    let called = false;
    await expect(g.run(1_000, undefined, async () => (called = true))).rejects.toThrow(/flaky is failing \(connection refused\)/);
    expect(called).toBe(false);
    await new Promise((r) => setTimeout(r, 250));
    expect(g.state().breaker).toBe('half-open');
    expect(await g.run(1_000, undefined, async () => 'recovered')).toBe('recovered');
    expect(g.state().breaker).toBe('closed');
  });

  it('does not count a caller giving up as a backend failure', async () => {
    const g = new CallGuard('slow', { maxConcurrency: 1, failureThreshold: 1 });
    const ac = new AbortController();
    const p = g.run(5_000, ac.signal, () => new Promise(() => {}));
    ac.abort();
    await expect(p).rejects.toThrow('The request was cancelled');
    expect(g.state()).toMatchObject({ breaker: 'closed', consecutiveFailures: 0 });
  });
});

describe('guarded fetch', () => {
  let server: Server;
  let port = 0;
  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url === '/redirect-to-loopback') {
        res.writeHead(302, { Location: `http://127.0.0.1:${port}/ok` }).end();
        return;
      }
      res.writeHead(200, { 'Content-Type': 'text/plain' }).end('ok');
    });
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((ok) => server.close(() => ok())));

  it('classifies loopback, link-local and metadata addresses as blocked, private ranges as allowed', () => {
    for (const a of ['127.0.0.1', '127.8.9.10', '::1', '169.254.169.254', 'fe80::1', '::ffff:127.0.0.1', '0.0.0.0', 'fd00:ec2::254']) {
      expect(isBlockedAddress(a), a).toBe(true);
    }
    for (const a of ['10.0.0.5', '192.168.1.10', '172.16.0.1', '8.8.8.8', '2001:db8::1']) expect(isBlockedAddress(a), a).toBe(false);
  });

  it('refuses loopback by literal IP, by name and through a redirect unless internal addresses are allowed', async () => {
    const guarded = createGuardedFetch({ allowInternal: false });
    for (const url of [`http://127.0.0.1:${port}/ok`, `http://localhost:${port}/ok`, `http://[::1]:${port}/ok`, 'http://169.254.169.254/latest/meta-data/']) {
      const err = await guarded(url).catch((e: unknown) => e);
      expect(isPluginError(err) || (err as { cause?: unknown }).cause, url).toBeTruthy();
      const message = isPluginError(err) ? err.message : String((err as { cause?: Error }).cause?.message ?? err);
      expect(message, url).toMatch(/Refused to connect/);
    }
    const open = createGuardedFetch({ allowInternal: true });
    expect(await (await open(`http://127.0.0.1:${port}/ok`)).text()).toBe('ok');
    expect(await (await open(`http://127.0.0.1:${port}/redirect-to-loopback`)).text()).toBe('ok');
  });

  it('aborts at the deadline', async () => {
    const ac = new AbortController();
    const f = createGuardedFetch({ allowInternal: true, signal: ac.signal });
    ac.abort();
    await expect(f(`http://127.0.0.1:${port}/ok`)).rejects.toThrow();
  });
});

describe('secret box', () => {
  it('round-trips, never shows plain text, and refuses tampered or foreign ciphertext', () => {
    const box = new SecretBox('a'.repeat(40));
    const sealed = box.seal({ token: 'hunter2-hunter2' });
    expect(sealed).not.toContain('hunter2');
    expect(box.open(sealed)).toEqual({ token: 'hunter2-hunter2' });
    expect(box.seal({ token: 'x' })).not.toBe(box.seal({ token: 'x' }));
    const [v, iv, tag, body] = sealed.split('.');
    const flipped = `${v}.${iv}.${tag}.${body!.slice(0, -2)}${body!.endsWith('A') ? 'B' : 'A'}${body!.slice(-1)}`;
    expect(() => box.open(flipped)).toThrow();
    expect(() => new SecretBox('b'.repeat(40)).open(sealed)).toThrow();
  });
});

describe('logging', () => {
  it('never logged a secret while these tests ran', () => {
    expect(lines.join('\n')).not.toContain('hunter2');
  });
});
