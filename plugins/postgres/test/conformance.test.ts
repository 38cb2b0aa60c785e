import { describe } from 'vitest';
import { runConformance } from '@obstack/plugin-api/testing';
import { postgresPlugin } from '../src/index';
import { hasPostgres, pgliteTarget, postgresTarget, type Target } from './support';

// Configs the store must refuse, each naming the field at fault.
const badConfigs = [
  { config: {}, field: 'url' },
  { config: { url: 'postgres://db.internal/obstack', dataDir: '/tmp/x' }, field: 'url' },
  { config: { url: 'postgres://obstack:hunter2@db.internal/obstack' }, field: 'url' },
  { config: { url: 'mysql://db.internal/obstack' }, field: 'url' },
  { config: { dataDir: '/tmp/x', schema: 'Bad-Schema' }, field: 'schema' },
  { config: { dataDir: '/tmp/x', retentionDays: 0 }, field: 'retentionDays' },
];

function conformance(make: () => Promise<Target>): void {
  let target: Target | undefined;
  runConformance({
    plugin: postgresPlugin,
    setup: async () => {
      target = await make();
    },
    config: () => ({ ...(target as Target).config }),
    secrets: () => ({ ...(target as Target).secrets }),
    badConfigs,
    teardown: () => target?.cleanup(),
    // PGlite starts in a few seconds on 2 cores; every call stays far below this.
    timeoutMs: 20_000,
  });
}

describe('on PGlite', () => {
  conformance(pgliteTarget);
});

describe.skipIf(!hasPostgres)('on PostgreSQL', () => {
  // Collection runs even for a skipped describe; only reach for the database when there is one.
  if (hasPostgres) conformance(postgresTarget);
});
