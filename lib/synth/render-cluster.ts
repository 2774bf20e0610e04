/** Renders the charts of one cluster app into files: one object per file, a kustomization per folder. */
import { Chart } from 'cdk8s';
import { ClusterContext, LAYER_ORDER, RenderedFolder } from '../../charts';
import { describeObject, kustomizationYaml, manifestFileName, ManifestIdentity, splitIntoFolders, toYaml } from './manifest-files';

/** Renders every layer of a cluster. Throws when two objects would share an identity or a file. */
export function renderClusterLayers(context: ClusterContext): RenderedFolder[] {
  const seen = new Map<string, string>();
  const folders: RenderedFolder[] = [];
  for (const layer of LAYER_ORDER) {
    const chart = context.layers[layer];
    const byFile = renderChart(chart, seen);
    if (byFile.size === 0) continue;
    for (const part of splitIntoFolders(layer, [...byFile.keys()])) {
      const files = new Map<string, string>(part.files.map((file) => [file, byFile.get(file)!]));
      files.set('kustomization.yaml', kustomizationYaml(part.files));
      folders.push({ layer, folder: part.folder, files, objectCount: part.files.length });
    }
  }
  return folders;
}

function renderChart(chart: Chart, seen: Map<string, string>): Map<string, string> {
  const byFile = new Map<string, string>();
  for (const obj of chart.toJson() as ManifestIdentity[]) {
    const file = manifestFileName(obj);
    const previous = seen.get(file.toLowerCase());
    if (previous !== undefined) {
      throw new Error(`Two objects would be written to the same file '${file}': ${previous} and ${describeObject(obj)} (layer '${chart.node.id}'). Give one of them another name.`);
    }
    seen.set(file.toLowerCase(), `${describeObject(obj)} (layer '${chart.node.id}')`);
    byFile.set(file, toYaml(obj));
  }
  return byFile;
}
