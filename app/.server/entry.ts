import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { main } from './cli';

// Both app/.server/entry.ts (development, via tsx) and build/obstack/entry.js (production)
// sit two levels below the project root.
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

void main(process.argv.slice(2), root).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
