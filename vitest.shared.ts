import tsconfigPaths from 'vite-tsconfig-paths';
import { defineProject, type UserWorkspaceConfig } from 'vitest/config';

/**
 * One vitest project per package; each package's vitest.config.ts calls this so they
 * resolve workspace imports to sources the same way (tsconfig paths).
 */
export function packageProject(name: string, test: UserWorkspaceConfig['test'] = {}) {
  return defineProject({
    plugins: [tsconfigPaths({ root: new URL('.', import.meta.url).pathname })],
    test: {
      name,
      include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
      testTimeout: 30_000,
      hookTimeout: 120_000,
      ...test,
    },
  });
}
