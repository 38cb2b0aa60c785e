import type { LogRecord, MetricPoint, RumEvent, Span } from '@obstack/plugin-api';
import { describe, expect, it } from 'vitest';
import { PiiScrubber, REDACTED } from './pii';
import { enrich } from './pipeline';
import { DEFAULT_INGEST_SETTINGS, originAllowed } from './settings';
import { parseUserAgent } from './user-agent';

const pii = new PiiScrubber(DEFAULT_INGEST_SETTINGS.pii);
const off = new PiiScrubber({ emails: false, cardNumbers: false, keys: [] });

describe('PII scrubbing', () => {
  it('replaces e-mail addresses and Luhn-valid card numbers, and leaves other numbers alone', () => {
    expect(pii.text('mail jane.doe+x@example.co.uk now')).toBe(`mail ${REDACTED} now`);
    expect(pii.text('card 4111 1111 1111 1111 declined')).toBe(`card ${REDACTED} declined`);
    expect(pii.text('card 4111-1111-1111-1111')).toBe(`card ${REDACTED}`);
    // Not a card: fails the Luhn check (an order id, a timestamp).
    expect(pii.text('order 4111111111111112 and ts 1732961234567')).toBe('order 4111111111111112 and ts 1732961234567');
    expect(off.text('jane@example.com 4111111111111111')).toBe('jane@example.com 4111111111111111');
  });

  it('replaces values of sensitive keys, by whole key or last segment, deep in nested values', () => {
    const attrs = pii.attributes({
      'http.request.header.authorization': 'Bearer abc',
      password: 'hunter2',
      nested: { user: { email: 'a@b.io', token: 'xyz' } },
      list: ['ok', 'c@d.io'],
      count: 3,
    });
    expect(attrs).toEqual({
      'http.request.header.authorization': REDACTED,
      password: REDACTED,
      nested: { user: { email: REDACTED, token: REDACTED } },
      list: ['ok', REDACTED],
      count: 3,
    });
  });
});

describe('enrichment', () => {
  it('overwrites tenant claims in payloads and normalises the environment attribute', () => {
    const span: Span = {
      traceId: 'a'.repeat(32),
      spanId: 'b'.repeat(16),
      name: 'GET /',
      kind: 'server',
      startTimeUnixNano: 1n,
      endTimeUnixNano: 2n,
      status: { code: 'error', message: 'user x@y.io not found' },
      serviceName: 'web',
      attributes: { 'obstack.tenant.id': 'someone-else', 'user.email': 'x@y.io' },
      resource: { 'service.name': 'web', 'tenant.id': 'someone-else', 'deployment.environment.name': 'prod' },
      events: [{ timeUnixNano: 1n, name: 'e', attributes: { secret: 's3' } }],
      links: [],
    };
    enrich({ id: 'b', signal: 'traces', spans: [span] }, 'tenant-real', pii);
    expect(span.attributes['obstack.tenant.id']).toBe('tenant-real');
    expect(span.resource['tenant.id']).toBe('tenant-real');
    expect(span.resource['deployment.environment']).toBe('prod');
    expect(span.attributes['user.email']).toBe(REDACTED);
    expect(span.events[0]?.attributes.secret).toBe(REDACTED);
    expect(span.status.message).toBe(`user ${REDACTED} not found`);
  });

  it('scrubs log bodies and metric labels', () => {
    const log: LogRecord = { timeUnixNano: 1n, severityNumber: 9, body: 'sent to bob@corp.io', serviceName: 's', attributes: {}, resource: {} };
    const point: MetricPoint = { name: 'm', type: 'gauge', timeUnixNano: 1n, serviceName: 's', labels: { customer: 'bob@corp.io', tenant_id: 'x' }, value: 1 };
    enrich({ id: 'l', signal: 'logs', records: [log] }, 't', pii);
    enrich({ id: 'm', signal: 'metrics', points: [point] }, 't', pii);
    expect(log.body).toBe(`sent to ${REDACTED}`);
    expect(point.labels).toEqual({ customer: REDACTED, tenant_id: 't' });
  });

  it('breaks down the user agent and the page URL of browser events', () => {
    const e: RumEvent = {
      timeUnixNano: 1n,
      kind: 'page_view',
      name: 'view',
      sessionId: 's',
      app: { name: 'shop' },
      page: { url: 'https://shop.example.com/cart?coupon=SAVE10&email=a@b.io' },
      browser: { userAgent: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1' },
      attributes: {},
    };
    enrich({ id: 'r', signal: 'rum', events: [e] }, 't', pii);
    expect(e.browser).toMatchObject({ name: 'Safari', version: '17', os: 'iOS', device: 'mobile' });
    expect(e.page.path).toBe('/cart');
    expect(e.page.query).toBe(`coupon=SAVE10&email=${REDACTED}`);
    expect(e.page.url).toBe(`https://shop.example.com/cart?coupon=SAVE10&email=${REDACTED}`);
  });
});

describe('user agents', () => {
  it.each([
    ['Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36', 'Chrome', '126', 'Windows', 'desktop'],
    ['Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36 Edg/126.0.2592.87', 'Edge', '126', 'Windows', 'desktop'],
    ['Mozilla/5.0 (Macintosh; Intel Mac OS X 14.5; rv:127.0) Gecko/20100101 Firefox/127.0', 'Firefox', '127', 'macOS', 'desktop'],
    ['Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Mobile Safari/537.36', 'Chrome', '126', 'Android', 'mobile'],
    ['Mozilla/5.0 (Linux; Android 13; SM-X906C) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36', 'Chrome', '126', 'Android', 'tablet'],
    ['Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)', 'Bot', undefined, 'Other', 'bot'],
  ])('%s', (ua, name, version, os, device) => {
    expect(parseUserAgent(ua)).toEqual({ name, ...(version ? { version } : {}), os, device });
  });
});

describe('allowed origins', () => {
  it('allows any origin by default and only listed ones once restricted', () => {
    expect(originAllowed(DEFAULT_INGEST_SETTINGS, 'https://evil.example')).toBe(true);
    const restricted = { ...DEFAULT_INGEST_SETTINGS, allowedOrigins: ['https://shop.example.com/'] };
    expect(originAllowed(restricted, 'https://shop.example.com')).toBe(true);
    expect(originAllowed(restricted, 'https://evil.example')).toBe(false);
    expect(originAllowed(restricted, null)).toBe(false);
  });
});
