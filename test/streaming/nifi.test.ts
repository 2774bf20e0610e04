import { Testing } from 'cdk8s';
import { NodePoolMode } from '../../lib/core/node-pool';
import { Nifi, NifiProps } from '../../lib/streaming/nifi';
import { findManifest, Manifest } from '../util';

const required: NifiProps = {
  name: 'nifi',
  namespace: 'nifi',
  image: 'apache/nifi:2.11.0',
  nodePool: { name: 'spark', mode: NodePoolMode.USER, minCount: 3 },
  storageClassName: 'managed-csi-premium',
  repositorySizes: { conf: '1Gi', content_repository: '50Gi', database_repository: '5Gi', flowfile_repository: '5Gi', provenance_repository: '50Gi', state: '1Gi' },
  credentialsSecretName: 'nifi-credentials',
  proxyHosts: ['nifi.nifi.svc.cluster.local:8443'],
  httpEndpoint: { port: 9192, path: '/model_serving' },
  resources: { request: { cpu: '1', memory: '4Gi' }, limit: { cpu: '2', memory: '4Gi' } },
  podLabels: { 'platform.ml/kafka-client': 'nifi' },
};

function synth(props: NifiProps = required): Manifest[] {
  const chart = Testing.chart();
  new Nifi(chart, 'nifi', props);
  return Testing.synth(chart) as Manifest[];
}

describe('Nifi', () => {
  test('defaults', () => {
    expect(synth()).toMatchSnapshot();
  });

  test('a StatefulSet of the official image: persistent repositories, conf seeded, restricted, credentials by reference', () => {
    const manifests = synth();
    const sts = findManifest(manifests, 'StatefulSet', 'nifi', 'nifi');
    expect(sts.spec.volumeClaimTemplates.map((c: { metadata: { name: string } }) => c.metadata.name))
      .toEqual(['conf', 'content-repository', 'database-repository', 'flowfile-repository', 'provenance-repository', 'state', 'nar-repository', 'assets', 'connector-assets']);
    const pod = sts.spec.template.spec;
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000, fsGroup: 1000, seccompProfile: { type: 'RuntimeDefault' } });
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(pod.initContainers[0].command).toEqual(['sh', '-c', 'cp -rn /opt/nifi/nifi-current/conf/. /seed/conf/']);
    const nifi = pod.containers[0];
    expect(nifi.image).toBe('apache/nifi:2.11.0');
    expect(nifi.env).toContainEqual({ name: 'SINGLE_USER_CREDENTIALS_PASSWORD', valueFrom: { secretKeyRef: { name: 'nifi-credentials', key: 'password' } } });
    expect(nifi.env).toContainEqual({ name: 'NIFI_SENSITIVE_PROPS_KEY', valueFrom: { secretKeyRef: { name: 'nifi-credentials', key: 'sensitive-props-key' } } });
    expect(nifi.env).toContainEqual({ name: 'NIFI_JVM_HEAP_MAX', value: '2048m' });
    expect(nifi.env.filter((e: { value?: string }) => e.value !== undefined && /password|secret/i.test(e.value))).toEqual([]);
    expect(nifi.volumeMounts).toContainEqual({ name: 'flowfile-repository', mountPath: '/opt/nifi/nifi-current/flowfile_repository' });
    // Read-only root: start.sh writes only to conf/ (a claim) and to $HOME, logs, run, work and /tmp (emptyDirs).
    expect(nifi.securityContext.readOnlyRootFilesystem).toBe(true);
    expect(nifi.volumeMounts).toContainEqual({ name: 'home', mountPath: '/home/nifi' });
    expect(sts.spec.template.metadata.labels).toMatchObject({ 'platform.ml/kafka-client': 'nifi' });
    const svc = findManifest(manifests, 'Service', 'nifi', 'nifi');
    expect(svc.spec.ports.map((p: { port: number }) => p.port)).toEqual([8443, 9192]);
    expect(manifests.filter((m) => m.kind === 'NetworkPolicy')).toEqual([]); // nobody is admitted unless named
  });

  test('with a read-only root file system, every folder NiFi 2.x creates at start is a volume (apache/nifi rel/nifi-2.11.0 nifi-resources pom.xml)', () => {
    const sts = findManifest(synth(), 'StatefulSet', 'nifi', 'nifi');
    const nifi = sts.spec.template.spec.containers[0];
    expect(nifi.securityContext.readOnlyRootFilesystem).toBe(true);
    const mounted = nifi.volumeMounts.map((m: { mountPath: string }) => m.mountPath);
    const home = '/opt/nifi/nifi-current';
    // NAR persistence provider, asset managers (uploaded content: persistent claims), conf rewritten by start.sh,
    // repositories, state, logs, run, work (nar, jetty, python, uploads) and /tmp.
    for (const dir of ['nar_repository', 'assets', 'connector_assets', 'conf', 'content_repository', 'database_repository', 'flowfile_repository',
      'provenance_repository', 'state', 'logs', 'run', 'work']) expect(mounted).toContain(`${home}/${dir}`);
    expect(mounted).toContain('/tmp');
    const claims = sts.spec.volumeClaimTemplates.map((c: { metadata: { name: string }; spec: { resources: { requests: { storage: string } } } }) => [c.metadata.name, c.spec.resources.requests.storage]);
    expect(claims).toEqual(expect.arrayContaining([['nar-repository', '1Gi'], ['assets', '1Gi'], ['connector-assets', '1Gi']]));
    const sized = findManifest(synth({ ...required, uploadsSize: '3Gi' }), 'StatefulSet', 'nifi', 'nifi');
    expect(sized.spec.volumeClaimTemplates.find((c: { metadata: { name: string } }) => c.metadata.name === 'assets').spec.resources.requests.storage).toBe('3Gi');
  });

  test('callers are admitted from the named namespaces on the UI and endpoint ports only', () => {
    const policy = findManifest(synth({ ...required, accessFromNamespaces: ['gateway'] }), 'NetworkPolicy', 'nifi-ingress', 'nifi');
    expect(policy.spec.ingress).toEqual([{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'gateway' } } }], ports: [{ protocol: 'TCP', port: 8443 }, { protocol: 'TCP', port: 9192 }] }]);
  });

  test('Spark submission through the API server: token mounted, egress on the API server ports without an address (like the operators)', () => {
    const manifests = synth({ ...required, apiServerAccess: true });
    expect(findManifest(manifests, 'ServiceAccount', 'nifi', 'nifi').automountServiceAccountToken).toBe(true);
    expect(findManifest(manifests, 'StatefulSet', 'nifi').spec.template.spec.automountServiceAccountToken).toBe(true);
    expect(findManifest(manifests, 'NetworkPolicy', 'nifi-api-server-egress', 'nifi').spec.egress)
      .toEqual([{ ports: [{ protocol: 'TCP', port: 443 }, { protocol: 'TCP', port: 6443 }] }]);
    expect(findManifest(synth(), 'ServiceAccount', 'nifi').automountServiceAccountToken).toBe(false);
  });

  test('validation', () => {
    const build = (props: Partial<NifiProps>) => () => synth({ ...required, ...props });
    expect(build({ image: 'example/nifi-custom:1' })).toThrow(/Nifi 'nifi': 'image' \("example\/nifi-custom:1"\) must be the official apache\/nifi image/);
    expect(build({ image: 'apache/nifi:latest' })).toThrow(/pinned to a version/);
    expect(build({ httpEndpoint: { port: 8443, path: '/x' } })).toThrow(/'httpEndpoint.port' \(8443\)/);
    expect(build({ httpEndpoint: { port: 9192, path: 'model' } })).toThrow(/'httpEndpoint.path' \("model"\)/);
    expect(build({ proxyHosts: [] })).toThrow(/'proxyHosts' is empty/);
  });
});
