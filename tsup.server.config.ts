import { defineConfig } from 'tsup';

// The server and CLI (app/.server/entry.ts) as one ESM bundle in build/obstack.
// Our workspace code is bundled (it is TypeScript); everything from npm stays external.
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
  noExternal: [/^@obstack\/(db|plugin-api)(\/|$)/, /^~\//],
  external: [/^[^./~@]/, /^@(?!obstack\/)/],
});
