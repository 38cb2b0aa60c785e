import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request as httpRequest, type Server } from 'node:http';
import { join, resolve } from 'node:path';
import { tmpdir } from 'node:os';

/**
 * Embedded mode keeps the database in one process (PGlite can't be shared between
 * processes). The process that opens it writes a lock file; a running server also
 * listens on a private Unix socket so that `obstack` CLI commands run inside it.
 */

export interface LockInfo {
  pid: number;
  /** Set when the holder is a server that accepts CLI commands. */
  socket?: string;
}

function lockFile(dataDir: string): string {
  return join(resolve(dataDir), 'obstack.pid');
}

export function socketPath(dataDir: string): string {
  const preferred = join(resolve(dataDir), 'obstack.sock');
  // Unix socket paths are limited to ~107 bytes; deep data dirs get a stable path in tmp.
  if (Buffer.byteLength(preferred) < 100) return preferred;
  const h = createHash('sha256').update(preferred).digest('hex').slice(0, 16);
  return join(tmpdir(), `obstack-${h}.sock`);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The live holder of the embedded database, if any (stale lock files are ignored). */
export function readLock(dataDir: string): LockInfo | undefined {
  const file = lockFile(dataDir);
  if (!existsSync(file)) return undefined;
  try {
    const info = JSON.parse(readFileSync(file, 'utf8')) as LockInfo;
    if (typeof info.pid === 'number' && info.pid !== process.pid && alive(info.pid)) return info;
  } catch {
    // unreadable lock file: treat as stale
  }
  return undefined;
}

export class LockedError extends Error {
  constructor(readonly holder: LockInfo) {
    super(
      holder.socket
        ? `Obstack is already running with this data directory (pid ${holder.pid})`
        : `The embedded database is in use by another obstack process (pid ${holder.pid}); try again when it has finished`,
    );
  }
}

/** Takes the embedded-database lock for this process; returns its release function. */
export function acquireLock(dataDir: string, socket?: string): () => void {
  const holder = readLock(dataDir);
  if (holder) throw new LockedError(holder);
  mkdirSync(resolve(dataDir), { recursive: true });
  const file = lockFile(dataDir);
  const info: LockInfo = { pid: process.pid, ...(socket ? { socket } : {}) };
  writeFileSync(file, JSON.stringify(info));
  return () => {
    try {
      const current = JSON.parse(readFileSync(file, 'utf8')) as LockInfo;
      if (current.pid === process.pid) rmSync(file, { force: true });
    } catch {
      // already gone
    }
  };
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export type CliRunner = (argv: string[], stdin: string) => Promise<CliResult>;

/** The server side: runs CLI commands sent over the socket with the server's own services. */
export async function listenControlSocket(path: string, run: CliRunner): Promise<Server> {
  rmSync(path, { force: true });
  const server = createServer((req, res) => {
    if (req.method !== 'POST' || req.url !== '/cli') {
      res.writeHead(404).end();
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        try {
          const { argv, stdin } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { argv: string[]; stdin?: string };
          const result = await run(argv, stdin ?? '');
          res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(result));
        } catch (e) {
          res.writeHead(500, { 'Content-Type': 'application/json' }).end(
            JSON.stringify({ code: 1, stdout: '', stderr: `${(e as Error).message}\n` } satisfies CliResult),
          );
        }
      })();
    });
  });
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    // Owner-only: whoever can reach this socket can administer Obstack.
    const previous = process.umask(0o177);
    server.listen(path, () => {
      process.umask(previous);
      ok();
    });
  });
  return server;
}

/** The CLI side: sends a command to the running server. */
export function sendToServer(path: string, argv: string[], stdin: string): Promise<CliResult> {
  return new Promise((ok, fail) => {
    const req = httpRequest({ socketPath: path, path: '/cli', method: 'POST', headers: { 'Content-Type': 'application/json' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        try {
          ok(JSON.parse(Buffer.concat(chunks).toString('utf8')) as CliResult);
        } catch (e) {
          fail(e as Error);
        }
      });
    });
    req.on('error', fail);
    req.end(JSON.stringify({ argv, stdin }));
  });
}
