/**
 * @obstack/plugin-api/testing: the conformance kit. Needs vitest (a peer dependency of
 * this entry only).
 */
export { runConformance, runConformanceChecks, createConformanceSuite, type ConformanceSuite, type CheckResult } from './suite';
export type { ConformanceOptions, BadConfig, ConformanceCheck, ConformanceState, TenantData, WriteRecord } from './state';
export {
  conformanceDataset,
  datasetBatches,
  histogramQuantile,
  valueQuantile,
  hexId,
  METRIC_SHAPE,
  type ConformanceDataset,
  type ConformanceDatasetOptions,
} from './dataset';
export {
  createTestContext,
  createTestCreateContext,
  createAbortedContext,
  createMemoryLogger,
  type TestContextOptions,
  type MemoryLogger,
  type LogEntry,
} from './context';
