import {
  PLUGIN_API_VERSION,
  type PluginDefinition,
  describeIncompatibility,
  isCompatibleApiVersion,
  validatePluginDefinition,
} from '@obstack/plugin-api';
import type { Logger } from '../log';

export interface LoadedPlugin {
  definition: PluginDefinition;
  /** `builtin` ships with Obstack; `package` came from OBSTACK_PLUGINS. */
  origin: 'builtin' | 'package';
  packageName?: string;
}

export interface PluginLoadFailure {
  packageName: string;
  message: string;
}

export class PluginRejected extends Error {}

/** The plugins this process can instantiate: the built-in ones and those named in OBSTACK_PLUGINS. */
export class PluginRegistry {
  private readonly plugins = new Map<string, LoadedPlugin>();
  readonly failures: PluginLoadFailure[] = [];

  constructor(private readonly log: Logger) {}

  /** Adds a definition after checking its shape and its plugin-API range; throws PluginRejected saying why. */
  register(definition: unknown, origin: LoadedPlugin['origin'], packageName?: string): LoadedPlugin {
    const label = packageName ?? (definition as { id?: string } | null)?.id ?? 'plugin';
    const problems = validatePluginDefinition(definition);
    if (problems.length) throw new PluginRejected(`${label} is not a valid Obstack plugin: ${problems.join('; ')}`);
    const def = definition as PluginDefinition;
    if (!isCompatibleApiVersion(def.apiVersion, PLUGIN_API_VERSION)) {
      throw new PluginRejected(describeIncompatibility(def, PLUGIN_API_VERSION) ?? `${label} is incompatible`);
    }
    const existing = this.plugins.get(def.id);
    if (existing) {
      throw new PluginRejected(
        `${label} uses the plugin id "${def.id}", already taken by ${existing.packageName ?? `the built-in ${existing.definition.name}`}`,
      );
    }
    const loaded: LoadedPlugin = { definition: def, origin, ...(packageName ? { packageName } : {}) };
    this.plugins.set(def.id, loaded);
    return loaded;
  }

  /**
   * Imports each package by name (as installed in node_modules) and registers its default
   * export. A package that fails to load or is refused is logged and recorded, and the
   * rest still load: one bad plugin must not keep Obstack from starting.
   */
  async loadPackages(names: string[], importer: (name: string) => Promise<unknown> = (n) => import(n)): Promise<void> {
    for (const name of names) {
      try {
        const mod = (await importer(name)) as Record<string, unknown>;
        const candidate = pickDefinition(mod);
        if (!candidate) throw new PluginRejected(`${name} has no plugin as its default export (export default definePlugin({...}))`);
        const loaded = this.register(candidate, 'package', name);
        this.log.info('plugin loaded', { package: name, id: loaded.definition.id, version: loaded.definition.version });
      } catch (e) {
        const message =
          e instanceof PluginRejected
            ? e.message
            : `${name} could not be loaded: ${e instanceof Error ? e.message : String(e)} (is it installed?)`;
        this.failures.push({ packageName: name, message });
        this.log.error('plugin refused', { package: name, reason: message });
      }
    }
  }

  get(id: string): LoadedPlugin | undefined {
    return this.plugins.get(id);
  }

  list(): LoadedPlugin[] {
    return [...this.plugins.values()];
  }
}

function pickDefinition(mod: Record<string, unknown>): unknown {
  const isDef = (v: unknown) => typeof v === 'object' && v !== null && typeof (v as { create?: unknown }).create === 'function';
  // ESM default, CJS `module.exports = def`, or CJS transpiled from ESM (`exports.default = def`).
  for (const v of [mod.default, (mod.default as Record<string, unknown> | undefined)?.default, mod.plugin]) {
    if (isDef(v)) return v;
  }
  return undefined;
}
