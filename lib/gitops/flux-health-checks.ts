/**
 * CEL health checks for custom resources that have no `Ready` condition, for Flux Kustomizations with
 * `wait: true` (`spec.healthCheckExprs`). Without them Flux would either call such objects healthy at once or,
 * for batch jobs, wait for the job to finish. A job counts as healthy once the operator accepted it, and as
 * failed when the operator reports a failure. Every field access is guarded (`?.` and `orValue`), because a
 * fresh object has no status yet.
 * @see https://fluxcd.io/flux/components/kustomize/kustomizations/#health-check-expressions
 */

/** An `apiVersion`/`kind` pair. */
export interface TypeIdentity {
  readonly apiVersion: string;
  readonly kind: string;
}

/** One entry of `spec.healthCheckExprs`. */
export interface HealthCheckExpression extends TypeIdentity {
  /** True when the object is healthy. */
  readonly current: string;
  /** True while the object is still being reconciled. */
  readonly inProgress?: string;
  /** True when the object failed. */
  readonly failed?: string;
}

const conditionTrue = (types: readonly string[]) =>
  `status.?conditions.orValue([]).exists(c, c.type in [${types.map((t) => `'${t}'`).join(', ')}] && c.status == 'True')`;

const sparkState = (states: readonly string[]) =>
  `status.?applicationState.?state.orValue('') in [${states.map((s) => `'${s}'`).join(', ')}]`;

/** Health checks of every custom resource kind the platform emits that has no Ready condition. */
export const CUSTOM_HEALTH_CHECKS: readonly HealthCheckExpression[] = [
  {
    apiVersion: 'sparkoperator.k8s.io/v1beta2',
    kind: 'SparkApplication',
    failed: sparkState(['FAILED', 'SUBMISSION_FAILED', 'FAILING']),
    current: sparkState(['SUBMITTED', 'RUNNING', 'SUCCEEDING', 'COMPLETED', 'PENDING_RERUN']),
  },
  {
    apiVersion: 'sparkoperator.k8s.io/v1beta2',
    kind: 'ScheduledSparkApplication',
    failed: "status.?scheduleState.orValue('') == 'FailedValidation'",
    current: "status.?scheduleState.orValue('') == 'Scheduled'",
  },
  {
    apiVersion: 'kubeflow.org/v1',
    kind: 'PyTorchJob',
    failed: conditionTrue(['Failed']),
    current: conditionTrue(['Created', 'Running', 'Restarting', 'Succeeded']),
  },
];

/** The health checks that apply to any of `types` (each kind once, in catalog order). */
export function healthChecksFor(types: Iterable<TypeIdentity>): HealthCheckExpression[] {
  const present = new Set([...types].map((t) => `${t.apiVersion} ${t.kind}`));
  return CUSTOM_HEALTH_CHECKS.filter((check) => present.has(`${check.apiVersion} ${check.kind}`));
}
