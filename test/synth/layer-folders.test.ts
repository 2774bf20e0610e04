/** Layers past their folders: config errors at the key to change (rendering only, no files written). */
import { ApiObject } from 'cdk8s';
import { buildClusterApp } from '../../charts';
import { Layer } from '../../lib/synth/layers';
import { LayerFoldersConfigError, renderClusterLayers } from '../../lib/synth/render-cluster';
import { exampleConfig } from '../util';

/** The example's serving cluster with `count` extra ConfigMaps in `layer`. */
function withExtraObjects(layer: Layer, count: number, layerFolders?: Record<string, number>) {
  const config = exampleConfig() as any;
  if (layerFolders) config.clusters.serving.layerFolders = layerFolders;
  const { context } = buildClusterApp('example', config, 'serving');
  for (let i = 0; i < count; i++) {
    new ApiObject(context.layers[layer], `extra-${i}`, { apiVersion: 'v1', kind: 'Service', metadata: { name: `extra-${i}`, namespace: 'models' } });
  }
  return context;
}

function renderError(context: ReturnType<typeof withExtraObjects>): LayerFoldersConfigError {
  try {
    renderClusterLayers(context);
  } catch (error) {
    if (error instanceof LayerFoldersConfigError) return error;
    throw error;
  }
  throw new Error('no error');
}

test('a workloads layer past one folder names clusters.<name>.layerFolders.workloads and the count that fits', () => {
  const error = renderError(withExtraObjects(Layer.WORKLOADS, 600));
  expect(error.path).toEqual(['clusters', 'serving', 'layerFolders', 'workloads']);
  expect(error.message).toMatch(/^cluster 'serving': layer 'workloads' \(clusters.serving.layerFolders.workloads: 1, the default\) does not fit in one folder: workloads: \d+ objects, \d+ KiB .*Set it to 2, the smallest count that fits/);
});

test('with the count set, the same layer renders into its hash folders', () => {
  const folders = renderClusterLayers(withExtraObjects(Layer.WORKLOADS, 600, { workloads: 2 })).map((f) => f.folder);
  expect(folders).toEqual(expect.arrayContaining(['workloads-1', 'workloads']));
  expect(folders.every((f) => /^(operators|platform|workloads(-cluster|-deps|-services)?(-1)?)$/.test(f))).toBe(true);
});

test('the operators layer is never split: past one folder it is an error that says so', () => {
  const error = renderError(withExtraObjects(Layer.OPERATORS, 600));
  expect(error.path).toEqual(['clusters', 'serving', 'operators']);
  expect(error.message).toMatch(/layer 'operators' does not fit in one folder: operators: \d+ objects.*The operators layer is one folder \(its HelmReleases wait for each other with dependsOn\)/);
});
