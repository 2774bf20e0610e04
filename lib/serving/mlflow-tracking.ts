import { Construct } from 'constructs';
import { declareExternalSecret } from '../core/external-secrets';
import { ContainerResources } from '../core/container-security';
import { AZURE_HTTPS_EGRESS } from '../core/network-policies';
import { NodePoolPlacement } from '../core/node-pool';
import { RouteBackend } from './route-backend';
import { HttpMicroservice } from './http-microservice';
import { PodIdentityBinding } from '../identity/pod-identity-binding';

/** Port the tracking server listens on. */
export const MLFLOW_PORT = 5000;
/** Replicas of the tracking server when the config sets none. */
export const DEFAULT_MLFLOW_REPLICAS = 2;

/** Environment variable that carries the backend store URI from its Secret into the server arguments. */
const BACKEND_STORE_ENV = 'MLFLOW_BACKEND_STORE_URI';

/** Where the server keeps artifacts: an Azure Blob container, reached through Workload Identity. */
export interface MlflowArtifactStore {
  /** Storage account name. */
  readonly storageAccount: string;
  /** Blob container. */
  readonly container: string;
  /**
   * Path inside the container.
   * @default - the container root
   */
  readonly path?: string;
}

/** Properties for `MlflowTracking`. */
export interface MlflowTrackingProps {
  /**
   * Name of the Deployment and Service.
   * @default 'mlflow'
   */
  readonly name?: string;
  /** Namespace. */
  readonly namespace: string;
  /** MLflow server image (with psycopg2, azure-storage-blob and azure-identity installed), tag pinned. */
  readonly image: string;
  /**
   * Replicas (the server is stateless with a Postgres backend).
   * @default 2
   */
  readonly replicas?: number;
  /** Secret (created outside dist/) and key holding the `postgresql://` backend store URI. */
  readonly backendStoreSecret: { readonly name: string; readonly key: string };
  /** Where artifacts go; the server proxies them (`--serve-artifacts`), so clients need no storage access. */
  readonly artifacts: MlflowArtifactStore;
  /** Identity with write access to the artifact container (Storage Blob Data Contributor). */
  readonly identity: PodIdentityBinding;
  /** Requests and limits of the server container. */
  readonly resources: ContainerResources;
  /**
   * URL path prefix of the UI and API (`--static-prefix`), which the route matches without rewriting.
   * @default '/mlflow'
   */
  readonly pathPrefix?: string;
  /**
   * Node pool the server runs on.
   * @default - anywhere the scheduler puts it
   */
  readonly nodePool?: NodePoolPlacement;
  /**
   * TCP port of the Postgres server the backend store URI points at, opened for egress.
   * @default 5432
   */
  readonly postgresPort?: number;
}

/**
 * The MLflow tracking server: `mlflow server` with a Postgres backend store whose URI comes from a Secret,
 * artifacts proxied to Azure Blob through Workload Identity (MLflow's Azure artifact repository falls back to
 * DefaultAzureCredential, so no storage key exists anywhere), `/health` probes under the path prefix, and a
 * Service that routes reach through `backend`. Built on `HttpMicroservice`.
 */
export class MlflowTracking extends Construct {
  /** The server workload (Deployment, Service, disruption budget, egress policy). */
  public readonly server: HttpMicroservice;
  /** The artifact destination the server writes to. */
  public readonly artifactsDestination: string;
  /** The URL path prefix of UI and API. */
  public readonly pathPrefix: string;
  /** The Service as routes see it. */
  public readonly backend: RouteBackend;

  constructor(scope: Construct, id: string, props: MlflowTrackingProps) {
    super(scope, id);
    declareExternalSecret(this, { namespace: props.namespace, name: props.backendStoreSecret.name, purpose: `MLflow '${id}': key ${props.backendStoreSecret.key}, the backend store URI` });
    this.pathPrefix = props.pathPrefix ?? '/mlflow';
    this.validateProps(id, props);
    const { storageAccount, container, path } = props.artifacts;
    this.artifactsDestination = `wasbs://${container}@${storageAccount}.blob.core.windows.net${path ? `/${path.replace(/\/+$/, '')}` : ''}`;

    this.server = new HttpMicroservice(this, 'Resource', {
      name: props.name ?? 'mlflow',
      namespace: props.namespace,
      image: props.image,
      containerPort: MLFLOW_PORT,
      replicas: props.replicas ?? DEFAULT_MLFLOW_REPLICAS,
      resources: props.resources,
      command: ['mlflow'],
      args: [
        'server',
        '--host', '0.0.0.0',
        '--port', String(MLFLOW_PORT),
        '--backend-store-uri', `$(${BACKEND_STORE_ENV})`,
        '--artifacts-destination', this.artifactsDestination,
        '--serve-artifacts',
        '--static-prefix', this.pathPrefix,
      ],
      env: { HOME: '/tmp' },
      secretEnv: { [BACKEND_STORE_ENV]: { secretName: props.backendStoreSecret.name, key: props.backendStoreSecret.key } },
      probePath: `${this.pathPrefix}/health`,
      identity: props.identity,
      nodePool: props.nodePool,
      egress: { peers: AZURE_HTTPS_EGRESS.peers, ports: [...AZURE_HTTPS_EGRESS.ports, props.postgresPort ?? 5432] },
    });
    this.backend = this.server.backend;
  }

  private validateProps(id: string, props: MlflowTrackingProps): void {
    const prefix = `MlflowTracking '${id}'`;
    if (!/^\/[a-z0-9][-a-z0-9/]*[a-z0-9]$/.test(this.pathPrefix)) {
      throw new Error(`${prefix}: 'pathPrefix' ("${this.pathPrefix}") must start with '/' and hold lowercase letters, digits, '-' and '/', without a trailing '/', such as /mlflow`);
    }
    if (!/^[a-z0-9]{3,24}$/.test(props.artifacts.storageAccount)) {
      throw new Error(`${prefix}: 'artifacts.storageAccount' ("${props.artifacts.storageAccount}") must be a storage account name: 3 to 24 lowercase letters and digits`);
    }
    if (!/^[a-z0-9](?:[a-z0-9]|-(?=[a-z0-9])){2,62}$/.test(props.artifacts.container)) {
      throw new Error(`${prefix}: 'artifacts.container' ("${props.artifacts.container}") must be a blob container name: 3 to 63 lowercase letters, digits and single '-'`);
    }
    if (props.identity.namespace !== props.namespace) {
      throw new Error(`${prefix}: 'identity' is bound in namespace '${props.identity.namespace}', not '${props.namespace}'; create the binding in '${props.namespace}'`);
    }
  }
}
