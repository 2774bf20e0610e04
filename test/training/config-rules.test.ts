/** The training config: schema checks through the loader and one failure per semantic rule. */
import { CONFIG_RULES } from '../../lib/config/platform-rules';
import { PlatformConfig } from '../../lib/config/schema';
import { TRAINING_RULES } from '../../lib/training/config-rules';
import { exampleConfig, exampleConfigIssues } from '../util';

type Edit = (config: PlatformConfig) => void;

/** The training rule violations of the example config after `edit`, as "path: message". */
function violations(edit: Edit): string[] {
  const config = exampleConfig();
  edit(config);
  return TRAINING_RULES.flatMap((rule) => rule(config)).map((v) => `${v.path.join('.')}: ${v.message}`);
}

const training = (config: PlatformConfig) => config.clusters.training.training!;
const iris = (config: PlatformConfig) => training(config).jobs.iris;

describe('training config rules', () => {
  test('the example config passes every rule, and the training rules are part of CONFIG_RULES', () => {
    expect(violations(() => undefined)).toEqual([]);
    for (const rule of TRAINING_RULES) expect(CONFIG_RULES).toContain(rule);
  });

  test.each<[string, Edit, RegExp]>([
    ['unknown namespace', (c) => { training(c).namespace = 'trainng'; }, /^clusters\.training\.training\.namespace: namespace 'trainng' is not under namespaces/],
    ['unknown identity', (c) => { training(c).identity = 'nobody'; }, /^clusters\.training\.training\.identity: identity 'nobody' is not under identities; use one of: .*training-data/],
    ['unknown GPU pool', (c) => { training(c).gpuPool = 'gpu2'; }, /^clusters\.training\.training\.gpuPool: node pool 'gpu2' is not under nodePools/],
    ['GPU pool without GPUs', (c) => { training(c).gpuPool = 'system'; }, /^clusters\.training\.training\.gpuPool: node pool 'system' has no gpusPerNode/],
    ['several GPU pools and none chosen', (c) => {
      training(c).gpuPool = undefined;
      c.clusters.training.nodePools.gpu2 = { ...c.clusters.training.nodePools.gpu };
    }, /^clusters\.training\.training\.gpuPool: the cluster has several GPU pools \(gpu, gpu2\)/],
    ['no replicas', (c) => { iris(c).master = undefined; iris(c).workers = undefined; }, /^clusters\.training\.training\.jobs\.iris: a job needs a master, workers, or both/],
    ['workers without a master', (c) => { iris(c).master = undefined; }, /^clusters\.training\.training\.jobs\.iris\.workers: workers without a master/],
    ['GPU job without a GPU pool', (c) => {
      training(c).gpuPool = undefined;
      delete c.clusters.training.nodePools.gpu;
    }, /^clusters\.training\.training\.jobs\.iris: the job requests 3 GPU\(s\) but the cluster has no node pool with gpusPerNode/],
    ['more GPUs per pod than a node has', (c) => { iris(c).workers!.gpus = 2; }, /^clusters\.training\.training\.jobs\.iris\.workers\.gpus: 2 GPUs per pod exceed the 1 GPU\(s\) per node of pool 'gpu'/],
    ['more GPUs than the pool holds', (c) => { iris(c).workers!.replicas = 4; }, /^clusters\.training\.training\.jobs\.iris: the job needs 5 GPUs but pool 'gpu' holds at most 4/],
    ['more GPUs than the namespace quota', (c) => { c.clusters.training.namespaces.training.quota!['requests.nvidia.com/gpu'] = '2'; }, /^clusters\.training\.training\.jobs\.iris: the job needs 3 GPUs but namespace 'training' allows 2/],
    ['shared memory as large as the memory', (c) => { iris(c).sharedMemory = '64Gi'; }, /^clusters\.training\.training\.jobs\.iris\.sharedMemory: sharedMemory \(64Gi\) must be less than master\.memory \(64Gi\)/],
    ['elastic bounds reversed', (c) => { iris(c).elastic = { minReplicas: 3, maxReplicas: 2 }; }, /^clusters\.training\.training\.jobs\.iris\.elastic\.minReplicas: minReplicas \(3\) must be <= maxReplicas \(2\)/],
    ['workers outside the elastic bounds', (c) => { iris(c).elastic = { minReplicas: 3, maxReplicas: 4 }; }, /^clusters\.training\.training\.jobs\.iris\.workers\.replicas: workers\.replicas \(2\) must be between elastic\.minReplicas \(3\)/],
    ['a gang larger than the job', (c) => { iris(c).gangScheduling = { minAvailable: 4 }; }, /^clusters\.training\.training\.jobs\.iris\.gangScheduling\.minAvailable: minAvailable \(4\) exceeds the job's 3 pod\(s\)/],
  ])('reports %s', (_name, edit, message) => {
    const found = violations(edit);
    expect(found).toEqual(expect.arrayContaining([expect.stringMatching(message)]));
  });
});

describe('training config schema', () => {

  const issuesOf = (edit: (text: string) => string): string[] =>
    exampleConfigIssues(edit).map((i) => `${i.path.join('.')}: ${i.message}`);

  test.each<[string, string, string, RegExp]>([
    ['a bad memory quantity', 'master: { cpu: "8", memory: 64Gi, gpus: 1 }', 'master: { cpu: "8", memory: 64GB, gpus: 1 }', /jobs\.iris\.master\.memory: .*Kubernetes quantity/],
    ['an unpinned image', 'image: examplemlplatform.azurecr.io/training/iris:1.0.0', 'image: examplemlplatform.azurecr.io/training/iris', /jobs\.iris\.image: .*pinned to a tag or digest/],
    ['an unknown identity mode', 'identityMode: workload-identity', 'identityMode: pod-identity', /clusters\.training\.identityMode: /],
    ['an unknown job key', 'nprocPerNode: "1"', 'nprocsPerNode: "1"', /jobs\.iris/],
  ])('rejects %s', (_name, from, to, message) => {
    expect(issuesOf((text) => text.replace(from, to))).toEqual(expect.arrayContaining([expect.stringMatching(message)]));
  });
});
