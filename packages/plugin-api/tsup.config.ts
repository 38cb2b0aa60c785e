import { defineConfig } from 'tsup';

export default defineConfig({
  // `testing` is its own entry so importing the contract never pulls vitest in.
  entry: { index: 'src/index.ts', 'testing/index': 'src/testing/index.ts' },
  format: ['esm', 'cjs'],
  dts: { compilerOptions: { composite: false } },
  clean: true,
  sourcemap: true,
  target: 'es2022',
  tsconfig: 'tsconfig.json',
  // The kit registers tests with the plugin author's own vitest; bundling a copy would
  // give it a runner that never runs.
  external: ['vitest'],
});
