/** Renders the charts of one cluster app into files: one object per file, a kustomization per folder. */
import { ApiObject, Chart } from 'cdk8s';
import { ClusterContext, ManifestJson, RenderedFolder } from './cluster-context';
import { Layer, LAYER_ORDER } from './layers';
import { describeObject, kustomizationYaml, LayerFoldersError, manifestFileName, SERVICE_KINDS, splitIntoFolders, toYaml } from './manifest-files';
import { FolderPlacement, folderPlacementOf } from '../core/folder-placement';
import { ConfigPath } from '../config/yaml-positions';

/** A layer that does not fit in the folders its cluster config gives it, with the config key to change. */
export class LayerFoldersConfigError extends Error {
  constructor(message: string, public readonly path: ConfigPath) {
    super(message);
    this.name = 'LayerFoldersConfigError';
  }
}

/**
 * Renders every layer of a cluster, each split into `clusters.<name>.layerFolders.<layer>` folders (default 1;
 * see `splitIntoFolders`). Throws when two objects would share an identity or a file, and
 * `LayerFoldersConfigError` when a layer does not fit in its folders.
 */
export function renderClusterLayers(context: ClusterContext): RenderedFolder[] {
  const seen = new Map<string, string>();
  const folders: RenderedFolder[] = [];
  for (const layer of LAYER_ORDER) {
    const chart = context.layers[layer];
    const byFile = renderChart(chart, seen);
    if (byFile.size === 0) continue;
    const texts = new Map([...byFile].map(([file, obj]) => [file, toYaml(obj)]));
    let units: ReturnType<typeof workloadUnits> | undefined;
    const unitOf = (file: string) => (units ??= workloadUnits(chart)).unitOf.get(file);
    const placementOf = (unit: string) => (units ??= workloadUnits(chart)).placementOf.get(unit);
    const path: ConfigPath = ['clusters', context.clusterName, 'layerFolders', layer];
    let parts;
    try {
      parts = splitIntoFolders(layer, [...byFile.keys()], { folders: folderCount(context, layer), unitOf, placementOf, sizeOf: (file) => texts.get(file)!.length });
    } catch (error) {
      if (!(error instanceof LayerFoldersError)) throw error;
      if (layer === Layer.OPERATORS) {
        throw new LayerFoldersConfigError(`cluster '${context.clusterName}': ${error.message.replace(/ Set it to .*$/, ' The operators layer is one folder (its HelmReleases wait for each other with dependsOn): install fewer operators on this cluster')}`, ['clusters', context.clusterName, 'operators']);
      }
      throw new LayerFoldersConfigError(`cluster '${context.clusterName}': ${error.message.replace(/^layer '[^']*'/, `layer '${layer}' (clusters.${context.clusterName}.layerFolders.${layer}: ${folderCount(context, layer) ?? '1, the default'})`)}`, path);
    }
    for (const part of parts) {
      folders.push(renderedFolder(layer, part.folder, part.files.map((file) => byFile.get(file)!), texts));
    }
  }
  return folders;
}

/** The folder count the cluster config gives a layer (the operators layer is always one folder). */
function folderCount(context: ClusterContext, layer: Layer): number | undefined {
  return layer === Layer.OPERATORS ? undefined : context.cluster.layerFolders?.[layer];
}

/** A folder holding `manifests`: one YAML file each (from `texts` when given), named by `manifestFileName`, plus the kustomization. */
export function renderedFolder(layer: string, folder: string, manifests: readonly ManifestJson[], texts?: ReadonlyMap<string, string>): RenderedFolder {
  const byFile = new Map(manifests.map((obj) => [manifestFileName(obj), obj]));
  const names = [...byFile.keys()].sort();
  const files = new Map<string, string>(names.map((file) => [file, texts?.get(file) ?? toYaml(byFile.get(file))]));
  files.set('kustomization.yaml', kustomizationYaml(names));
  return { layer, folder, files, objectCount: names.length, manifests: names.map((file) => byFile.get(file)!) };
}

function renderChart(chart: Chart, seen: Map<string, string>): Map<string, ManifestJson> {
  const byFile = new Map<string, ManifestJson>();
  for (const obj of chart.toJson() as ManifestJson[]) {
    const file = manifestFileName(obj);
    const previous = seen.get(file.toLowerCase());
    if (previous !== undefined) {
      throw new Error(`Two objects would be written to the same file '${file}': ${previous} and ${describeObject(obj)} (layer '${chart.node.id}'). Give one of them another name.`);
    }
    seen.set(file.toLowerCase(), `${describeObject(obj)} (layer '${chart.node.id}')`);
    byFile.set(file, obj);
  }
  return byFile;
}

/**
 * The workload each object of a chart belongs to, by file name: the id of the construct directly under the chart
 * that created it (`model-iris`, `microservice-featurespace`), so a split keeps a workload with its own objects; and
 * the folder placement each such construct declared (`declareFolderPlacement`). An object created directly under the
 * chart is its own workload, a `service` when its kind is one of `SERVICE_KINDS` (its kind is part of its identity).
 */
export function workloadUnits(chart: Chart): { unitOf: Map<string, string>; placementOf: Map<string, FolderPlacement> } {
  const unitOf = new Map<string, string>();
  const placementOf = new Map<string, FolderPlacement>();
  const depth = chart.node.scopes.length;
  for (const construct of chart.node.findAll()) {
    if (!ApiObject.isApiObject(construct)) continue;
    const top = construct.node.scopes[depth];
    const file = manifestFileName({ apiVersion: construct.apiVersion, kind: construct.kind, metadata: { name: construct.name, namespace: construct.metadata.namespace } });
    unitOf.set(file, top.node.id);
    const declared = folderPlacementOf(top);
    if (declared !== undefined) placementOf.set(top.node.id, declared);
    else if (top === construct) placementOf.set(top.node.id, SERVICE_KINDS.includes(file.split('_')[1]) ? 'service' : 'workload');
  }
  return { unitOf, placementOf };
}
