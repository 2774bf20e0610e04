/**
 * Typed values of the official Airflow chart (chart 1.16 and later: Airflow 2.x and 3.x), limited to the keys
 * the platform sets. Helm ignores unknown keys, so the keys are spelled out once here and checked by the types.
 */
import { HelmContainerSecurity, HelmPodSecurity, HelmResources, helmResources, restrictedContainer } from './operator-values';

/** The label the chart puts on every Airflow pod with the release name (scheduler, task pods, jobs, ...). */
export const AIRFLOW_POD_SELECTOR_LABEL = 'release';

/**
 * The Airflow version each chart version runs by default (the chart's `airflowVersion`), for a config that sets
 * neither `airflowVersion` nor `imageTag`. Chart 1.18.0: values.yaml `airflowVersion: "3.0.2"`.
 */
export const CHART_AIRFLOW_VERSIONS: Readonly<Record<string, string>> = { '1.18.0': '3.0.2' };

/**
 * The Airflow version of an image tag: its leading X.Y.Z (`3.0.2-python3.12` -> `3.0.2`). The chart decides
 * Airflow 2 or 3 objects with `semverCompare` on `airflowVersion`; a suffix parses as a semver prerelease, which
 * no constraint without a prerelease matches (Masterminds/semver), so every `>=3.0.0` branch would be off.
 */
export function airflowVersionOfTag(tag: string): string | undefined {
  return /^([0-9]+\.[0-9]+\.[0-9]+)/.exec(tag)?.[1];
}

/** The auth manager of chart 1.18.0's defaults (values.yaml `config.core.auth_manager`), set explicitly. */
export const FAB_AUTH_MANAGER = 'airflow.providers.fab.auth_manager.fab_auth_manager.FabAuthManager';

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
  /** The image tag (may carry a suffix such as `-python3.12`). */
  readonly defaultAirflowTag?: string;
  readonly defaultAirflowDigest?: string;
  /** The pure X.Y.Z Airflow version: the chart's semver gates read it (never the image tag). */
  readonly airflowVersion: string;
  readonly labels: { readonly [key: string]: string };
  readonly securityContexts: { readonly pod: HelmPodSecurity & { readonly runAsGroup: number; readonly fsGroup: number }; readonly containers: HelmContainerSecurity };
  readonly postgresql: { readonly enabled: false };
  readonly redis: { readonly enabled: false };
  readonly pgbouncer: { readonly enabled: false };
  readonly statsd: { readonly enabled: false };
  readonly flower: { readonly enabled: false };
  readonly data: { readonly metadataSecretName: string };
  readonly fernetKeySecretName: string;
  /** Airflow 2 only (Flask secret key of the webserver). */
  readonly webserverSecretKeySecretName?: string;
  /** Airflow 3 only. */
  readonly apiSecretKeySecretName?: string;
  /** Airflow 3 only. */
  readonly jwtSecretName?: string;
  readonly dags: {
    readonly persistence: { readonly enabled: false };
    readonly gitSync: {
      readonly enabled: true;
      readonly repo: string;
      /** git-sync v4 `--ref` (GITSYNC_REF). */
      readonly ref: string;
      /** git-sync v3 names, kept equal to `ref` so v3 and v4 agree (v4 lets a set branch replace ref). */
      readonly branch: string;
      readonly rev: 'HEAD';
      readonly subPath: string;
      readonly credentialsSecret?: string;
      /** Secret with key `gitSshKey` (ssh:// repositories). */
      readonly sshKeySecret?: string;
      /** known_hosts lines of the Git host (ssh:// repositories: without them the host key is not verified). */
      readonly knownHosts?: string;
      readonly resources: HelmResources;
      readonly securityContexts: { readonly container: HelmContainerSecurity };
    };
  };
  readonly logs: { readonly persistence: { readonly enabled: false } };
  readonly env: readonly { readonly name: string; readonly value: string }[];
  readonly config: {
    readonly core: { readonly load_examples: 'False'; readonly auth_manager: string };
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
  readonly triggerer: ComponentValues & { readonly persistence: { readonly enabled: false } };
  readonly dagProcessor: ComponentValues;
  /**
   * On Airflow 3 only `defaultUser` matters: chart 1.18.0's create-user Job is still gated by
   * `webserver.defaultUser.enabled` (apache/airflow#53198); the rest of `webserver.*` is Airflow 2 only.
   */
  readonly webserver: Partial<ComponentValues> & { readonly defaultUser: { readonly enabled: false } };
  /** Airflow 3 only. */
  readonly apiServer?: ComponentValues;
  readonly migrateDatabaseJob: DatabaseJobValues;
  readonly createUserJob: DatabaseJobValues;
}

/** What `airflowValues` needs (the resolved props of the `Airflow` construct). */
export interface AirflowValuesInput {
  readonly releaseName: string;
  readonly imageTag?: string;
  readonly imageDigest?: string;
  /** The X.Y.Z Airflow version (resolved: given, from the image tag, or the chart's default). */
  readonly airflowVersion: string;
  readonly dags: {
    readonly repository: string; readonly branch?: string; readonly subPath?: string; readonly credentialsSecret?: string;
    readonly sshKeySecret?: string; readonly knownHosts?: string;
  };
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
  const airflow3 = Number(input.airflowVersion.split('.')[0]) >= 3;
  const branch = input.dags.branch ?? 'main';
  const ssh = input.dags.repository.startsWith('ssh://');
  return {
    executor: 'KubernetesExecutor',
    defaultAirflowTag: input.imageTag,
    airflowVersion: input.airflowVersion,
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
    webserverSecretKeySecretName: airflow3 ? undefined : input.secretNames.webserverSecretKey,
    apiSecretKeySecretName: airflow3 ? input.secretNames.apiSecretKey : undefined,
    jwtSecretName: airflow3 ? input.secretNames.jwtSecret : undefined,
    dags: {
      persistence: { enabled: false },
      gitSync: {
        enabled: true,
        repo: input.dags.repository,
        ref: branch,
        branch,
        rev: 'HEAD',
        subPath: input.dags.subPath ?? '',
        // The chart's git-sync env takes sshKeySecret first (then no username/password env at all).
        credentialsSecret: ssh ? undefined : input.dags.credentialsSecret,
        sshKeySecret: ssh ? input.dags.sshKeySecret : undefined,
        knownHosts: ssh ? input.dags.knownHosts : undefined,
        resources: helmResources('50m', '64Mi', '200m', '256Mi'),
        securityContexts: { container: restrictedContainer(false) },
      },
    },
    logs: { persistence: { enabled: false } },
    env: [{ name: `AIRFLOW_CONN_${REMOTE_LOG_CONNECTION_ID.toUpperCase()}`, value: blobConnection }],
    config: {
      // FAB, as the chart's default: users are created with `airflow users create` (docs/gitops.md, Airflow login).
      core: { load_examples: 'False', auth_manager: FAB_AUTH_MANAGER },
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
    // Logs go to Blob storage: no 100Gi volume (chart default triggerer.persistence.enabled true, a StatefulSet).
    triggerer: { ...account(components, helmResources('100m', '512Mi', '500m', '1Gi')), persistence: { enabled: false } },
    dagProcessor: account(components, helmResources('250m', '512Mi', '1', '1Gi')),
    webserver: airflow3
      ? { defaultUser: { enabled: false } }
      : { ...account(components, helmResources('250m', '1Gi', '1', '2Gi')), defaultUser: { enabled: false } },
    apiServer: airflow3 ? account(components, helmResources('250m', '1Gi', '1', '2Gi')) : undefined,
    migrateDatabaseJob: databaseJob(components),
    createUserJob: databaseJob(components),
  };
}
