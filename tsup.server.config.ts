import { defineConfig } from 'tsup';

// The server and CLI (app/.server/entry.ts) as one ESM bundle in build/obstack.
// The app and @obstack/db (private TypeScript) are bundled; everything else, including our
// published packages (loaded from their dist, see vite.config.ts), stays external.
export default defineConfig({
  entry: { entry: 'app/.server/entry.ts' },
  outDir: 'build/obstack',
  format: ['esm'],
  platform: 'node',
  target: 'node20',
  clean: true,
  sourcemap: true,
  splitting: false,
  tsconfig: 'tsconfig.json',
  noExternal: [/^@obstack\/db(\/|$)/, /^~\//],
  external: [/^[^./~@]/, /^@(?!obstack\/db)/],
});
