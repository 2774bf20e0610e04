/**
 * Admission: every pod, with the containers operators and webhooks inject at run time, passes the Pod Security
 * Standard its namespace enforces (level and version from the namespace labels). Pod controllers are only
 * warned at apply time; the pods themselves are rejected, so a violation shows up as a workload that never
 * starts and a folder Flux waits on for ever (kubernetes/pod-security-admission v0.31 admission/admission.go).
 * Also: Azure Workload Identity token paths are read from the webhook's env, never hard-coded.
 */
import { at, ClusterModel } from './cluster-model';
import { fault } from './fault';
import { modelPods } from './pod-model';
import { checkPodSecurity, enforcedLevel } from './pod-security';
import { VerifyFault, VerifyRule } from './types';

const PSA_UPSTREAM = 'kubernetes/pod-security-admission v0.31 policy/*.go (Pod Security Standards), admission/admission.go (pods are rejected; controllers only warned)';

/** Token file locations of the Azure Workload Identity webhook versions (pkg/webhook/consts.go at v0.8.0..v1.5.1 and v1.6.0). */
const WI_TOKEN_PATHS = ['/var/run/secrets/azure/tokens/azure-identity-token', '/var/run/secrets/azure/wi/token/azure-identity-token', '/var/run/secrets/tokens/azure-identity-token'];

export const admissionRule: VerifyRule = (cluster) => {
  const model = ClusterModel.of(cluster);
  const faults: VerifyFault[] = [];
  for (const pod of modelPods(model)) {
    const ns = model.find('Namespace', undefined, pod.namespace);
    const { level, version } = enforcedLevel(at(ns?.obj, 'metadata', 'labels') as Record<string, string> | undefined);
    const violations = checkPodSecurity(pod.spec, level);
    if (violations.length === 0) continue;
    const injected = violations.filter((v) => Object.keys(pod.injected).some((name) => v.detail.includes(`container ${name} `)));
    const sources = [...new Set(Object.entries(pod.injected).filter(([name]) => injected.some((v) => v.detail.includes(`container ${name} `))).map(([, source]) => source))];
    const checks = violations.map((v) => `${v.check}: ${v.detail}`).join('; ');
    faults.push(fault(cluster, 'admission', pod.owner, {
      message: `pods of ${pod.template} are rejected by the '${level}' Pod Security level (${version}) of namespace ${pod.namespace}: ${checks}`,
      upstream: [PSA_UPSTREAM, ...sources].join('; '),
      fix: injected.length > 0
        ? `give the injected container(s) ${[...new Set(injected.map((v) => v.detail.split(' ')[1]))].join(', ')} a compliant securityContext through the operator's template or values (not by relaxing the namespace)`
        : `make the pod template comply with '${level}', or lower the namespace's level with a reason (namespaces.<name>.podSecurity)`,
    }));
  }
  // Hard-coded Workload Identity token paths (Spark hadoopConf / sparkConf, container env).
  for (const placed of model.objects) {
    const text = JSON.stringify((placed.obj as { spec?: unknown }).spec ?? {});
    const path = WI_TOKEN_PATHS.find((p) => text.includes(p));
    if (path) {
      faults.push(fault(cluster, 'admission', placed, {
        message: `hard-codes the Workload Identity token file ${path}, which depends on the webhook version (v0.8.0-v1.5.1: /var/run/secrets/azure/tokens/..., v1.6.0: /var/run/secrets/azure/wi/token/...): token exchange fails after an AKS add-on upgrade`,
        upstream: 'Azure/azure-workload-identity pkg/webhook/consts.go (v1.5.1 and v1.6.0): the webhook sets AZURE_FEDERATED_TOKEN_FILE in every container',
        fix: 'read the path from the env AZURE_FEDERATED_TOKEN_FILE (Hadoop: ${env.AZURE_FEDERATED_TOKEN_FILE})',
      }));
    }
  }
  return faults;
};
