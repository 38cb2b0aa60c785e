import { type ChildProcess, spawn } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, tempDir } from './obstack';

/**
 * A real Prometheus of our own (PROMETHEUS_BIN, /usr/bin/prometheus by default): a temp
 * directory for config and TSDB, loopback only, scraping itself every second and
 * remote-writing to the given endpoints with a 1 s batch deadline.
 */

export const PROMETHEUS_BIN = process.env.PROMETHEUS_BIN ?? '/usr/bin/prometheus';

export interface RemoteWriteTarget {
  url: string;
  /** `authorization: { credentials }` (type Bearer). */
  bearer?: string;
  /** `basic_auth: { username, password }`. */
  basic?: { username: string; password: string };
  /** The queue's name: Prometheus' own remote-storage metrics carry it as `remote_name`. */
  name: string;
}

export interface RunningPrometheus {
  url: string;
  proc: ChildProcess;
  output(): string;
  /** Instant query against this Prometheus: the value of each resulting series. */
  query(expr: string): Promise<Array<{ metric: Record<string, string>; value: number }>>;
  stop(): Promise<void>;
}

function yamlString(s: string): string {
  return JSON.stringify(s); // a JSON string is a valid YAML double-quoted scalar
}

export function prometheusConfig(listen: string, targets: RemoteWriteTarget[]): string {
  const lines = [
    'global:',
    '  scrape_interval: 1s',
    '  scrape_timeout: 1s',
    '  evaluation_interval: 1s',
    'scrape_configs:',
    '  - job_name: prometheus',
    '    static_configs:',
    `      - targets: [${yamlString(listen)}]`,
    'remote_write:',
  ];
  for (const t of targets) {
    lines.push(`  - url: ${yamlString(t.url)}`, `    name: ${yamlString(t.name)}`, '    remote_timeout: 5s');
    if (t.bearer) lines.push('    authorization:', '      type: Bearer', `      credentials: ${yamlString(t.bearer)}`);
    if (t.basic) lines.push('    basic_auth:', `      username: ${yamlString(t.basic.username)}`, `      password: ${yamlString(t.basic.password)}`);
    lines.push(
      '    queue_config:',
      '      batch_send_deadline: 1s',
      '      min_backoff: 100ms',
      '      max_backoff: 1s',
      '    metadata_config:',
      '      send: true',
      '      send_interval: 1s',
    );
  }
  return `${lines.join('\n')}\n`;
}

export async function startPrometheus(targets: RemoteWriteTarget[]): Promise<RunningPrometheus> {
  const dir = tempDir('obstack-prom-');
  const port = await freePort();
  const listen = `127.0.0.1:${port}`;
  const config = join(dir, 'prometheus.yml');
  writeFileSync(config, prometheusConfig(listen, targets));
  const proc = spawn(
    PROMETHEUS_BIN,
    [`--config.file=${config}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=${listen}`, '--log.level=warn'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  proc.stdout?.on('data', (c: Buffer) => (out += c.toString()));
  proc.stderr?.on('data', (c: Buffer) => (out += c.toString()));
  const exited = new Promise<void>((ok) => proc.once('exit', () => ok()));
  const url = `http://${listen}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`prometheus exited with ${proc.exitCode}:\n${out}`);
    try {
      if ((await fetch(`${url}/-/ready`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      proc.kill('SIGKILL');
      throw new Error(`prometheus not ready within 30 s:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    proc,
    output: () => out,
    async query(expr) {
      const res = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(expr)}`);
      const body = (await res.json()) as { data?: { result?: Array<{ metric: Record<string, string>; value: [number, string] }> } };
      return (body.data?.result ?? []).map((r) => ({ metric: r.metric, value: Number(r.value[1]) }));
    },
    async stop() {
      if (proc.exitCode === null) {
        proc.kill('SIGTERM');
        const timer = setTimeout(() => proc.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(timer);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
