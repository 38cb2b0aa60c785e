import type { PluginInstance } from '@obstack/plugin-api';
import { postgresPlugin, storeOf } from './plugin';
import type { MaintenanceOptions, MaintenanceResult, RetentionOptions, RetentionResult } from './store';

export { postgresPlugin, createInstance, type PostgresStoreInstance } from './plugin';
export { configSchema, splitDatabaseUrl, DEFAULT_SCHEMA, DEFAULT_RETENTION_DAYS, type PostgresStoreConfig } from './config';
export type { MaintenanceOptions, MaintenanceResult, RetentionOptions, RetentionResult } from './store';

/**
 * Deletes telemetry older than the data source's `retentionDays` (whole daily
 * partitions) and, for tenants listed with a shorter retention, their older rows.
 * For the host's scheduled retention job; `instance` is what this plugin's `create` returned.
 */
export function retention(instance: PluginInstance, options?: RetentionOptions): Promise<RetentionResult> {
  return storeOf(instance).retention(options);
}

/**
 * Retention plus upkeep: builds the heavier indexes of days that are over and summarises
 * BRIN ranges. Meant to run hourly; safe to run concurrently from several processes.
 */
export function maintenance(instance: PluginInstance, options?: MaintenanceOptions): Promise<MaintenanceResult> {
  return storeOf(instance).maintenance(options);
}

export default postgresPlugin;
