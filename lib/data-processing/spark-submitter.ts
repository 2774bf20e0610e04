import { Construct } from 'constructs';
import * as k8s from '../core/k8s';

/**
 * What a submitter may do in a Spark namespace: create SparkApplications and follow them (the operator runs them
 * with the namespace's own ServiceAccount, so the submitter never gets pod, Secret or RBAC rights).
 */
export const SPARK_SUBMITTER_RULES: readonly k8s.PolicyRule[] = [
  { apiGroups: ['sparkoperator.k8s.io'], resources: ['sparkapplications'], verbs: ['create', 'delete', 'get', 'list', 'watch'] },
  { apiGroups: ['sparkoperator.k8s.io'], resources: ['sparkapplications/status'], verbs: ['get'] },
];

/** A ServiceAccount that submits Spark batch jobs. */
export interface SparkSubmitterAccount {
  /** Namespace of the ServiceAccount. */
  readonly namespace: string;
  /** Name of the ServiceAccount. */
  readonly name: string;
}

/** Properties for `SparkSubmitter`. */
export interface SparkSubmitterProps {
  /** Who submits (`nifi`, `notebooks`): the Role and RoleBinding are `spark-submitter-<name>`. */
  readonly name: string;
  /** The Spark namespace applications are submitted to. */
  readonly namespace: string;
  /** ServiceAccounts (of NiFi, notebooks, ...) that may submit. */
  readonly submitters: readonly SparkSubmitterAccount[];
}

/**
 * Spark batch submission over REST through the Kubernetes API: a Role in a Spark namespace that lets the listed
 * ServiceAccounts create, follow and delete `SparkApplication`s (`POST /apis/sparkoperator.k8s.io/v1beta2/
 * namespaces/<ns>/sparkapplications`), which the Spark operator then runs. This replaces the seed's Livy
 * `POST /batches`: no Livy release runs Spark on Kubernetes (apache/livy PRs #167 LIVY-588 and #249 LIVY-702 were
 * closed unmerged; 0.8.0-incubating has Spark 3 builds for Scala 2.11/2.12, Spark 4 is Scala 2.13), and no home-made REST server is
 * needed since the API server already is one, with authentication, RBAC and audit.
 */
export class SparkSubmitter extends Construct {
  /** The Role. */
  public readonly role: k8s.KubeRole;

  constructor(scope: Construct, id: string, props: SparkSubmitterProps) {
    super(scope, id);
    if (props.submitters.length === 0) throw new Error(`SparkSubmitter '${id}': 'submitters' is empty; name the ServiceAccounts that submit Spark jobs to '${props.namespace}'`);
    const name = `spark-submitter-${props.name}`;
    this.role = new k8s.KubeRole(this, 'role', {
      metadata: { name, namespace: props.namespace },
      rules: SPARK_SUBMITTER_RULES.map((rule) => ({ ...rule, apiGroups: [...rule.apiGroups!], resources: [...rule.resources!], verbs: [...rule.verbs] })),
    });
    new k8s.KubeRoleBinding(this, 'binding', {
      metadata: { name, namespace: props.namespace },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name },
      subjects: [...props.submitters]
        .sort((a, b) => `${a.namespace}/${a.name}` < `${b.namespace}/${b.name}` ? -1 : 1)
        .map((account) => ({ kind: 'ServiceAccount', name: account.name, namespace: account.namespace })),
    });
  }
}
