/**
 * A small cookie-keeping HTTP client that submits forms the way a browser does
 * (same-origin, with the page's CSRF token), so tests exercise the real routes
 * without a browser. Remix document requests answer HTML; we read what a user sees.
 */
export class FormClient {
  readonly cookies = new Map<string, string>();

  constructor(readonly base: string, readonly extraHeaders: Record<string, string> = {}) {}

  cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  private remember(res: Response) {
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = pair?.indexOf('=') ?? -1;
      if (!pair || eq < 0) continue;
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      if (/max-age=0/i.test(line) || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  async request(path: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.cookies.size) headers.set('Cookie', this.cookieHeader());
    for (const [k, v] of Object.entries(this.extraHeaders)) headers.set(k, v);
    const res = await fetch(this.base + path, { ...init, headers, redirect: 'manual' });
    this.remember(res);
    return res;
  }

  /** GET following redirects within the app; returns the final response and its body. */
  async get(path: string): Promise<{ res: Response; html: string; url: string }> {
    let url = path;
    for (let i = 0; i < 10; i++) {
      const res = await this.request(url);
      if (res.status >= 300 && res.status < 400 && res.headers.get('location')) {
        url = new URL(res.headers.get('location') ?? '/', this.base + url).pathname + new URL(res.headers.get('location') ?? '/', this.base + url).search;
        await res.arrayBuffer();
        continue;
      }
      return { res, html: await res.text(), url };
    }
    throw new Error(`too many redirects from ${path}`);
  }

  /** The CSRF token the page at `path` embeds in its forms (loads the page first). */
  async csrf(path = '/login'): Promise<string> {
    const { html } = await this.get(path);
    const m = /name="csrf" value="([^"]+)"/.exec(html);
    if (!m?.[1]) throw new Error(`no csrf token on ${path}`);
    return m[1];
  }

  /**
   * Submits a form to `action` as the browser would from `page` (CSRF token from that
   * page unless `csrf` is given explicitly; pass csrf: null to omit it).
   */
  async submit(
    action: string,
    fields: Record<string, string | string[]>,
    opts: { page?: string; csrf?: string | null; headers?: Record<string, string> } = {},
  ): Promise<{ res: Response; html: string; location: string | null }> {
    const body = new URLSearchParams();
    const token = opts.csrf === undefined ? await this.csrf(opts.page ?? action) : opts.csrf;
    if (token !== null) body.set('csrf', token);
    for (const [k, v] of Object.entries(fields)) {
      for (const one of Array.isArray(v) ? v : [v]) body.append(k, one);
    }
    const res = await this.request(action, {
      method: 'POST',
      body,
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: this.base, ...opts.headers },
    });
    return { res, html: await res.text(), location: res.headers.get('location') };
  }
}

/** Text a user would read in an HTML page: tags stripped, entities for quotes decoded. */
export function visibleText(html: string): string {
  return html
    .replace(/<script[\s\S]*?<\/script>/g, ' ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&#x27;|&#39;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ');
}

export function extractKey(html: string): string {
  const m = /obs_[a-z0-9]{8}_[A-Za-z0-9]{32,128}/.exec(visibleText(html));
  if (!m) throw new Error('no API key in page');
  return m[0];
}
