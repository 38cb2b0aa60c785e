import tsconfigPaths from 'vite-tsconfig-paths';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  plugins: [tsconfigPaths()],
  test: {
    // Real-service suites report what they skipped; .ci/run fails on any skip under CI=true.
    reporters: ['default', './tests/support/skip-reporter.ts'],
    projects: [
      'db',
      'packages/*',
      'plugins/*',
      {
        extends: true,
        test: {
          name: 'app',
          include: ['app/**/*.test.{ts,tsx}'],
          testTimeout: 30_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['tests/**/*.test.ts'],
          testTimeout: 120_000,
          hookTimeout: 300_000,
          // Suites start servers and real services; run files one at a time on 2 cores.
          fileParallelism: false,
        },
      },
    ],
  },
});
