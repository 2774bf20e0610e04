/** Hardened security contexts that pass the restricted Pod Security level. */
import * as k8s from './k8s';

/** Container security context: no privilege escalation, all capabilities dropped, RuntimeDefault seccomp. */
export function restrictedContainerSecurity(options: { readOnlyRootFilesystem?: boolean } = {}): k8s.SecurityContext {
  return {
    allowPrivilegeEscalation: false,
    capabilities: { drop: ['ALL'] },
    readOnlyRootFilesystem: options.readOnlyRootFilesystem,
    runAsNonRoot: true,
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

/** Pod security context that runs every container as `uid` (group `uid`, volumes owned by it), non-root. */
export function nonRootPodSecurity(uid: number): k8s.PodSecurityContext {
  return {
    runAsNonRoot: true,
    runAsUser: uid,
    runAsGroup: uid,
    fsGroup: uid,
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

/** Requests and limits of one container. */
export interface ContainerResources {
  /** CPU and memory requests. */
  readonly request: { readonly cpu: string; readonly memory: string };
  /** CPU and memory limits. */
  readonly limit: { readonly cpu: string; readonly memory: string };
}

/** The Kubernetes form of `resources`. */
export function toResourceRequirements(resources: ContainerResources): k8s.ResourceRequirements {
  return {
    requests: { cpu: k8s.Quantity.fromString(resources.request.cpu), memory: k8s.Quantity.fromString(resources.request.memory) },
    limits: { cpu: k8s.Quantity.fromString(resources.limit.cpu), memory: k8s.Quantity.fromString(resources.limit.memory) },
  };
}
