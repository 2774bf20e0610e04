/**
 * Network needs of the operators the platform installs: the admission webhooks the API server calls, and the
 * API server the operators call. `PinnedHelmRelease` opens exactly these (on top of the namespace's default deny)
 * and declares them as flows for the verifier's network-flows rule.
 *
 * | Operator | Webhook pods (labels) and port | Source |
 * |---|---|---|
 * | cert-manager | `app.kubernetes.io/name: webhook`, `app.kubernetes.io/instance: <release>`, `app.kubernetes.io/component: webhook`; 10250 (`webhook.securePort`) | cert-manager v1.18.2 `deploy/charts/cert-manager/templates/webhook-deployment.yaml`, `values.yaml` l.926 |
 * | KServe | `control-plane: kserve-controller-manager`; 9443 (`webhook-server`) | kserve/kserve v0.16.0 `charts/kserve-resources/templates/deployment.yaml` l.26-29, l.117-120 |
 * | spark-operator | `app.kubernetes.io/name: spark-operator`, `app.kubernetes.io/instance: <release>`, `app.kubernetes.io/component: webhook`; 9443 (`webhook.port`) | kubeflow/spark-operator v2.5.2 `charts/spark-operator-chart/templates/webhook/deployment.yaml` l.32-33, l.97-99 |
 * | training operator | `control-plane: kubeflow-training-operator` in `kubeflow`; 9443 (`webhook-server`) | kubeflow/trainer v1.9.4 `manifests/base/deployment.yaml` (issue 10 research notes, Q2) |
 * | Envoy Gateway | `control-plane: envoy-gateway`, `app.kubernetes.io/name: gateway-helm`, `app.kubernetes.io/instance: <release>`; 9443 (topology injector, `topologyInjector.enabled: true` by default) | envoyproxy/gateway v1.5.0 `charts/gateway-helm/templates/envoy-gateway-deployment.yaml` l.25-27, l.74-76; `values.yaml` l.141-142 |
 *
 * The API server's calls to webhooks reach the pods from an address AKS does not publish (the konnectivity
 * tunnel, or the API server's subnet with API Server VNet Integration), so webhook ports admit any source.
 */
import { Operator } from './operators';

/** An admission webhook server: its pods and container port. */
export interface OperatorWebhook {
  /** Short name, used in the NetworkPolicy name (`allow-webhook-<name>`). */
  readonly name: string;
  /** Labels of the webhook server's pods. */
  readonly podLabels: { readonly [key: string]: string };
  /** Container port the API server connects to. */
  readonly port: number;
}

/** The webhook servers of one release of `operator`. */
export function operatorWebhooks(operator: Operator, releaseName: string, chart: string): OperatorWebhook[] {
  switch (operator) {
    case Operator.CERT_MANAGER:
      return [{ name: 'cert-manager', port: 10250, podLabels: { 'app.kubernetes.io/name': 'webhook', 'app.kubernetes.io/instance': releaseName, 'app.kubernetes.io/component': 'webhook' } }];
    case Operator.KSERVE:
      return chart === 'kserve-crd' ? [] : [{ name: 'kserve', port: 9443, podLabels: { 'control-plane': 'kserve-controller-manager' } }];
    case Operator.SPARK_OPERATOR:
      return [{ name: 'spark-operator', port: 9443, podLabels: { 'app.kubernetes.io/name': 'spark-operator', 'app.kubernetes.io/instance': releaseName, 'app.kubernetes.io/component': 'webhook' } }];
    case Operator.GATEWAY_CONTROLLER:
      return [{ name: 'envoy-gateway', port: 9443, podLabels: { 'control-plane': 'envoy-gateway', 'app.kubernetes.io/name': 'gateway-helm', 'app.kubernetes.io/instance': releaseName } }];
    case Operator.TRAINING_OPERATOR:
      return [{ name: 'training-operator', port: 9443, podLabels: { 'control-plane': 'kubeflow-training-operator' } }];
    default:
      return [];
  }
}

/**
 * Whether the pods of a release call the API server (controllers and webhooks watch their objects): every
 * operator chart the platform installs, except the CRD-only `kserve-crd`, aad-pod-identity (legacy mode, whose
 * pods the verifier does not model) and the NVIDIA device plugin (it registers with the kubelet over a unix socket;
 * with GFD off it does not watch the API, NVIDIA/k8s-device-plugin v0.20.0 templates/role.yml).
 */
export function operatorCallsApiServer(operator: Operator, chart: string): boolean {
  return operator !== Operator.AAD_POD_IDENTITY && operator !== Operator.NVIDIA_DEVICE_PLUGIN && chart !== 'kserve-crd';
}

/**
 * Ports of `OperatorInfo.ingressPorts` that other policies admit more narrowly, so the operator namespace's
 * `allow-operator-traffic` need not open them to every pod: the modelled webhook servers (`allow-webhook-<name>`
 * on their pods only) and Envoy Gateway's xDS port (each `SharedGateway` admits its own namespace's proxies).
 */
export function portsAdmittedElsewhere(operator: Operator, releaseName: string, chart: string): number[] {
  const ports = operatorWebhooks(operator, releaseName, chart).map((webhook) => webhook.port);
  if (operator === Operator.GATEWAY_CONTROLLER) ports.push(ENVOY_GATEWAY_XDS_PORT);
  return ports;
}

/** Envoy Gateway's xDS port (envoyproxy/gateway v1.5.0 `charts/gateway-helm/values.yaml` deployment.ports grpc 18000). */
const ENVOY_GATEWAY_XDS_PORT = 18000;
