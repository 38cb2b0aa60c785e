import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FormClient, visibleText } from '../support/client';
import { type IngestStack, type ApiLogRecord, createTenantWithKey, eventually, read, startIngestStack } from '../support/ingest';
import { type RunningObstack, startObstack } from '../support/obstack';

const DAY = 86_400_000;

/** One OTLP/JSON log record at `atMs`, sent with `key`. */
async function sendLog(base: string, key: string, body: string, atMs: number): Promise<void> {
  const res = await fetch(`${base}/v1/logs`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${key}` },
    body: JSON.stringify({
      resourceLogs: [
        {
          resource: { attributes: [{ key: 'service.name', value: { stringValue: 'billing' } }] },
          scopeLogs: [{ logRecords: [{ timeUnixNano: String(BigInt(atMs) * 1_000_000n), severityText: 'INFO', body: { stringValue: body } }] }],
        },
      ],
    }),
  });
  expect(res.status).toBe(200);
}

/**
 * A tenant keeps less than the server: set in Settings → Ingest, honoured by the store's
 * maintenance (which an embedded process runs soon after it starts, then hourly), and only
 * for that tenant.
 */
describe('retention per tenant', () => {
  let stack: IngestStack;
  let app: RunningObstack;
  let other: { key: string };
  let admin: FormClient;

  const bodies = async (key: string) =>
    (await read<{ records: ApiLogRecord[] }>(app.url, key, '/api/v1/logs', { from: 'now-7d', to: 'now', limit: '100' })).data.records.map((r) => r.body).sort();

  beforeAll(async () => {
    stack = await startIngestStack('embedded', { OBSTACK_STORE_RETENTION_DAYS: '30' });
    app = stack.app;
    other = await createTenantWithKey(stack, 'keeps-all');
    const now = Date.now();
    for (const [key, who] of [
      [stack.key, 'short'],
      [other.key, 'long'],
    ] as const) {
      await sendLog(app.url, key, `${who} three days ago`, now - 3 * DAY);
      await sendLog(app.url, key, `${who} today`, now - 60_000);
    }
    admin = new FormClient(app.url);
    expect((await admin.submit('/login', { email: 'admin@ingest.test', password: 'ingest test password' })).res.status).toBe(302);
  });
  afterAll(async () => {
    await app?.stop();
    await stack?.store.cleanup();
  });

  const save = (retentionDays: string) =>
    admin.submit('/settings/ingest', {
      intent: 'save',
      allowedOrigins: '*',
      rumRequestsPerSecond: '200',
      piiEmails: 'on',
      piiCards: 'on',
      piiKeys: 'password\nsecret',
      retentionDays,
    });

  it('refuses a retention the server cannot honour, naming the limit, and saves nothing', async () => {
    for (const bad of ['45', '0', '2.5', 'a week']) {
      const r = await save(bad);
      expect(r.res.status, bad).toBe(400);
      expect(visibleText(r.html)).toContain('Retention must be a whole number of days from 1 to 30');
    }
    expect(await (await admin.get('/settings/ingest')).html).not.toMatch(/name="retentionDays"[^>]*value="(45|0|2.5)"/);
  });

  it("deletes the tenant's older data at the next maintenance, and nothing of another tenant's", async () => {
    expect(await bodies(stack.key)).toEqual(['short three days ago', 'short today']);
    const r = await save('1');
    expect(r.res.status).toBe(200);
    expect(visibleText(r.html)).toContain('Saved.');
    expect((await admin.get('/settings/ingest')).html).toMatch(/name="retentionDays"[^>]*value="1"/);

    // A restart: the maintenance runs ~10 s after the worker starts.
    await app.stop();
    app = await startObstack(stack.app.env);
    await eventually(async () => expect(await bodies(stack.key)).toEqual(['short today']), 60_000);
    expect(await bodies(other.key)).toEqual(['long three days ago', 'long today']);
  });
});
