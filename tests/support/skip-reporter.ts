import { mkdirSync, writeFileSync } from 'node:fs';
import type { Reporter, TestModule } from 'vitest/node';

/**
 * Writes every skipped test to tests/.artifacts/skipped.json and names them at the end
 * of the run. Real-service suites skip when their service URL is missing; under CI=true
 * a skip means the run did not test what it claims, so .ci/run fails on this list.
 */
export default class SkipReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>) {
    const skipped: Array<{ project: string; file: string; test: string }> = [];
    for (const mod of testModules) {
      for (const test of mod.children.allTests()) {
        if (test.result().state === 'skipped') {
          skipped.push({ project: mod.project.name, file: mod.moduleId, test: test.fullName });
        }
      }
    }
    const dir = new URL('../.artifacts/', import.meta.url);
    mkdirSync(dir, { recursive: true });
    writeFileSync(new URL('skipped.json', dir), `${JSON.stringify(skipped, null, 2)}\n`);
    if (skipped.length > 0) {
      process.stdout.write(`\n${skipped.length} test(s) skipped:\n`);
      for (const s of skipped) process.stdout.write(`  - [${s.project}] ${s.test}\n`);
    }
  }
}
