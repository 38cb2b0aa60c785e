#!/usr/bin/env node
// Copies plugins/_template to plugins/<name> as a new plugin package: @obstack/plugin-<name>,
// plugin id <name>, publishable (the template itself is private so it never ships).
import { cpSync, existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const template = join(root, 'plugins', '_template');
// The same rule definePlugin applies to plugin ids: the name becomes the id.
const NAME = /^[a-z][a-z0-9-]{1,62}$/;

function fail(message) {
  console.error(`create-plugin: ${message}`);
  process.exit(1);
}

const name = process.argv[2];
if (name === undefined || name === '--help' || name === '-h') {
  console.log('Usage: pnpm create-plugin <name>\n\nCopies plugins/_template to plugins/<name> as @obstack/plugin-<name>.');
  process.exit(name === undefined ? 1 : 0);
}
if (!NAME.test(name)) fail(`"${name}" is not a plugin name: use 2-63 lowercase letters, digits and dashes, starting with a letter.`);
if (name === 'template') fail('"template" is the template itself.');
const target = join(root, 'plugins', name);
if (existsSync(target)) fail(`plugins/${name} already exists.`);

const pascal = name.replace(/(^|-)([a-z0-9])/g, (_, _dash, c) => c.toUpperCase());
const title = name.split('-').map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join(' ');

// Built output and installed modules belong to the template's own checkout, not the copy.
const skipped = new Set(['node_modules', 'dist', '.turbo']);
cpSync(template, target, { recursive: true, filter: (src) => !skipped.has(src.split(/[\\/]/).pop()) });

const replacements = [
  ['@obstack/plugin-template', `@obstack/plugin-${name}`],
  ["packageProject('plugin-template')", `packageProject('plugin-${name}')`],
  ['--project plugin-template', `--project plugin-${name}`],
  ["id: 'template'", `id: '${name}'`],
  ["name: 'Template (in-memory logs)'", `name: '${title}'`],
  ['TemplateConfig', `${pascal}Config`],
];

function walk(dir) {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}

for (const file of walk(target)) {
  if (!/\.(ts|mjs|json|md)$/.test(file)) continue;
  let text = readFileSync(file, 'utf8');
  for (const [from, to] of replacements) text = text.split(from).join(to);
  if (file.endsWith('README.md')) {
    // The template's README explains how to copy it; the copy starts its own story.
    text = text.replace(/^# .*\n[\s\S]*?\n## Layout/m, `# @obstack/plugin-${name}\n\nAn Obstack plugin for ${title}.\n\n## Layout`);
  }
  writeFileSync(file, text);
}

const pkgPath = join(target, 'package.json');
const pkg = JSON.parse(readFileSync(pkgPath, 'utf8'));
delete pkg.private;
pkg.description = `Obstack plugin for ${title}.`;
pkg.repository = { type: 'git', url: 'git+https://github.com/obstack/obstack.git', directory: `plugins/${name}` };
pkg.publishConfig = { access: 'public' };
writeFileSync(pkgPath, `${JSON.stringify(pkg, null, 2)}\n`);

const where = relative(process.cwd(), target) || '.';
console.log(`Created ${where} (@obstack/plugin-${name}, plugin id "${name}").

Next:
  pnpm install
  pnpm exec vitest run --project plugin-${name}     # the conformance kit, green from the start
  edit ${where}/src/index.ts: capabilities, configSchema, and your backend instead of the in-memory store
  pnpm --filter @obstack/plugin-${name} build && pnpm --filter @obstack/plugin-${name} lint:package
  pnpm changeset                                      # describe the new plugin for the release

The contract: packages/plugin-api/README.md`);
