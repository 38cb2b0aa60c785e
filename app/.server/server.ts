import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createRequestHandler } from '@remix-run/express';
import type { ServerBuild } from '@remix-run/node';
import compression from 'compression';
import express from 'express';
import remixConfig from '../../remix.config.js';
import type { Config, Role } from './config';
import type { ObstackContext } from './context';
import type { Logger } from './log';
import { ingestEndpoints } from './ingest/routes';
import { bootstrapFromEnv } from './onboarding';
import { type Services, createServices, scheduleMaintenance } from './services';

export interface StartOptions {
  config: Config;
  log: Logger;
  role: Role;
  /** Vite dev server with HMR instead of the production build. */
  dev?: boolean;
  /** Project root (where build/ lives). */
  root: string;
  /** Called with the services once they exist (the CLI control socket uses this). */
  onServices?: (services: Services) => Promise<void> | void;
}

export interface RunningServer {
  services: Services;
  server: Server | undefined;
  url: string;
  /** Stops accepting, drains requests and jobs, closes connections. Idempotent. */
  stop(reason?: string): Promise<void>;
}

export async function startObstack(options: StartOptions): Promise<RunningServer> {
  const { config, log, role } = options;
  if (role !== 'all' && (!config.redisUrl || !config.databaseUrl)) {
    throw new Error(
      `--role ${role} runs the web and worker roles in separate processes, which needs DATABASE_URL and REDIS_URL; embedded mode runs everything with --role all`,
    );
  }
  const services = await createServices(config, log);
  try {
    await bootstrapFromEnv(services.db, config, log);
    await options.onServices?.(services);
    // Open the built-in store now (its tables, its first connection) so the first request
    // after a start does not pay for it.
    const store = services.dataSources.builtin;
    const warm = store ? await services.host.check(store, 'system') : undefined;
    if (warm?.status === 'error') log.warn('built-in store not ready at start', { detail: warm.message });
    if (role !== 'web') {
      await scheduleMaintenance(services);
      await services.queue.startWorker();
      await services.startPipeline();
    }
    const http = await listen(options, services);
    log.info('obstack started', { role, mode: config.embedded ? 'embedded' : 'scaled', url: http.url, db: services.dbHandle.driver });

    let stopping: Promise<void> | undefined;
    const stop = (reason = 'stop') =>
      (stopping ??= (async () => {
        log.info('shutting down', { reason });
        await http.close(config.shutdownTimeoutMs);
        await services.close();
        log.info('shutdown complete');
      })());
    return { services, server: http.server, url: http.url, stop };
  } catch (err) {
    await services.close();
    throw err;
  }
}

const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
// Machine endpoints authenticate with keys, and browsers post to /collect from other sites.
const MACHINE_PATHS = /^\/(api|v1|collect)(\/|$)/;

/**
 * A form posted from another origin is refused here with a 403 that says so. Remix
 * makes the same host/origin comparison for page actions, but answers it with a 500.
 */
function refuseCrossSiteForms(req: express.Request, res: express.Response, next: express.NextFunction) {
  if (!MUTATING.has(req.method) || MACHINE_PATHS.test(req.path)) return next();
  const origin = req.headers.origin;
  if (!origin || origin === 'null') return next();
  const forwarded = req.headers['x-forwarded-host'];
  const host = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(',')[0]?.trim() || req.headers.host;
  let originHost: string | undefined;
  try {
    originHost = new URL(origin).host;
  } catch {
    originHost = undefined;
  }
  if (host && originHost === host) return next();
  res.status(403).type('text/plain').send('This request came from another site and was refused');
}

interface Listening {
  server: Server;
  url: string;
  close(timeoutMs: number): Promise<void>;
}

async function listen(options: StartOptions, services: Services): Promise<Listening> {
  const { config, log, role } = options;
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', config.trustProxy);

  let draining = false;
  let inFlight = 0;
  const idleWaiters: Array<() => void> = [];
  app.use((_req, res, next) => {
    inFlight++;
    res.once('close', () => {
      inFlight--;
      if (inFlight === 0) for (const w of idleWaiters.splice(0)) w();
    });
    if (draining) res.setHeader('Connection', 'close');
    next();
  });

  // A request answered before its body was read (413, 401, a refused form) leaves unread
  // bytes on the connection; reusing it would hang the client's next request. Close it.
  app.use((req, res, next) => {
    const writeHead = res.writeHead.bind(res) as (...a: unknown[]) => express.Response;
    res.writeHead = ((...args: unknown[]) => {
      const hasBody = Boolean(req.headers['content-length'] && req.headers['content-length'] !== '0') || Boolean(req.headers['transfer-encoding']);
      if (hasBody && !req.complete && !res.headersSent) res.setHeader('Connection', 'close');
      return writeHead(...args);
    }) as typeof res.writeHead;
    next();
  });

  // Liveness: answers while the process serves; 503 once draining so balancers move on.
  app.get('/health', (_req, res) => {
    res.status(draining ? 503 : 200).json({ status: draining ? 'draining' : 'ok' });
  });

  if (role !== 'worker') {
    const endpoints = ingestEndpoints(services.ingest);
    app.use((req, res, next) => {
      const handle = endpoints[req.path];
      if (!handle) return next();
      const headers = new Headers();
      for (let i = 0; i < req.rawHeaders.length; i += 2) headers.append(req.rawHeaders[i]!, req.rawHeaders[i + 1]!);
      const hasBody = req.method !== 'GET' && req.method !== 'HEAD';
      Promise.resolve(handle({ method: req.method, headers, body: hasBody ? req : null }))
        .then(async (response) => {
          res.status(response.status);
          response.headers.forEach((value, name) => res.setHeader(name, value));
          res.end(Buffer.from(await response.arrayBuffer()));
        })
        .catch(next);
    });

    let build: ServerBuild | (() => Promise<ServerBuild>);
    if (options.dev) {
      const vite = await import('vite').then((v) =>
        v.createServer({ root: options.root, server: { middlewareMode: true } }),
      );
      app.use(vite.middlewares);
      build = () => vite.ssrLoadModule('virtual:remix/server-build') as Promise<ServerBuild>;
    } else {
      const buildDir = join(options.root, remixConfig.buildDirectory);
      const serverFile = join(buildDir, 'server', remixConfig.serverBuildFile);
      build = (await import(pathToFileURL(serverFile).href)) as ServerBuild;
      app.use(
        '/assets',
        express.static(join(buildDir, 'client', 'assets'), { immutable: true, maxAge: '1y', index: false }),
      );
      app.use(express.static(join(buildDir, 'client'), { maxAge: '1h', index: false }));
    }
    app.use(refuseCrossSiteForms);
    app.use(compression());
    app.all(
      '*',
      createRequestHandler({
        build,
        mode: options.dev ? 'development' : 'production',
        getLoadContext: (req): ObstackContext => ({ services, clientIp: req.ip ?? req.socket.remoteAddress ?? '' }),
      }),
    );
  }

  app.use((err: unknown, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
    log.error('unhandled request error', { err: err instanceof Error ? err.message : String(err) });
    if (!res.headersSent) res.status(500).type('text/plain').send('Internal server error');
  });

  const server = createServer(app);
  // Longer than the usual 60 s idle timeout of proxies and clients, so that the server is
  // never the side that closes a keep-alive connection a client is about to reuse.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  const sockets = new Set<Socket>();
  server.on('connection', (s) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  });
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(config.port, config.host, () => ok());
  });
  const addr = server.address() as AddressInfo;
  const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  return {
    server,
    url: `http://${host}:${addr.port}`,
    async close(timeoutMs) {
      draining = true;
      const closed = new Promise<void>((ok) => server.close(() => ok()));
      server.closeIdleConnections();
      const idle = inFlight === 0 ? Promise.resolve() : new Promise<void>((ok) => idleWaiters.push(ok));
      const timer = new Promise<'timeout'>((ok) => setTimeout(() => ok('timeout'), timeoutMs).unref());
      if ((await Promise.race([idle, timer])) === 'timeout') {
        log.warn('requests still running at shutdown timeout; closing their connections', { inFlight });
      }
      server.closeAllConnections();
      for (const s of sockets) s.destroy();
      await closed;
    },
  };
}
