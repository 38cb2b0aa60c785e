import { readFileSync } from 'node:fs';
import { vitePlugin as remix } from '@remix-run/dev';
import tailwindcss from '@tailwindcss/vite';
import { defineConfig } from 'vite';
import remixConfig from './remix.config.js';

// Our published packages (plugin-api, plugins, SDKs) are loaded at run time from their
// built dist through node_modules, like any dependency, so that their own dependencies
// resolve from their own node_modules. Only @obstack/db (private, TypeScript source) and
// the app itself are bundled.
const pkg = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as {
  dependencies: Record<string, string>;
};
const published = Object.keys(pkg.dependencies).filter((d) => d.startsWith('@obstack/') && d !== '@obstack/db');

export default defineConfig({
  plugins: [tailwindcss(), remix(remixConfig)],
  resolve: { alias: { '~': new URL('./app', import.meta.url).pathname } },
  ssr: { external: published },
  build: { target: 'es2022', sourcemap: false },
  server: { hmr: { port: Number(process.env.OBSTACK_HMR_PORT ?? 24678) } },
});
