import type { VitePluginConfig } from '@remix-run/dev';

declare const config: VitePluginConfig & { buildDirectory: string; serverBuildFile: string };
export default config;
