import { isJsonObject, JsonObject, JsonValue } from './json';

/** The chart a HelmRelease installs: name and version. */
export interface ReleaseChart {
  readonly chart: string;
  readonly version: string;
}

/** An object as the chart lookup sees it. */
interface Obj {
  readonly apiVersion?: unknown;
  readonly kind?: unknown;
  readonly metadata?: { readonly name?: unknown; readonly namespace?: unknown };
  readonly spec?: unknown;
}

/**
 * The chart and version of a HelmRelease: `spec.chart.spec` (chart, version), or the OCIRepository that
 * `spec.chartRef` names (its URL's last segment and `ref.tag`; Flux helm-controller v1 chartRef semantics),
 * looked up among `sources` (same namespace unless the ref names one). Undefined if it cannot be told.
 */
export function releaseChart(release: Obj, sources: readonly Obj[]): ReleaseChart | undefined {
  const spec = isJsonObject(release.spec) ? release.spec : {};
  const namespace = String(release.metadata?.namespace ?? '');
  if (isJsonObject(spec.chart) && isJsonObject(spec.chart.spec)) {
    const chartSpec = spec.chart.spec;
    if (typeof chartSpec.chart === 'string' && typeof chartSpec.version === 'string') return { chart: chartSpec.chart, version: chartSpec.version };
    return undefined;
  }
  if (isJsonObject(spec.chartRef) && spec.chartRef.kind === 'OCIRepository') {
    const ref = spec.chartRef;
    const refNamespace = typeof ref.namespace === 'string' ? ref.namespace : namespace;
    const repo = sources.find((s) => s.kind === 'OCIRepository' && s.metadata?.name === ref.name && String(s.metadata?.namespace ?? '') === refNamespace);
    const repoSpec = repo && isJsonObject(repo.spec) ? repo.spec : undefined;
    if (!repoSpec || typeof repoSpec.url !== 'string' || !isJsonObject(repoSpec.ref) || typeof repoSpec.ref.tag !== 'string') return undefined;
    return { chart: repoSpec.url.replace(/\/+$/, '').split('/').pop() as string, version: repoSpec.ref.tag };
  }
  return undefined;
}

/**
 * Helm's merge of user values over chart defaults (helm `chartutil.CoalesceValues`): maps merge key by key,
 * anything else replaces the default, and a `null` user value deletes the key.
 */
export function mergeValues(defaults: JsonValue | undefined, values: JsonValue | undefined): JsonValue | undefined {
  if (values === undefined) return defaults;
  if (!isJsonObject(defaults) || !isJsonObject(values)) return values;
  const out: JsonObject = { ...defaults };
  for (const [key, value] of Object.entries(values)) {
    if (value === null) {
      delete out[key];
    } else {
      out[key] = mergeValues(defaults[key], value) as JsonValue;
    }
  }
  return out;
}
