import { ApiObject, Testing } from 'cdk8s';
import { NodePoolMode } from '../../lib/core/node-pool';
import { HttpMicroservice, HttpMicroserviceProps } from '../../lib/serving/http-microservice';
import { PodIdentityBinding } from '../../lib/identity/pod-identity-binding';
import { findManifest, Manifest } from '../util';

const required: HttpMicroserviceProps = {
  name: 'gpamatching',
  namespace: 'microservices',
  image: 'example.azurecr.io/gpa-matching:v1',
  containerPort: 5000,
  resources: { request: { cpu: '500m', memory: '1Gi' }, limit: { cpu: '2', memory: '4Gi' } },
};

function synth(props: Partial<HttpMicroserviceProps> = {}): { service: HttpMicroservice; manifests: Manifest[] } {
  const chart = Testing.chart();
  const service = new HttpMicroservice(chart, 'service', { ...required, ...props });
  return { service, manifests: Testing.synth(chart) as Manifest[] };
}

const deployment = (manifests: Manifest[]) => findManifest(manifests, 'Deployment', 'gpamatching', 'microservices');
const container = (manifests: Manifest[]) => deployment(manifests).spec.template.spec.containers[0];

describe('HttpMicroservice', () => {
  test('defaults', () => {
    expect(synth().manifests).toMatchSnapshot();
  });

  test('all props', () => {
    // GIVEN every prop
    const chart = Testing.chart();
    const identity = new PodIdentityBinding(chart, 'identity', {
      namespace: 'microservices', identityName: 'feature-reader', clientId: '00000000-0000-0000-0000-000000000105', tenantId: '00000000-0000-0000-0000-000000000001',
      oidcIssuerUrl: 'https://issuer.example/',
    });
    const props: Required<HttpMicroserviceProps> = {
      ...required, servicePort: 6000, replicas: 3, command: ['python3'], args: ['app.py'], env: { MODE: 'prod' },
      secretEnv: { TOKEN: { secretName: 'app-token', key: 'token' } }, probePath: '/healthz', probeInitialDelaySeconds: 5,
      volumes: [{ name: 'lookup', mountPath: '/mnt/azure', readOnly: true, claimName: 'lookup-tables' }],
      identity, nodePool: { name: 'serving', mode: NodePoolMode.USER, minCount: 2, taints: ['workload=serving:NoSchedule'] },
      runAsUser: 2000, egress: { peers: [{ cidr: '10.0.0.0/8' }], ports: [443] },
    };
    // WHEN
    new HttpMicroservice(chart, 'service', props);
    const manifests = Testing.synth(chart) as Manifest[];
    // THEN
    const pod = deployment(manifests).spec.template.spec;
    expect(deployment(manifests).spec.replicas).toBe(3);
    expect(pod).toMatchObject({
      serviceAccountName: 'feature-reader',
      nodeSelector: { 'kubernetes.azure.com/agentpool': 'serving' },
      tolerations: [{ key: 'workload', operator: 'Equal', value: 'serving', effect: 'NoSchedule' }],
      securityContext: { runAsUser: 2000, runAsGroup: 2000, fsGroup: 2000 },
    });
    expect(pod.containers[0]).toMatchObject({
      command: ['python3'], args: ['app.py'],
      env: [{ name: 'MODE', value: 'prod' }, { name: 'TOKEN', valueFrom: { secretKeyRef: { name: 'app-token', key: 'token' } } }],
      readinessProbe: { httpGet: { path: '/healthz', port: 'http' }, initialDelaySeconds: 5 },
    });
    expect(pod.volumes).toContainEqual({ name: 'lookup', persistentVolumeClaim: { claimName: 'lookup-tables', readOnly: true } });
    expect(findManifest(manifests, 'Service', 'gpamatching').spec.ports).toEqual([{ name: 'http', port: 6000, targetPort: 5000, protocol: 'TCP' }]);
    expect(findManifest(manifests, 'NetworkPolicy', 'gpamatching-egress').spec.egress[0].to).toEqual([{ ipBlock: { cidr: '10.0.0.0/8' } }]);
    expect(manifests.filter((m) => m.kind === 'ServiceAccount').map((m) => m.metadata.name)).toEqual(['feature-reader']);
  });

  test('the Service selects the pods and targets the container port', () => {
    const { service, manifests } = synth({ servicePort: 6000 });
    const svc = findManifest(manifests, 'Service', 'gpamatching', 'microservices');
    expect(svc.spec.selector).toEqual(deployment(manifests).spec.template.metadata.labels);
    expect(svc.spec.ports[0].targetPort).toBe(container(manifests).ports[0].containerPort);
    expect(service.backend).toEqual({ namespace: 'microservices', serviceName: 'gpamatching', ports: [{ port: 6000, targetPort: 5000 }], podLabels: { 'app.kubernetes.io/name': 'gpamatching' } });
  });

  test('restricted: non-root, read-only root filesystem with a writable /tmp, no API token, resources set', () => {
    const { manifests } = synth();
    const pod = deployment(manifests).spec.template.spec;
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 10001, seccompProfile: { type: 'RuntimeDefault' } });
    expect(container(manifests).securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
    expect(container(manifests).volumeMounts).toContainEqual({ name: 'tmp', mountPath: '/tmp' });
    expect(container(manifests).resources).toEqual({ requests: { cpu: '500m', memory: '1Gi' }, limits: { cpu: '2', memory: '4Gi' } });
    expect(findManifest(manifests, 'ServiceAccount', 'gpamatching').automountServiceAccountToken).toBe(false);
  });

  test('probes check the TCP port when the image has no health path', () => {
    const probe = container(synth().manifests).readinessProbe;
    expect(probe.tcpSocket).toEqual({ port: 'http' });
    expect(probe.httpGet).toBeUndefined();
  });

  test('a disruption budget only with two or more replicas', () => {
    expect(findManifest(synth().manifests, 'PodDisruptionBudget', 'gpamatching').spec.minAvailable).toBe(1);
    expect(synth({ replicas: 1 }).manifests.filter((m) => m.kind === 'PodDisruptionBudget')).toEqual([]);
  });

  test('scratch volumes', () => {
    const pod = deployment(synth({ volumes: [{ name: 'cache', mountPath: '/cache', emptyDirSizeLimit: '2Gi' }] }).manifests).spec.template.spec;
    expect(pod.volumes).toContainEqual({ name: 'cache', emptyDir: { sizeLimit: '2Gi' } });
  });

  describe('validation', () => {
    const build = (props: Partial<HttpMicroserviceProps>) => () => synth(props);
    test('name', () => {
      expect(build({ name: 'Gpa_Matching' })).toThrow(/HttpMicroservice 'service': 'name' \("Gpa_Matching"\) must be a DNS-1035 label, as Kubernetes requires of Service names/);
      expect(build({ name: '2fa-api' })).toThrow(/'name' \("2fa-api"\) must be a DNS-1035 label/);
    });
    test('image without a tag', () => {
      expect(build({ image: 'example.azurecr.io/gpa-matching' })).toThrow(/'image' \("example.azurecr.io\/gpa-matching"\) needs an explicit tag or digest/);
    });
    test('ports', () => {
      expect(build({ containerPort: 0 })).toThrow(/'containerPort' \(0\) must be a port number/);
      expect(build({ servicePort: 70000 })).toThrow(/'servicePort' \(70000\) must be a port number/);
    });
    test('resources', () => {
      expect(build({ resources: { request: { cpu: 'lots', memory: '1Gi' }, limit: { cpu: '1', memory: '1Gi' } } })).toThrow(/must be Kubernetes quantities/);
      expect(build({ resources: { request: { cpu: '1', memory: '2Gi' }, limit: { cpu: '1', memory: '1Gi' } } })).toThrow(/'resources.request.memory' \(2Gi\) must be <= 'resources.limit.memory' \(1Gi\)/);
    });
    test('volume sources', () => {
      expect(build({ volumes: [{ name: 'v', mountPath: '/v' }] })).toThrow(/'volumes.v': Either emptyDirSizeLimit or claimName must be specified/);
      expect(build({ volumes: [{ name: 'v', mountPath: '/v', claimName: 'c', emptyDirSizeLimit: '1Gi' }] })).toThrow(/emptyDirSizeLimit and claimName are mutually exclusive/);
      expect(build({ volumes: [{ name: 'tmp', mountPath: '/t', emptyDirSizeLimit: '1Gi' }] })).toThrow(/'volumes.tmp' is declared twice/);
    });
    test('environment names', () => {
      expect(build({ env: { TOKEN: 'x' }, secretEnv: { TOKEN: { secretName: 's', key: 'k' } } })).toThrow(/'secretEnv.TOKEN' is also set in 'env'/);
    });
  });

  test('escape hatch', () => {
    expect(ApiObject.of(synth().service).kind).toBe('Deployment');
  });
});
