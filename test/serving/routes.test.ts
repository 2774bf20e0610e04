/**
 * Whole-output checks of the serving cluster, in both routing renderings: every route reaches an existing
 * Service port whose target is a container port of the pods behind it, and only the gateway (or ingress
 * controller) namespace may reach those pods.
 */
import { FORMAT_DEFAULTS, ModelFormat, PREDICTOR_SERVICE_PORT, predictorPodLabels, predictorServiceName } from '../../lib/serving/kserve-versions';
import { GATEWAY_CONTROLLERS } from '../../lib/serving/gateway-controllers';
import { PlatformConfig } from '../../lib/config/schema';
import { exampleConfig, Manifest, synthCluster } from '../util';

type Labels = Record<string, string>;

/** A Service as routes see it, with the container ports of the pods it selects. */
interface ServiceView {
  readonly namespace: string;
  readonly name: string;
  readonly ports: readonly { port: number; targetPort: number | string }[];
  readonly podLabels: readonly Labels[];
  readonly containerPorts: readonly { name?: string; containerPort: number }[];
}

const selects = (selector: Labels | undefined, labels: Labels) => Object.entries(selector ?? {}).every(([k, v]) => labels[k] === v);

/** Services in the output plus the predictor Services KServe creates for Standard-mode InferenceServices. */
function services(manifests: readonly Manifest[]): ServiceView[] {
  const pods = manifests.filter((m) => m.kind === 'Deployment').map((d) => ({
    namespace: d.metadata.namespace!, labels: d.spec.template.metadata.labels as Labels,
    ports: d.spec.template.spec.containers.flatMap((c: { ports?: unknown[] }) => c.ports ?? []),
  }));
  const declared = manifests.filter((m) => m.kind === 'Service').map((s): ServiceView => {
    const selected = pods.filter((p) => p.namespace === s.metadata.namespace && Object.keys(s.spec.selector ?? {}).length > 0 && selects(s.spec.selector, p.labels));
    return { namespace: s.metadata.namespace!, name: s.metadata.name, ports: s.spec.ports, podLabels: selected.map((p) => p.labels), containerPorts: selected.flatMap((p) => p.ports) };
  });
  // KServe (Standard mode) creates `<name>-predictor`: port 80 to the serving container's HTTP port.
  const predictors = manifests.filter((m) => m.kind === 'InferenceService' && m.metadata.annotations?.['serving.kserve.io/deploymentMode'] === 'Standard').map((isvc): ServiceView => {
    const port = FORMAT_DEFAULTS[isvc.spec.predictor.model.modelFormat.name as ModelFormat].containerPort;
    return {
      namespace: isvc.metadata.namespace!, name: predictorServiceName(isvc.metadata.name),
      ports: [{ port: PREDICTOR_SERVICE_PORT, targetPort: port }],
      podLabels: [{ ...predictorPodLabels(isvc.metadata.name), ...isvc.spec.predictor.labels }],
      containerPorts: [{ containerPort: port }],
    };
  });
  return [...declared, ...predictors];
}

/** Every (route, namespace, service, port) a route object sends traffic to. */
function routeTargets(manifests: readonly Manifest[]) {
  const http = manifests.filter((m) => m.kind === 'HTTPRoute').flatMap((r) => r.spec.rules.flatMap((rule: { backendRefs?: { name: string; namespace?: string; port: number }[] }) =>
    (rule.backendRefs ?? []).map((ref) => ({ route: `HTTPRoute/${r.metadata.name}`, routeNamespace: r.metadata.namespace!, namespace: ref.namespace ?? r.metadata.namespace!, service: ref.name, port: ref.port }))));
  const ingress = manifests.filter((m) => m.kind === 'Ingress').flatMap((i) => i.spec.rules.flatMap((rule: { http: { paths: { backend: { service: { name: string; port: { number: number } } } }[] } }) =>
    rule.http.paths.map((p) => ({ route: `Ingress/${i.metadata.name}`, routeNamespace: i.metadata.namespace!, namespace: i.metadata.namespace!, service: p.backend.service.name, port: p.backend.service.port.number }))));
  return [...http, ...ingress];
}

/** The Ingress rules of every NetworkPolicy in `namespace` that selects pods labelled `labels`. */
function ingressRulesFor(manifests: readonly Manifest[], namespace: string, labels: Labels) {
  return manifests
    .filter((m) => m.kind === 'NetworkPolicy' && m.metadata.namespace === namespace && m.spec.policyTypes.includes('Ingress'))
    .filter((p) => selects(p.spec.podSelector.matchLabels, labels))
    .flatMap((p) => (p.spec.ingress ?? []).map((rule: unknown) => ({ policy: p.metadata.name, rule })));
}

function ingressMode(): PlatformConfig {
  const config = exampleConfig();
  config.clusters.serving.routing = {
    ...config.clusters.serving.routing!,
    mode: 'ingress', gateway: undefined, tls: { secretName: 'ml-gateway-tls' },
    ingress: { className: 'webapprouting.kubernetes.azure.com', controllerNamespace: 'app-routing-system' },
  };
  return config;
}

/** The Envoy Gateway proxies of the example's serving Gateway (the only pods of its namespace let through). */
const PROXIES = GATEWAY_CONTROLLERS['envoy-gateway'].proxyPodLabels('ml-gateway', 'gateway');

describe.each<[string, () => PlatformConfig, string, Record<string, string> | undefined]>([
  ['Gateway API', exampleConfig, 'gateway', PROXIES],
  ['Ingress', ingressMode, 'app-routing-system', undefined],
])('serving cluster, %s rendering', (_name, config, sourceNamespace, sourcePods) => {
  const manifests = synthCluster('serving', config());
  const views = services(manifests);
  const targets = routeTargets(manifests);

  test('routes every model, microservice and MLflow, all over TLS', () => {
    expect(targets.map((t) => t.service).sort()).toEqual([
      'adult-income-predictor', 'featurespace', 'gpamatching', 'hardskill', 'iris-predictor', 'mlflow', 'rankingrec', 'wine-quality-predictor',
    ]);
    for (const ingress of manifests.filter((m) => m.kind === 'Ingress')) expect(ingress.spec.tls).toEqual([{ hosts: ['ml.example.com'] }]); // served with the controller's default certificate (one Secret)
    for (const route of manifests.filter((m) => m.kind === 'HTTPRoute' && m.spec.hostnames)) {
      const gateway = manifests.find((m) => m.kind === 'Gateway' && m.metadata.name === route.spec.parentRefs[0].name)!;
      const listener = gateway.spec.listeners.find((l: { name: string }) => l.name === route.spec.parentRefs[0].sectionName);
      expect({ route: route.metadata.name, protocol: listener.protocol, hostname: listener.hostname, tls: listener.tls?.mode })
        .toEqual({ route: route.metadata.name, protocol: 'HTTPS', hostname: route.spec.hostnames[0], tls: 'Terminate' });
    }
  });

  test('every route reaches an existing Service port whose targetPort is a container port', () => {
    const problems = targets.flatMap((t) => {
      const service = views.find((s) => s.namespace === t.namespace && s.name === t.service);
      if (!service) return [`${t.route}: no Service ${t.namespace}/${t.service}`];
      const port = service.ports.find((p) => p.port === t.port);
      if (!port) return [`${t.route}: Service ${t.service} has no port ${t.port}`];
      if (service.podLabels.length === 0) return [`${t.route}: Service ${t.service} selects no pods`];
      const reached = service.containerPorts.some((c) => c.containerPort === port.targetPort || c.name === port.targetPort);
      return reached ? [] : [`${t.route}: targetPort ${port.targetPort} of ${t.service} is not a container port`];
    });
    expect(problems).toEqual([]);
  });

  test('cross-namespace backends are granted by a ReferenceGrant naming the Service', () => {
    for (const t of targets.filter((target) => target.namespace !== target.routeNamespace)) {
      const granted = manifests.some((m) => m.kind === 'ReferenceGrant' && m.metadata.namespace === t.namespace
        && m.spec.from.some((f: { kind: string; namespace: string }) => f.kind === 'HTTPRoute' && f.namespace === t.routeNamespace)
        && m.spec.to.some((to: { kind: string; name?: string }) => to.kind === 'Service' && to.name === t.service));
      expect({ target: t.route, granted }).toEqual({ target: t.route, granted: true });
    }
  });

  test(`only the ${sourcePods ? `gateway's proxies in ${sourceNamespace}` : `${sourceNamespace} namespace`} may reach the backends, and only on their target ports`, () => {
    for (const t of targets) {
      const service = views.find((s) => s.namespace === t.namespace && s.name === t.service)!;
      const targetPort = service.ports.find((p) => p.port === t.port)!.targetPort;
      for (const labels of service.podLabels) {
        const rules = ingressRulesFor(manifests, t.namespace, labels);
        expect({ service: t.service, rules: rules.length > 0 }).toEqual({ service: t.service, rules: true });
        for (const { policy, rule } of rules) {
          expect({ policy, rule }).toEqual({ policy, rule: {
            from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': sourceNamespace } }, ...(sourcePods ? { podSelector: { matchLabels: sourcePods } } : {}) }],
            ports: [{ protocol: 'TCP', port: targetPort }],
          } });
        }
      }
      const denyAll = manifests.find((m) => m.kind === 'NetworkPolicy' && m.metadata.namespace === t.namespace && m.metadata.name === 'default-deny-all');
      expect(denyAll?.spec.policyTypes).toEqual(['Ingress', 'Egress']);
    }
  });

  test('no Secret is generated', () => {
    expect(manifests.filter((m) => m.kind === 'Secret')).toEqual([]);
  });
});

describe('serving cluster workloads', () => {
  const manifests = synthCluster('serving');

  test('every serving container runs restricted, with requests and limits', () => {
    const containers = [
      ...manifests.filter((m) => m.kind === 'Deployment').flatMap((d) => d.spec.template.spec.containers.map((c: object) => ({ owner: d.metadata.name, pod: d.spec.template.spec, c }))),
      ...manifests.filter((m) => m.kind === 'InferenceService').map((i) => ({ owner: i.metadata.name, pod: i.spec.predictor, c: i.spec.predictor.model })),
    ] as { owner: string; pod: { securityContext: object }; c: { securityContext: object; resources: { requests: object; limits: object } } }[];
    expect(containers.length).toBe(8);
    for (const { owner, pod, c } of containers) {
      expect({ owner, pod: pod.securityContext }).toMatchObject({ owner, pod: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } } });
      expect({ owner, c: c.securityContext }).toMatchObject({ owner, c: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } } });
      expect(Object.keys(c.resources.requests)).toEqual(expect.arrayContaining(['cpu', 'memory']));
      expect(Object.keys(c.resources.limits)).toEqual(expect.arrayContaining(['cpu', 'memory']));
    }
  });

  test('models, MLflow and the microservices run with their Workload Identity', () => {
    const accounts = Object.fromEntries([
      ...manifests.filter((m) => m.kind === 'InferenceService').map((i) => [i.metadata.name, i.spec.predictor.serviceAccountName]),
      ...manifests.filter((m) => m.kind === 'Deployment').map((d) => [d.metadata.name, d.spec.template.spec.serviceAccountName]),
    ]);
    expect(accounts).toEqual({
      'iris': 'model-reader', 'wine-quality': 'model-reader', 'adult-income': 'model-reader', 'mlflow': 'experiment-tracking',
      'featurespace': 'feature-reader', 'gpamatching': 'feature-reader', 'hardskill': 'feature-reader', 'rankingrec': 'feature-reader',
    });
  });

  test('the lookup-table volume is shared: written by featurespace, read by rankingrec', () => {
    const claim = manifests.find((m) => m.kind === 'PersistentVolumeClaim' && m.metadata.name === 'featurespace-lookup-tables')!;
    expect(claim.spec).toMatchObject({ accessModes: ['ReadWriteMany'], storageClassName: 'azurefile-csi' });
    const ranking = manifests.find((m) => m.kind === 'Deployment' && m.metadata.name === 'rankingrec')!;
    expect(ranking.spec.template.spec.volumes).toContainEqual({ name: 'lookup-tables', persistentVolumeClaim: { claimName: 'featurespace-lookup-tables', readOnly: true } });
  });
});
