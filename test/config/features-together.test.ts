/**
 * Issue 13, item 4: features that work together. The Spark UI opened to a namespace is opened on both sides,
 * declared calls between microservices get the egress and ingress rules both ends need, and a client-mode
 * driver template carries the label the headless driver Service selects.
 */
import { exampleConfig, findManifest, Manifest, synthCluster } from '../util';

describe('uiAccessFrom opens both sides', () => {
  const config = exampleConfig();
  config.clusters['data-processing'].dataProcessing!.spark.namespaces.spark = { uiAccessFrom: { namespaces: ['airflow'] } };
  const manifests = synthCluster('data-processing', config);

  test('the drivers admit the caller namespace on 4040', () => {
    const ingress = findManifest(manifests, 'NetworkPolicy', 'spark-allow-ui', 'spark');
    expect(ingress.spec.ingress[0].from).toEqual([{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'airflow' } } }]);
  });

  test('the caller namespace may open connections to the drivers on 4040', () => {
    const egress = findManifest(manifests, 'NetworkPolicy', 'spark-ui-spark', 'airflow');
    expect(egress.spec).toEqual({
      podSelector: { matchLabels: {} },
      policyTypes: ['Egress'],
      egress: [{
        to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'spark' } }, podSelector: { matchLabels: { 'spark-role': 'driver' } } }],
        ports: [{ protocol: 'TCP', port: 4040 }],
      }],
    });
  });
});

describe('declared calls between microservices', () => {
  const config = exampleConfig();
  const services = config.clusters.serving.serving!.microservices!;
  services.rankingrec.calls = ['featurespace'];
  services.featurespace.namespace = 'models'; // across namespaces: both ends need a rule
  const manifests = synthCluster('serving', config);
  const pods = (name: string) => findManifest(manifests, 'Deployment', name).spec.selector.matchLabels;

  test('the caller gets egress to the callee pods on the callee container port', () => {
    const egress = findManifest(manifests, 'NetworkPolicy', 'rankingrec-calls-featurespace', 'microservices');
    expect(egress.spec.podSelector).toEqual({ matchLabels: pods('rankingrec') });
    expect(egress.spec.egress).toEqual([{
      to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'models' } }, podSelector: { matchLabels: pods('featurespace') } }],
      ports: [{ protocol: 'TCP', port: 5000 }],
    }]);
  });

  test('the callee admits the caller pods only', () => {
    const ingress = findManifest(manifests, 'NetworkPolicy', 'featurespace-from-rankingrec', 'models');
    expect(ingress.spec.podSelector).toEqual({ matchLabels: pods('featurespace') });
    expect(ingress.spec.ingress).toEqual([{
      from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'microservices' } }, podSelector: { matchLabels: pods('rankingrec') } }],
      ports: [{ protocol: 'TCP', port: 5000 }],
    }]);
  });

  test('without calls, no such rules', () => {
    expect(synthCluster('serving').filter((m: Manifest) => m.kind === 'NetworkPolicy' && (/-calls-/.test(m.metadata.name) || m.metadata.name === 'featurespace-from-rankingrec'))).toEqual([]);
  });
});

test('a client-mode driver template carries the label the driver Service selects', () => {
  const manifests = synthCluster('data-processing');
  const service = findManifest(manifests, 'Service', 'spark-client-driver', 'spark');
  const templates = findManifest(manifests, 'ConfigMap', 'spark-pod-templates', 'spark');
  expect(service.spec.selector['platform.ml/spark-client-driver']).toBe('spark-client-driver');
  const clientDriver = templates.data['client-driver.yaml'] as string;
  for (const [key, value] of Object.entries(service.spec.selector as Record<string, string>)) expect(clientDriver).toContain(`${key}: ${value}`);
  expect(templates.data['driver.yaml']).not.toContain('platform.ml/spark-client-driver');
});
