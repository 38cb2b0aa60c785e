#!/usr/bin/env -S node --max-semi-space-size=32
// A larger young generation: ingest allocates a batch's objects and drops them at once,
// and with the default size the collector ran for about a seventh of the CPU.
// The `obstack` command. The server and CLI are bundled into build/obstack by `pnpm build`.
import { existsSync } from 'node:fs';

const entry = new URL('../build/obstack/entry.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write('Obstack is not built yet: run `pnpm build` (or `pnpm start`, which builds when needed).\n');
  process.exit(1);
}
await import(entry.href);
