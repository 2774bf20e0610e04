/**
 * Typed values of the official Airflow chart (chart 1.16 and later: Airflow 2.x and 3.x), limited to the keys
 * the platform sets. Helm ignores unknown keys, so the keys are spelled out once here and checked by the types.
 */
import { HelmContainerSecurity, HelmPodSecurity, HelmResources, helmResources, restrictedContainer } from './operator-values';

/** The label the chart puts on every Airflow pod with the release name (scheduler, task pods, jobs, ...). */
export const AIRFLOW_POD_SELECTOR_LABEL = 'release';

/** The Airflow user of the official images. */
const AIRFLOW_UID = 50000;

/** A component that runs as an existing ServiceAccount. */
interface ComponentValues {
  readonly serviceAccount: { readonly create: false; readonly name: string };
  readonly resources?: HelmResources;
}

/** A database job that runs as a plain Job (no Helm hook), so Flux waits for it like any other object. */
interface DatabaseJobValues extends ComponentValues {
  readonly useHelmHooks: false;
  readonly applyCustomEnv: false;
}

/** The keys of the Airflow chart the platform sets. */
export interface AirflowValues {
  readonly executor: 'KubernetesExecutor';
  readonly defaultAirflowTag?: string;
  readonly defaultAirflowDigest?: string;
  readonly airflowVersion?: string;
  readonly labels: { readonly [key: string]: string };
  readonly securityContexts: { readonly pod: HelmPodSecurity & { readonly runAsGroup: number; readonly fsGroup: number }; readonly containers: HelmContainerSecurity };
  readonly postgresql: { readonly enabled: false };
  readonly redis: { readonly enabled: false };
  readonly pgbouncer: { readonly enabled: false };
  readonly statsd: { readonly enabled: false };
  readonly flower: { readonly enabled: false };
  readonly data: { readonly metadataSecretName: string };
  readonly fernetKeySecretName: string;
  readonly webserverSecretKeySecretName: string;
  readonly apiSecretKeySecretName: string;
  readonly jwtSecretName: string;
  readonly dags: {
    readonly persistence: { readonly enabled: false };
    readonly gitSync: {
      readonly enabled: true;
      readonly repo: string;
      readonly branch: string;
      readonly rev: 'HEAD';
      readonly subPath: string;
      readonly credentialsSecret?: string;
      readonly resources: HelmResources;
      readonly securityContexts: { readonly container: HelmContainerSecurity };
    };
  };
  readonly logs: { readonly persistence: { readonly enabled: false } };
  readonly env: readonly { readonly name: string; readonly value: string }[];
  readonly config: {
    readonly core: { readonly load_examples: 'False' };
    readonly logging: {
      readonly remote_logging: 'True';
      readonly remote_base_log_folder: string;
      readonly remote_log_conn_id: string;
      readonly delete_local_logs: 'True';
    };
    readonly azure_remote_logging: { readonly remote_wasb_log_container: string };
  };
  readonly scheduler: ComponentValues;
  readonly workers: ComponentValues;
  readonly triggerer: ComponentValues;
  readonly dagProcessor: ComponentValues;
  readonly webserver: ComponentValues & { readonly defaultUser: { readonly enabled: false } };
  readonly apiServer: ComponentValues;
  readonly migrateDatabaseJob: DatabaseJobValues;
  readonly createUserJob: DatabaseJobValues;
}

/** What `airflowValues` needs (the resolved props of the `Airflow` construct). */
export interface AirflowValuesInput {
  readonly releaseName: string;
  readonly imageTag?: string;
  readonly imageDigest?: string;
  readonly dags: { readonly repository: string; readonly branch?: string; readonly subPath?: string; readonly credentialsSecret?: string };
  readonly remoteLogs: { readonly storageAccount: string; readonly container: string; readonly folder: string };
  readonly metadataSecretName: string;
  readonly secretNames: { readonly fernetKey: string; readonly webserverSecretKey: string; readonly apiSecretKey: string; readonly jwtSecret: string };
  readonly serviceAccounts: { readonly scheduler: string; readonly workers: string; readonly components: string };
  readonly identityPodLabels: { readonly [key: string]: string };
}

/** Connection id of the Azure Blob connection used for remote logs. */
export const REMOTE_LOG_CONNECTION_ID = 'wasb_logs';

/** The Helm values of an Airflow release for GitOps. */
export function airflowValues(input: AirflowValuesInput): AirflowValues {
  const account = (name: string, resources?: HelmResources): ComponentValues => ({ serviceAccount: { create: false, name }, resources });
  const databaseJob = (name: string): DatabaseJobValues => ({ ...account(name), useHelmHooks: false, applyCustomEnv: false });
  const components = input.serviceAccounts.components;
  // The Azure SDK behind the wasb connection uses DefaultAzureCredential when the connection has no secret,
  // which picks up the Workload Identity token the webhook projects into the pod.
  const blobConnection = JSON.stringify({ conn_type: 'wasb', host: `https://${input.remoteLogs.storageAccount}.blob.core.windows.net/` });
  return {
    executor: 'KubernetesExecutor',
    defaultAirflowTag: input.imageTag,
    airflowVersion: input.imageTag,
    defaultAirflowDigest: input.imageDigest,
    labels: { ...input.identityPodLabels },
    securityContexts: {
      pod: { runAsNonRoot: true, runAsUser: AIRFLOW_UID, runAsGroup: 0, fsGroup: 0, seccompProfile: { type: 'RuntimeDefault' } },
      containers: restrictedContainer(false),
    },
    postgresql: { enabled: false },
    redis: { enabled: false },
    pgbouncer: { enabled: false },
    statsd: { enabled: false },
    flower: { enabled: false },
    data: { metadataSecretName: input.metadataSecretName },
    fernetKeySecretName: input.secretNames.fernetKey,
    webserverSecretKeySecretName: input.secretNames.webserverSecretKey,
    apiSecretKeySecretName: input.secretNames.apiSecretKey,
    jwtSecretName: input.secretNames.jwtSecret,
    dags: {
      persistence: { enabled: false },
      gitSync: {
        enabled: true,
        repo: input.dags.repository,
        branch: input.dags.branch ?? 'main',
        rev: 'HEAD',
        subPath: input.dags.subPath ?? '',
        credentialsSecret: input.dags.credentialsSecret,
        resources: helmResources('50m', '64Mi', '200m', '256Mi'),
        securityContexts: { container: restrictedContainer(false) },
      },
    },
    logs: { persistence: { enabled: false } },
    env: [{ name: `AIRFLOW_CONN_${REMOTE_LOG_CONNECTION_ID.toUpperCase()}`, value: blobConnection }],
    config: {
      core: { load_examples: 'False' },
      logging: {
        remote_logging: 'True',
        remote_base_log_folder: `wasb-logs/${input.remoteLogs.folder}`,
        remote_log_conn_id: REMOTE_LOG_CONNECTION_ID,
        delete_local_logs: 'True',
      },
      azure_remote_logging: { remote_wasb_log_container: input.remoteLogs.container },
    },
    scheduler: account(input.serviceAccounts.scheduler, helmResources('500m', '1Gi', '1', '2Gi')),
    workers: account(input.serviceAccounts.workers, helmResources('500m', '1Gi', '1', '2Gi')),
    triggerer: account(components, helmResources('100m', '512Mi', '500m', '1Gi')),
    dagProcessor: account(components, helmResources('250m', '512Mi', '1', '1Gi')),
    webserver: { ...account(components, helmResources('250m', '1Gi', '1', '2Gi')), defaultUser: { enabled: false } },
    apiServer: account(components, helmResources('250m', '1Gi', '1', '2Gi')),
    migrateDatabaseJob: databaseJob(components),
    createUserJob: databaseJob(components),
  };
}
