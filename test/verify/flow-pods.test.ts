/** Pods the network-flows rule sees in the example: labels operators add at the pinned versions. */
import { clusterPods } from '../../lib/verify/flow-pods';
import { exampleFlowCluster } from './flow-cluster';

const byDescription = (clusterName: string) => new Map(clusterPods(exampleFlowCluster(clusterName)).pods.map((p) => [p.description, p]));

test('KServe predictor pods carry the labels KServe v0.16.0 sets (Standard mode adds app: isvc.<name>-predictor)', () => {
  const pod = byDescription('serving').get('InferenceService models/iris predictor')!;
  expect(pod.labels).toMatchObject({ 'serving.kserve.io/inferenceservice': 'iris', 'component': 'predictor', 'app': 'isvc.iris-predictor' });
  expect(pod.ports.map((p) => p.port)).toContain(8080);
});

test('Spark drivers and executors carry spark-role and the operator labels', () => {
  const pods = byDescription('data-processing');
  expect(pods.get('SparkApplication spark/gpa-matching driver')!.labels).toMatchObject({ 'spark-role': 'driver', 'sparkoperator.k8s.io/app-name': 'gpa-matching', 'sparkoperator.k8s.io/launched-by-spark-operator': 'true' });
  expect(pods.get('ScheduledSparkApplication spark/feature-space executor')!.labels).toMatchObject({ 'spark-role': 'executor' });
});

test('Envoy proxies run in the Gateway namespace (GatewayNamespace mode) with Envoy Gateway v1.5.0 labels and shifted ports', () => {
  const pod = byDescription('serving').get('Gateway gateway/ml-gateway (Envoy proxies)')!;
  expect(pod.namespace).toBe('gateway');
  expect(pod.labels).toMatchObject({ 'app.kubernetes.io/name': 'envoy', 'gateway.envoyproxy.io/owning-gateway-name': 'ml-gateway' });
  expect(pod.ports.map((p) => p.port).sort()).toEqual([10080, 10443]);
});

test('chart pods of the pinned HelmReleases, hostNetwork HDFS and every chart known', () => {
  const { pods, unknownCharts } = clusterPods(exampleFlowCluster('serving'));
  expect(unknownCharts).toEqual([]);
  expect(pods.find((p) => p.description === 'HelmRelease cert-manager/cert-manager webhook')!.ports[0].port).toBe(10250);
  const data = clusterPods(exampleFlowCluster('data-processing')).pods;
  expect(data.find((p) => p.description === 'DaemonSet hdfs/hdfs-datanode')!.hostNetwork).toBe(true);
});
