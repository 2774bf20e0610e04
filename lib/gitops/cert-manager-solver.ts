/**
 * What cert-manager v1.18.2 creates to solve an ACME HTTP-01 challenge with the Gateway API solver
 * (`solvers[].http01.gatewayHTTPRoute`), as the generator (access rules of the gateway namespace) and the
 * verifier (admission, quota and network models) need it. Every fact read at the v1.18.2 tag:
 *
 * | Fact | Value | Source (cert-manager v1.18.2) |
 * |---|---|---|
 * | Where | a Pod, a Service and an HTTPRoute per Challenge, in the Challenge's namespace, which is the Certificate's: the Gateway's namespace (gateway-shim) | `pkg/issuer/acme/http/pod.go` (`createPod`: `Pods(ch.Namespace)`), `service.go`, `httproute.go` (`createGatewayHTTPRoute`) |
 * | Pod labels | `acme.cert-manager.io/http01-solver: "true"`, `acme.cert-manager.io/http-domain: <adler32 of the DNS name>`, `acme.cert-manager.io/http-token: <adler32 of the token>` | `pod.go` `podLabels`, `pkg/apis/acme/v1/types.go` l.43-51 |
 * | Port | container `acmesolver` listens on 8089 (`--listen-port`), port name `http`; the Service (type NodePort unless the solver sets `serviceType`, `http.go` `getServiceType`) and the HTTPRoute backendRef use 8089 | `http.go` l.49 `acmeSolverListenPort = 8089`, `pod.go` `buildDefaultPod`, `service.go` `buildService`, `httproute.go` `generateHTTPRouteSpec` |
 * | HTTPRoute | `parentRefs` from the solver, hostname = the challenge's DNS name, Exact path `/.well-known/acme-challenge/<token>`, backend the solver Service in the same namespace (no ReferenceGrant needed) | `httproute.go` `generateHTTPRouteSpec` |
 * | Security | pod: `runAsNonRoot: <solverRunAsNonRoot>` (default true), `seccompProfile: RuntimeDefault`, `automountServiceAccountToken: false`, `nodeSelector kubernetes.io/os: linux`; container: `readOnlyRootFilesystem: true`, `allowPrivilegeEscalation: false`, `capabilities.drop: [ALL]`: passes Pod Security `restricted` with the defaults | `pod.go` `buildDefaultPod`; default `internal/apis/config/controller/v1alpha1/defaults.go` l.98 |
 * | Resources | requests cpu 10m, memory 64Mi; limits cpu 100m, memory 64Mi; set by the controller's `config.acmeHTTP01Config.solverResource{Request,Limits}{CPU,Memory}` or the flags `--acme-http01-solver-resource-{request,limits}-{cpu,memory}` | `internal/apis/config/controller/v1alpha1/defaults.go` l.94-97, `pkg/apis/config/controller/v1alpha1/types.go` `ACMEHTTP01Config`, `cmd/controller/app/options/options.go` l.115-127 |
 * | How many at once | one Challenge per DNS name of the Order; at most `maxConcurrentChallenges` (default 60) are processed at once | `internal/apis/config/controller/v1alpha1/defaults.go` l.82 |
 *
 * The chart (deploy/charts/cert-manager values.yaml) sets none of these: the controller defaults apply unless the
 * HelmRelease values set `config.acmeHTTP01Config` or `extraArgs`.
 */

/** ACME challenge types the platform knows how a ClusterIssuer solves (`routing.tls.acmeSolver`). */
export const ACME_SOLVERS = ['http01', 'dns01', 'none'] as const;
export type AcmeSolver = typeof ACME_SOLVERS[number];

/** Annotation on the Gateway recording how its ClusterIssuer solves challenges (read by the verifier). */
export const ACME_SOLVER_ANNOTATION = 'platform.ml/acme-solver';

/** Port the HTTP-01 solver pod listens on (cert-manager v1.18.2 pkg/issuer/acme/http/http.go l.49). */
export const HTTP01_SOLVER_PORT = 8089;

/** The label every HTTP-01 solver pod carries (cert-manager v1.18.2 pkg/apis/acme/v1/types.go l.51, pod.go podLabels). */
export const HTTP01_SOLVER_POD_LABELS: Readonly<Record<string, string>> = { 'acme.cert-manager.io/http01-solver': 'true' };

/**
 * Labels of the cert-manager controller pods, which run the ACME self-checks (cert-manager v1.18.2
 * deploy/charts/cert-manager/templates/deployment.yaml: `app.kubernetes.io/name: {{ template "cert-manager.name" }}`
 * (`cert-manager`), `app.kubernetes.io/component: controller`).
 */
export const CERT_MANAGER_CONTROLLER_POD_LABELS: Readonly<Record<string, string>> = {
  'app.kubernetes.io/name': 'cert-manager',
  'app.kubernetes.io/component': 'controller',
};

/** Namespace the platform installs cert-manager in (lib/gitops/operators.ts, `Operator.CERT_MANAGER`). */
export const CERT_MANAGER_NAMESPACE = 'cert-manager';

/** Challenges the controller processes at once by default (v1.18.2 defaults.go l.82 defaultMaxConcurrentChallenges). */
export const DEFAULT_MAX_CONCURRENT_CHALLENGES = 60;

/** Solver container resources of the controller defaults (v1.18.2 defaults.go l.94-97). */
export const DEFAULT_HTTP01_SOLVER_RESOURCES = {
  requests: { cpu: '10m', memory: '64Mi' },
  limits: { cpu: '100m', memory: '64Mi' },
} as const;

const get = (obj: unknown, ...path: string[]): unknown =>
  path.reduce<unknown>((node, key) => (node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined), obj);

/** The value of `--flag=value` in the chart's extraArgs, if any. */
function flag(values: unknown, name: string): string | undefined {
  const args = (get(values, 'extraArgs') as unknown[] | undefined) ?? [];
  const arg = args.find((a): a is string => typeof a === 'string' && a.startsWith(`--${name}=`));
  return arg?.slice(name.length + 3);
}

/**
 * The HTTP-01 solver pod spec cert-manager v1.18.2 builds (pod.go `buildDefaultPod`), with the resources and
 * runAsNonRoot the controller is configured with through the cert-manager chart values (the config file's
 * `acmeHTTP01Config`, else `extraArgs` flags, else the controller defaults). A pod template in the issuer's
 * solver can change it further; the platform does not generate the issuer, so that is not modelled.
 */
export function http01SolverPodSpec(certManagerValues: unknown): Record<string, unknown> {
  const config = get(certManagerValues, 'config', 'acmeHTTP01Config') as Record<string, unknown> | undefined ?? {};
  const pick = (key: string, flagName: string, fallback: string): string => String(config[key] ?? flag(certManagerValues, flagName) ?? fallback);
  const d = DEFAULT_HTTP01_SOLVER_RESOURCES;
  const nonRootFlag = flag(certManagerValues, 'acme-http01-solver-run-as-non-root');
  const runAsNonRoot = typeof config.solverRunAsNonRoot === 'boolean' ? config.solverRunAsNonRoot : nonRootFlag === undefined ? true : nonRootFlag !== 'false';
  return {
    automountServiceAccountToken: false,
    nodeSelector: { 'kubernetes.io/os': 'linux' },
    restartPolicy: 'OnFailure',
    enableServiceLinks: false,
    securityContext: { runAsNonRoot, seccompProfile: { type: 'RuntimeDefault' } },
    containers: [{
      name: 'acmesolver',
      ports: [{ name: 'http', containerPort: HTTP01_SOLVER_PORT }],
      resources: {
        requests: {
          cpu: pick('solverResourceRequestCPU', 'acme-http01-solver-resource-request-cpu', d.requests.cpu),
          memory: pick('solverResourceRequestMemory', 'acme-http01-solver-resource-request-memory', d.requests.memory),
        },
        limits: {
          cpu: pick('solverResourceLimitsCPU', 'acme-http01-solver-resource-limits-cpu', d.limits.cpu),
          memory: pick('solverResourceLimitsMemory', 'acme-http01-solver-resource-limits-memory', d.limits.memory),
        },
      },
      securityContext: { readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
    }],
  };
}

/** Challenges the controller runs at once (`config.maxConcurrentChallenges`, `--max-concurrent-challenges`, default 60). */
export function maxConcurrentChallenges(certManagerValues: unknown): number {
  const configured = get(certManagerValues, 'config', 'maxConcurrentChallenges') ?? flag(certManagerValues, 'max-concurrent-challenges');
  const n = Number(configured);
  return configured !== undefined && Number.isInteger(n) && n > 0 ? n : DEFAULT_MAX_CONCURRENT_CHALLENGES;
}
