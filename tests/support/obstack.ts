import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase } from './pg';

export const ROOT = new URL('../../', import.meta.url).pathname;
const BIN = join(ROOT, 'bin/obstack.js');

export function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.once('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => ok(port));
    });
  });
}

export function tempDir(prefix = 'obstack-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export interface RunningObstack {
  url: string;
  port: number;
  env: Record<string, string>;
  proc: ChildProcess;
  output: () => string;
  /** SIGTERM and wait; resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Runs the built `obstack start` as a child process and waits until /health answers. */
export async function startObstack(env: Record<string, string>, args: string[] = []): Promise<RunningObstack> {
  const port = env.PORT ? Number(env.PORT) : await freePort();
  const fullEnv: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    OBSTACK_LOG_LEVEL: 'warn',
    ...env,
    PORT: String(port),
    HOST: '127.0.0.1',
  };
  // The flag bin/obstack.js's shebang and `pnpm start` give the server; OBSTACK_NODE_ARGS
  // lets a benchmark profile it (e.g. --cpu-prof).
  const nodeArgs = (process.env.OBSTACK_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const proc = spawn(process.execPath, ['--max-semi-space-size=32', ...nodeArgs, BIN, 'start', ...args], { env: fullEnv as unknown as NodeJS.ProcessEnv, stdio: ['ignore', 'pipe', 'pipe'] as const });
  let out = '';
  proc.stdout?.on('data', (c: Buffer) => (out += c.toString()));
  proc.stderr?.on('data', (c: Buffer) => (out += c.toString()));
  const exited = new Promise<number | null>((ok) => proc.once('exit', (code) => ok(code)));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`obstack exited with ${proc.exitCode} before serving:\n${out}`);
    try {
      const r = await fetch(`${url}/health`);
      if (r.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      proc.kill('SIGKILL');
      throw new Error(`obstack did not answer /health within 60 s:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    port,
    env: fullEnv,
    proc,
    output: () => out,
    async stop(signal = 'SIGTERM') {
      if (proc.exitCode !== null) return proc.exitCode;
      proc.kill(signal);
      const timer = setTimeout(() => proc.kill('SIGKILL'), 30_000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
  json: <T = unknown>() => T;
}

/** Runs `obstack <args>` to completion. */
export function runCli(args: string[], env: Record<string, string>, stdin?: string): Promise<CliRun> {
  return new Promise((ok) => {
    const proc = spawn(process.execPath, [BIN, ...args], {
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', OBSTACK_LOG_LEVEL: 'warn', ...env } as unknown as NodeJS.ProcessEnv,
      stdio: ['pipe', 'pipe', 'pipe'] as const,
    });
    let stdout = '';
    let stderr = '';
    proc.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    proc.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    proc.stdin.end(stdin ?? '');
    proc.once('exit', (code) =>
      ok({
        code,
        stdout,
        stderr,
        json: <T,>() => {
          try {
            return JSON.parse(stdout) as T;
          } catch {
            throw new Error(`not JSON (exit ${code}):\n${stdout}\n${stderr}`);
          }
        },
      }),
    );
  });
}

export type Backend = 'pglite' | 'postgres';

export interface BackendEnv {
  env: Record<string, string>;
  cleanup(): Promise<void>;
}

const TEST_SECRET = 'test-secret-0123456789abcdef0123456789abcdef';

/** A fresh, empty place for Obstack's data: a PGlite directory or a new Postgres database. */
export async function freshBackend(backend: Backend, extra: Record<string, string> = {}): Promise<BackendEnv> {
  const dataDir = tempDir();
  if (backend === 'pglite') {
    return {
      env: { OBSTACK_DATA_DIR: dataDir, ...extra },
      async cleanup() {
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
  }
  const db = await createTestDatabase();
  return {
    env: { OBSTACK_DATA_DIR: dataDir, DATABASE_URL: db.url, OBSTACK_SECRET: TEST_SECRET, ...extra },
    async cleanup() {
      await db.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
