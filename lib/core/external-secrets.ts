/**
 * Secrets a workload reads that are created outside dist/ (credentials, keys, certificates the platform team makes
 * by hand or from a vault), declared by the construct that writes the reference (a secretKeyRef, a secret volume, a
 * chart value naming the Secret). Synth lists them in `cluster-facts.json` `externalSecrets` (lib/verify/cluster-facts.ts),
 * the list of what must exist before the cluster's folders are applied, and the verifier's apply-order rule takes
 * them as present.
 *
 * Recorded per construct tree (the cdk8s App of one cluster), like the declared flows (lib/core/flows.ts).
 */
import { Construct, IConstruct } from 'constructs';

/** One Secret created outside dist/. */
export interface ExternalSecret {
  readonly namespace: string;
  readonly name: string;
  /** Who reads it and which keys, for the facts file ("JupyterHub 'jupyterhub': key client-secret ..."). */
  readonly purpose: string;
}

const SECRETS = new WeakMap<IConstruct, ExternalSecret[]>();

/** Records that the workload of `scope` reads `secret`, which is created outside dist/. */
export function declareExternalSecret(scope: Construct, secret: ExternalSecret): void {
  if (!secret.namespace || !secret.name || !secret.purpose.trim()) {
    throw new Error(`declareExternalSecret at '${scope.node.path}': namespace, name and purpose are all required (got ${JSON.stringify(secret)})`);
  }
  const root = scope.node.root;
  SECRETS.set(root, [...(SECRETS.get(root) ?? []), secret]);
}

/**
 * The Secrets declared anywhere in the construct tree of `scope`, keyed `namespace/name`, sorted; two declarations
 * of one Secret (two readers) are joined with "; ".
 */
export function collectExternalSecrets(scope: IConstruct): Record<string, string> {
  const byKey = new Map<string, string[]>();
  for (const secret of SECRETS.get(scope.node.root) ?? []) {
    const key = `${secret.namespace}/${secret.name}`;
    const purposes = byKey.get(key) ?? [];
    if (!purposes.includes(secret.purpose)) purposes.push(secret.purpose);
    byKey.set(key, purposes);
  }
  return Object.fromEntries([...byKey.keys()].sort().map((key) => [key, byKey.get(key)!.join('; ')]));
}
