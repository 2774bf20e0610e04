/**
 * What the generator must know about a Gateway API implementation to write access rules for it: its controller
 * name, where its control plane runs, and on which container ports its proxies listen.
 */

/** Gateway API implementations the generator supports. */
export type GatewayControllerName = 'envoy-gateway';

/** Data-plane facts of one Gateway API implementation. */
export interface GatewayControllerProfile {
  /** `spec.controllerName` of its GatewayClass. */
  readonly controllerName: string;
  /** Namespace of the control plane (installed by the GitOps layer). */
  readonly controlPlaneNamespace: string;
  /** Labels of the control-plane pods. */
  readonly controlPlanePodLabels: { readonly [key: string]: string };
  /** TCP port the proxies fetch their configuration from (xDS), in the control-plane namespace. */
  readonly configPort: number;
  /** Container port a proxy listens on for a Gateway listener port. */
  readonly proxyContainerPort: (listenerPort: number) => number;
  /** Labels of the proxy pods of the Gateway `name` in `namespace`. */
  readonly proxyPodLabels: (name: string, namespace: string) => { readonly [key: string]: string };
}

/**
 * Envoy Gateway, installed with `config.envoyGateway.provider.kubernetes.deploy.type: GatewayNamespace` so the
 * proxies of a Gateway run in the Gateway's namespace (our default-deny namespace), not in the controller's.
 * Proxies run unprivileged and add 10000 to listener ports below 1024; they fetch xDS from port 18000.
 */
const ENVOY_GATEWAY: GatewayControllerProfile = {
  controllerName: 'gateway.envoyproxy.io/gatewayclass-controller',
  controlPlaneNamespace: 'envoy-gateway-system',
  // envoyproxy/gateway v1.5.0 charts/gateway-helm/templates/envoy-gateway-deployment.yaml (pod labels)
  controlPlanePodLabels: { 'control-plane': 'envoy-gateway' },
  configPort: 18000,
  proxyContainerPort: (port) => port < 1024 ? port + 10000 : port,
  // envoyproxy/gateway v1.5.0 internal/infrastructure/kubernetes/proxy/resource.go EnvoyAppLabel (name, component,
  // managed-by) and resource_provider.go envoyLabels (plus the owning-gateway labels, required on every proxy
  // resource: "missing owning gateway labels"), keys from internal/gatewayapi/translator.go l.30-35.
  proxyPodLabels: (name, namespace) => ({
    'app.kubernetes.io/name': 'envoy',
    'app.kubernetes.io/component': 'proxy',
    'app.kubernetes.io/managed-by': 'envoy-gateway',
    'gateway.envoyproxy.io/owning-gateway-name': name,
    'gateway.envoyproxy.io/owning-gateway-namespace': namespace,
  }),
};

/** Profiles by controller name. */
export const GATEWAY_CONTROLLERS: { readonly [name in GatewayControllerName]: GatewayControllerProfile } = {
  'envoy-gateway': ENVOY_GATEWAY,
};
