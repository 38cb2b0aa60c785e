import { runConformance } from '@obstack/plugin-api/testing';
// Imported from source: the integration project runs before anything is built.
import { plugin } from './inmemory-plugin/src/index';

// The reference third-party plugin must pass every check the kit has: all five signals
// read and written, every optional method, a secret and a config rule only create() knows.
runConformance({
  plugin,
  config: { maxItemsPerTenant: 10_000 },
  secrets: { accessKey: 'conformance-key' },
  badConfigs: [
    { config: { maxItemsPerTenant: 0 }, secrets: { accessKey: 'conformance-key' }, field: 'maxItemsPerTenant' },
    { config: {}, field: 'accessKey' },
    { config: {}, secrets: { accessKey: 'short' }, field: 'accessKey' },
    { config: { dropAttributes: ['user.email', 'not a key!'] }, secrets: { accessKey: 'conformance-key' }, field: 'dropAttributes' },
  ],
});
