import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { BlockList, isIP } from 'node:net';
import { PluginError, type PluginFetch } from '@obstack/plugin-api';
import { Agent, fetch as undiciFetch } from 'undici';

/**
 * Addresses a data source must not reach unless an admin allowed it: loopback, the
 * unspecified address, link-local (which includes the cloud metadata endpoints such as
 * 169.254.169.254 and fd00:ec2::254). Private ranges (10/8, 192.168/16, ...) stay
 * allowed: self-hosted backends live there.
 */
const BLOCKED = new BlockList();
BLOCKED.addSubnet('127.0.0.0', 8, 'ipv4');
BLOCKED.addSubnet('0.0.0.0', 8, 'ipv4');
BLOCKED.addSubnet('169.254.0.0', 16, 'ipv4');
BLOCKED.addAddress('100.100.100.200', 'ipv4'); // Alibaba Cloud metadata
BLOCKED.addAddress('::1', 'ipv6');
BLOCKED.addAddress('::', 'ipv6');
BLOCKED.addSubnet('fe80::', 10, 'ipv6');
BLOCKED.addAddress('fd00:ec2::254', 'ipv6'); // AWS IMDS over IPv6

export function isBlockedAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return BLOCKED.check(address, 'ipv4');
  if (family === 6) {
    // IPv4-mapped (::ffff:127.0.0.1) must be judged as the IPv4 address it is.
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
    if (mapped?.[1]) return BLOCKED.check(mapped[1], 'ipv4');
    return BLOCKED.check(address, 'ipv6');
  }
  return false;
}

function refused(host: string, address: string): PluginError {
  return new PluginError(
    `Refused to connect to ${host} (${address}): loopback, link-local and cloud metadata addresses are blocked for data sources unless "Allow internal addresses" is on`,
    { source: 'config', retryable: false },
  );
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * The address check runs on the resolved IPs at connect time (not on the name), so a
 * DNS answer that changes between check and use can't get around it.
 */
function guardedLookup(hostname: string, options: { all?: boolean; family?: number }, cb: LookupCallback): void {
  dnsLookup(hostname, { all: true, family: options.family ?? 0 }, (err, addresses) => {
    if (err) return cb(err, []);
    const bad = addresses.find((a) => isBlockedAddress(a.address));
    if (bad) return cb(refused(hostname, bad.address) as unknown as NodeJS.ErrnoException, []);
    if (options.all) return cb(null, addresses);
    const first = addresses[0];
    if (!first) return cb(Object.assign(new Error(`no address for ${hostname}`), { code: 'ENOTFOUND' }), []);
    cb(null, first.address, first.family);
  });
}

const guardedAgent = new Agent({ connect: { lookup: guardedLookup as never } });
const openAgent = new Agent();

const MAX_REDIRECTS = 5;

/**
 * The `fetch` handed to plugins: aborts with `signal` (the call's deadline) and, unless
 * `allowInternal`, refuses blocked addresses — also for literal IPs and for every hop of
 * a redirect, which connect-time lookup alone would miss.
 */
export function createGuardedFetch(options: { allowInternal: boolean; signal?: AbortSignal }): PluginFetch {
  const dispatcher = options.allowInternal ? openAgent : guardedAgent;
  return async (input, first = {}) => {
    let init = first;
    let url = new URL(typeof input === 'string' ? input : input.toString());
    const signal = init.signal && options.signal ? AbortSignal.any([init.signal, options.signal]) : (init.signal ?? options.signal);
    for (let hop = 0; ; hop++) {
      if (url.protocol !== 'http:' && url.protocol !== 'https:') {
        throw new PluginError(`Only http and https URLs can be fetched (got ${url.protocol})`, { source: 'config' });
      }
      const host = url.hostname.replace(/^\[|\]$/g, '');
      if (!options.allowInternal && isIP(host) && isBlockedAddress(host)) throw refused(url.hostname, host);
      const res = (await undiciFetch(url, {
        ...(init as object),
        redirect: 'manual',
        dispatcher,
        ...(signal ? { signal } : {}),
      } as never)) as unknown as Response;
      const location = res.headers.get('location');
      if (res.status >= 300 && res.status < 400 && location && init.redirect !== 'manual') {
        if (hop >= MAX_REDIRECTS) throw new PluginError(`Too many redirects from ${String(input)}`, { source: 'downstream' });
        await res.body?.cancel();
        url = new URL(location, url);
        // As browsers do: 303 (and 301/302 after a POST) continue as a GET without the body.
        if (res.status === 303 || ((res.status === 301 || res.status === 302) && (init.method ?? 'GET').toUpperCase() === 'POST')) {
          const { body: _dropped, ...rest } = init;
          init = { ...rest, method: 'GET' };
        }
        continue;
      }
      return res;
    }
  };
}
