/**
 * Expands the platform-level `models` into the sections the compositions read: each served model becomes an
 * entry of its serving cluster's `serving.models` (with `storageUri` and `format` from the declaration), and the
 * producing training job gets the output location in its environment. Nothing is overwritten: an entry or
 * variable the user already wrote stays, and `config-rules.ts` reports the conflict. Problems found in expanded
 * entries are reported at the declaration's lines through `originOf`.
 */
import { ConfigPath } from '../config/yaml-positions';
import { PlatformConfig } from '../config/schema';
import { ModelConfig } from '../serving/config';
import { DEFAULT_OUTPUT_ENV, servingStorageUri, SharedModelConfig, trainingOutputUrl } from './config';

/** A config with its shared models expanded, and the way back from an expanded path to what the user wrote. */
export interface ExpandedConfig {
  readonly config: PlatformConfig;
  /** The config path the user wrote for `path` (unchanged for paths outside expanded entries). */
  originOf(path: ConfigPath): ConfigPath;
}

/** The `serving.models` entry a platform-level model expands to. */
export function servedEntryOf(model: SharedModelConfig): ModelConfig | undefined {
  if (!model.serving) return undefined;
  const { cluster: _cluster, ...properties } = model.serving;
  return { ...properties, format: model.format, storageUri: servingStorageUri(model.artifacts) };
}

/** JSON with sorted keys, to compare config values whatever their key order. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (v && typeof v === 'object' && !Array.isArray(v)
    ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
    : v));
}

/**
 * True when `entry` (a `serving.models` value) is exactly what `model` expands to: the expansion made it (also
 * after a deep copy of the expanded config), so it is no second declaration.
 */
export function isExpandedModel(entry: ModelConfig, model: SharedModelConfig): boolean {
  const expected = servedEntryOf(model);
  return expected !== undefined && canonical(entry) === canonical(expected);
}

/** Output environment variable of a model's training job. */
export function outputEnvOf(model: SharedModelConfig): string {
  return model.training?.outputEnv ?? DEFAULT_OUTPUT_ENV;
}

/** Expands `config.models`; returns the config itself when it declares none. */
export function expandSharedModels(config: PlatformConfig): ExpandedConfig {
  const models = config.models ?? {};
  if (Object.keys(models).length === 0) return { config, originOf: (path) => path };
  const expanded = structuredClone(config);
  const origins: { readonly from: ConfigPath; readonly to: ConfigPath; readonly fields?: Readonly<Record<string, ConfigPath>> }[] = [];
  for (const name of Object.keys(models).sort()) {
    const model = models[name];
    const account = expanded.azure.storageAccounts[model.artifacts.storageAccount];
    const served = model.serving;
    const serving = served && expanded.clusters[served.cluster]?.serving;
    if (served && serving && serving.models?.[name] === undefined) {
      serving.models = { ...serving.models, [name]: servedEntryOf(model)! };
      origins.push({
        from: ['clusters', served.cluster, 'serving', 'models', name],
        to: ['models', name, 'serving'],
        fields: { storageUri: ['models', name, 'artifacts'], format: ['models', name, 'format'] },
      });
    }
    const producer = model.training;
    const job = producer && expanded.clusters[producer.cluster]?.training?.jobs[producer.job];
    if (producer && job && account) {
      const variable = outputEnvOf(model);
      if (job.env?.[variable] === undefined) {
        job.env = { ...job.env, [variable]: trainingOutputUrl(model.artifacts, account.hierarchicalNamespace ?? false) };
        origins.push({ from: ['clusters', producer.cluster, 'training', 'jobs', producer.job, 'env', variable], to: ['models', name, 'training'] });
      }
    }
  }
  const originOf = (path: ConfigPath): ConfigPath => {
    for (const origin of origins) {
      if (origin.from.every((key, i) => path[i] === key)) {
        const rest = path.slice(origin.from.length);
        const field = rest.length > 0 ? origin.fields?.[String(rest[0])] : undefined;
        return field ?? [...origin.to, ...rest];
      }
    }
    return path;
  };
  return { config: expanded, originOf };
}
