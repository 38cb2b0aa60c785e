import { packageProject } from '../../vitest.shared';

// Real-Postgres suites create databases and load thousands of rows on a 2-core machine.
export default packageProject('plugin-postgres', { hookTimeout: 300_000, testTimeout: 120_000 });
