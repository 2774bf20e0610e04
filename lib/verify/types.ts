/**
 * The day-one verifier's contract: what it reads (a cluster's rendered folders in Flux apply order, plus the
 * cluster facts that are not in any manifest) and what it reports (faults). Rules are pure functions from a
 * `VerifiedCluster` to faults; `lib/verify/index.ts` runs them all.
 */
import { ManifestJson } from '../synth/cluster-context';

/** The rules of the verifier. Each fault names one. */
export type VerifyRuleId =
  | 'apply-order'
  | 'admission'
  | 'quota-fit'
  | 'scheduling'
  | 'network-flows'
  | 'gitops-lifecycle';

/** One way the cluster would not come up, with the upstream fact that says so and the fix. */
export interface VerifyFault {
  readonly rule: VerifyRuleId;
  readonly environment: string;
  readonly cluster: string;
  /** Rendered folder (`operators`, `platform`, `workloads-2`, ...) of the object at fault. */
  readonly folder: string;
  /** The object at fault, `Kind/namespace/name` (`Kind/name` for cluster-scoped kinds). */
  readonly object: string;
  /** What goes wrong on the cluster. */
  readonly message: string;
  /** The upstream fact behind the rule: project, version, file or doc. */
  readonly upstream: string;
  /** What to change. */
  readonly fix: string;
}

/** A rendered folder as the verifier sees it. */
export interface VerifiedFolder {
  /** Folder name under the cluster folder. */
  readonly folder: string;
  /** Objects of the folder. */
  readonly manifests: readonly ManifestJson[];
}

/** A node pool as the verifier needs it (from the config; recorded in the cluster facts file). */
export interface PoolFacts {
  readonly name: string;
  readonly mode: 'System' | 'User';
  readonly vmSize: string;
  readonly minCount: number;
  readonly maxCount: number;
  /** Node labels, including the ones AKS sets (`kubernetes.azure.com/agentpool`, `kubernetes.azure.com/mode`). */
  readonly labels: Readonly<Record<string, string>>;
  readonly taints: readonly { readonly key: string; readonly value: string; readonly effect: string }[];
  readonly gpusPerNode?: number;
}

/** One end of a flow: pods of a namespace (a matchLabels selector), or an address range outside the cluster. */
export type FlowEndpoint =
  | {
    readonly namespace: string;
    readonly podLabels: Readonly<Record<string, string>>;
    /**
     * Why the pods are not in the output (for example Kafka clients that their teams deploy): the rule then takes
     * them as declared instead of reporting that the end selects no pod.
     * @default - the pods must be in the output
     */
    readonly deployedElsewhere?: string;
  }
  | {
    readonly cidr: string;
    /**
     * Ranges inside `cidr` the flow never reaches, such as the private ranges of "public addresses" (an egress
     * rule with the same `except` entries then allows the flow).
     * @default - none
     */
    readonly except?: readonly string[];
  };

/**
 * A network flow a workload needs, declared by the construct that creates the workload (`declareFlow` in
 * `lib/core/flows.ts`; collected per cluster by `collectDeclaredFlows`).
 */
export interface DeclaredFlow {
  /** Why the flow exists, for the fault message (`spark driver to executors`). */
  readonly purpose: string;
  /**
   * Source: pods of a namespace, or an address range outside the cluster (clients of the gateway, or the API
   * server calling a webhook: AKS does not publish that address, so such flows come from `0.0.0.0/0`).
   */
  readonly from: FlowEndpoint;
  /** Destination: pods of a namespace, or an address range outside the cluster (Azure Storage, the API server). */
  readonly to: FlowEndpoint;
  /** Destination port (the first of the range with `endPort`). */
  readonly port: number;
  /**
   * Last port of a range, for traffic on ports chosen at run time (NCCL between training replicas).
   * @default - the single port `port`
   */
  readonly endPort?: number;
  /** @default 'TCP' */
  readonly protocol?: 'TCP' | 'UDP';
}

/**
 * What the verifier knows about a cluster beyond its manifests: written by synth next to the cluster's folders
 * (`dist/<env>/<cluster>/cluster-facts.json`, not part of any folder Flux applies) so that `npm run verify` works
 * on a dist tree alone.
 */
export interface ClusterFacts {
  readonly environment: string;
  readonly cluster: string;
  readonly kubernetesVersion: string;
  readonly pools: readonly PoolFacts[];
  /** Namespaces that exist before the first folder applies (Flux bootstrap, AKS system namespaces), with who creates them. */
  readonly preexistingNamespaces: Readonly<Record<string, string>>;
  /**
   * Flows the constructs of this cluster declared: the cluster-facts writer fills it with
   * `collectDeclaredFlows(app)` (`lib/core/flows.ts`) on the cluster's cdk8s App after the compositions ran.
   */
  readonly flows: readonly DeclaredFlow[];
  /** Faults the config accepts on purpose (rule, object, reason); listed on every run, never dropped silently. */
  readonly acceptedFaults: readonly AcceptedFault[];
  /**
   * Secrets that pods reference but that are created outside dist/ (by a person or a pipeline, never by Flux),
   * keyed `namespace/name`, with the config key that names them. Optional for older facts files.
   */
  readonly externalSecrets?: Readonly<Record<string, string>>;
}

/** A fault the config accepts on purpose: `clusters.<name>.acceptedFaults[]`. */
export interface AcceptedFault {
  readonly rule: VerifyRuleId;
  /** `Kind/namespace/name` (or `Kind/name`) of the object, exactly as the fault names it. */
  readonly object: string;
  readonly reason: string;
}

/** One cluster to verify: its folders in Flux apply order, and its facts. */
export interface VerifiedCluster {
  readonly facts: ClusterFacts;
  readonly folders: readonly VerifiedFolder[];
}

/** What the verifier found on one cluster: faults that fail the run, and faults the config accepts. */
export interface VerifyResult {
  readonly faults: readonly VerifyFault[];
  readonly accepted: readonly (VerifyFault & { readonly reason: string })[];
  /** Accepted-fault entries that match no fault (stale: the config should drop them). */
  readonly unusedAcceptances: readonly AcceptedFault[];
}

/** A verifier rule. */
export type VerifyRule = (cluster: VerifiedCluster) => VerifyFault[];
