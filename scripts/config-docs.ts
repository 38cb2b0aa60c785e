// Regenerates the configuration table in README.md from CONFIG_VARS (app/.server/config.ts),
// so the documentation can't drift from what the server parses. `--check` only verifies.
import { readFileSync, writeFileSync } from 'node:fs';
import { CONFIG_VARS } from '../app/.server/config';

const START = '<!-- config-table:start -->';
const END = '<!-- config-table:end -->';

export function configTable(): string {
  const rows = CONFIG_VARS.map(
    (v) => `| \`${v.name}\` | ${v.default !== undefined ? `\`${v.default}\`` : '—'} | ${v.description.replace(/\|/g, '\\|')} |`,
  );
  return ['| Variable | Default | Meaning |', '|---|---|---|', ...rows].join('\n');
}

export function withTable(readme: string): string {
  const a = readme.indexOf(START);
  const b = readme.indexOf(END);
  if (a < 0 || b < a) throw new Error(`README.md lacks the ${START} ... ${END} markers`);
  return `${readme.slice(0, a + START.length)}\n${configTable()}\n${readme.slice(b)}`;
}

if (process.argv[1]?.endsWith('config-docs.ts')) {
  const path = new URL('../README.md', import.meta.url);
  const readme = readFileSync(path, 'utf8');
  const next = withTable(readme);
  if (process.argv.includes('--check')) {
    if (next !== readme) {
      console.error('README.md configuration table is out of date: run pnpm docs:config');
      process.exit(1);
    }
  } else {
    writeFileSync(path, next);
  }
}
