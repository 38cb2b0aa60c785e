import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { PluginDefinition } from '@obstack/plugin-api';
import { runConformanceChecks } from '@obstack/plugin-api/testing';
import { expect, it } from 'vitest';

/**
 * The README promises that its complete plugin passes the conformance kit as it is.
 * Keep that true: run the example straight out of the README.
 */
it('the complete plugin in the plugin-api README passes the conformance kit', async () => {
  const readme = readFileSync(new URL('../../packages/plugin-api/README.md', import.meta.url), 'utf8');
  const section = readme.slice(readme.indexOf('## A complete plugin'));
  const code = /```ts\n([\s\S]*?)```/.exec(section)?.[1];
  expect(code, 'a ts block under "A complete plugin"').toBeDefined();

  const api = fileURLToPath(new URL('../../packages/plugin-api/src/index.ts', import.meta.url));
  const dir = new URL('../.artifacts/readme-example/', import.meta.url);
  mkdirSync(dir, { recursive: true });
  const file = new URL('plugin.ts', dir);
  writeFileSync(file, (code as string).replaceAll("from '@obstack/plugin-api'", `from ${JSON.stringify(api)}`));

  const { plugin } = (await import(/* @vite-ignore */ fileURLToPath(file))) as { plugin: PluginDefinition };
  const results = await runConformanceChecks({ plugin, config: { maxRecords: 1000 }, badConfigs: [{ config: { maxRecords: 0 }, field: 'maxRecords' }] });
  expect(results.filter((r) => !r.ok).map((r) => `${r.group} > ${r.name}: ${String(r.error)}`)).toEqual([]);
  expect(results.filter((r) => r.group === 'logs').length).toBeGreaterThan(20);
});
