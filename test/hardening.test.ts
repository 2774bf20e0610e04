/**
 * Issue 14, item 6: hardening checked on the whole output of the example config.
 * - Every container the platform defines runs with `readOnlyRootFilesystem: true`, except the documented
 *   exceptions below; what must be written is an emptyDir.
 * - The operators' `allow-operator-traffic` policies admit only the ports listed (with their upstream source) in
 *   lib/gitops/operators.ts: the webhook ports the API server calls, and Envoy Gateway's xDS port.
 */
import * as yaml from 'js-yaml';
import { PLATFORM_COMPOSITIONS } from '../charts';
import { Operator, OPERATORS } from '../lib/gitops/operators';
import { renderEnvironments } from '../lib/synth/synthesize';
import { exampleEnvironment } from './util';

/** Objects whose pods are not ours to harden, and why. */
const EXCEPTIONS: readonly { readonly kind: string; readonly why: string }[] = [
  { kind: 'HelmRelease', why: 'values of upstream charts (operators, Airflow): their pods and security contexts are the charts\' own; where a chart value sets readOnlyRootFilesystem: false it is because that component writes to its root file system (the Spark operator runs spark-submit, Airflow writes under AIRFLOW_HOME)' },
];

interface Found { readonly where: string; readonly container: { name?: string; securityContext?: { readOnlyRootFilesystem?: boolean }; volumeMounts?: { mountPath: string }[] } }

/** Every container of every pod spec in `value` (pod templates inside ConfigMaps included), with where it is. */
function containersIn(value: unknown, where: string, out: Found[]): void {
  if (Array.isArray(value)) {
    value.forEach((item, i) => containersIn(item, `${where}[${i}]`, out));
    return;
  }
  if (typeof value === 'string' && /^apiVersion: v1\nkind: Pod\n/m.test(value)) {
    containersIn(yaml.load(value), `${where}(pod template)`, out);
    return;
  }
  if (value === null || typeof value !== 'object') return;
  for (const [key, child] of Object.entries(value)) {
    if ((key === 'containers' || key === 'initContainers') && Array.isArray(child)) {
      for (const container of child) out.push({ where: `${where}.${key}`, container });
    } else if (key === 'model' && typeof child === 'object' && child !== null && 'modelFormat' in child) {
      out.push({ where: `${where}.model`, container: child as Found['container'] });
    }
    containersIn(child, `${where}.${key}`, out);
  }
}

const { tree } = renderEnvironments([exampleEnvironment()], PLATFORM_COMPOSITIONS);
const objects = [...tree.entries()].filter(([file]) => file.endsWith('.yaml') && !file.endsWith('kustomization.yaml'))
  .flatMap(([file, text]) => (yaml.loadAll(text) as { kind?: string; metadata?: { name?: string; namespace?: string }; [key: string]: unknown }[])
    .filter((obj) => obj && typeof obj === 'object').map((obj) => ({ file, obj })));

test('every container the platform defines has a read-only root file system (documented exceptions aside)', () => {
  const found: Found[] = [];
  for (const { file, obj } of objects) {
    if (EXCEPTIONS.some((e) => e.kind === obj.kind)) continue;
    containersIn(obj, file, found);
  }
  expect(found.length).toBeGreaterThan(15);
  const writable = found.filter(({ container }) => container.securityContext?.readOnlyRootFilesystem !== true).map(({ where, container }) => `${where} ${container.name ?? ''}`);
  expect(writable).toEqual([]);
});

test.each([
  ['PyTorch replicas', 'training_pytorchjob.kubeflow.org_iris.yaml', ['/tmp', '/dev/shm']],
  ['Spark drivers and executors', 'spark_sparkapplication_gpa-matching.yaml', ['/tmp', '/opt/spark/work-dir']],
  ['KServe model containers', 'models_inferenceservice.serving.kserve.io_wine-quality.yaml', ['/tmp']],
  ['microservices', 'microservices_deployment_featurespace.yaml', ['/tmp']],
])('%s write only to emptyDir mounts', (_what, name, paths) => {
  const entry = objects.find(({ file }) => file.endsWith(`/${name}`));
  expect(entry).toBeDefined();
  const found: Found[] = [];
  containersIn(entry!.obj, name, found);
  expect(found.length).toBeGreaterThan(0);
  for (const { container } of found) {
    expect(container.securityContext?.readOnlyRootFilesystem).toBe(true);
    expect((container.volumeMounts ?? []).map((m) => m.mountPath)).toEqual(expect.arrayContaining(paths));
  }
});

test('operator namespaces admit only the listed ports, never all ingress', () => {
  // allow-operator-traffic opens the listed ports that no narrower policy admits; webhook servers get
  // allow-webhook-<name> on their own pods and Envoy Gateway's xDS port xds-from-<gateway namespace> (network-flows).
  const policies = objects.filter(({ obj }) => obj.kind === 'NetworkPolicy' && obj.metadata?.name === 'allow-operator-traffic');
  expect(policies.length).toBeGreaterThanOrEqual(4);
  for (const { obj } of policies) {
    const namespace = obj.metadata?.namespace;
    const operator = (Object.keys(OPERATORS) as Operator[]).find((op) => OPERATORS[op].namespace === namespace);
    expect(operator).toBeDefined();
    const inNamespace = objects.filter(({ obj: o }) => o.kind === 'NetworkPolicy' && o.metadata?.namespace === namespace);
    const admitted = inNamespace.flatMap(({ obj: o }) => ((o.spec as { ingress?: { ports?: { port: number; protocol: string }[] }[] }).ingress ?? []).flatMap((rule) => {
      expect(rule.ports?.length).toBeGreaterThan(0); // a rule without ports admits every port
      return rule.ports!.map((p) => `${p.protocol}/${p.port}`);
    }));
    expect([namespace, [...new Set(admitted)].sort()]).toEqual([namespace, [...OPERATORS[operator!].ingressPorts].map((p) => `TCP/${p.port}`).sort()]);
  }
});

test('the exceptions are documented', () => {
  for (const exception of EXCEPTIONS) expect(exception.why.length).toBeGreaterThan(40);
});
