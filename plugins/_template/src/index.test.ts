import { runConformance } from '@obstack/plugin-api/testing';
import { plugin } from './index';

// The conformance kit writes a fixed dataset for two tenants and checks every answer
// the plugin gives against it: fidelity, filters, paging, isolation, abort handling.
runConformance({
  plugin,
  config: { maxRecords: 1000 },
  badConfigs: [
    { config: { maxRecords: 0 }, field: 'maxRecords' },
    { config: { maxRecords: 'many' }, field: 'maxRecords' },
  ],
});
