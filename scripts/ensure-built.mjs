// `pnpm start` on a fresh clone: build once if there is no build yet, so the quick
// start is install + start. Later source changes need an explicit `pnpm build`.
import { execSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const needed = ['build/obstack/entry.js', 'build/server/index.js', 'build/client'];
if (!needed.every((p) => existsSync(new URL(`../${p}`, import.meta.url)))) {
  process.stderr.write('No build found: running `pnpm build` once (about a minute)...\n');
  // Run the same pnpm that runs us (it may have come through npx, not the PATH).
  const pm = process.env.npm_execpath;
  const cmd = pm && pm.endsWith('.cjs') ? `"${process.execPath}" "${pm}" build` : 'pnpm build';
  execSync(cmd, { stdio: 'inherit', cwd: new URL('..', import.meta.url) });
}
