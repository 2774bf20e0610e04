/**
 * The notebooks section of a cluster (`clusters.<name>.notebooks`): JupyterHub (chart jupyterhub, pinned under
 * operators.jupyterhub) with Microsoft Entra ID sign-in, per-user pods with a Workload Identity, persistent home
 * volumes, idle culling and profiles.
 */
import { Closed, DNS_LABEL_PATTERN, DnsLabel, Guid, NameMap, Pattern, Quantity, Type, Static } from '../config/schema-helpers';
import { HOSTNAME_PATTERN } from '../serving/config';

export const NotebookProfileSchema = Closed({
  displayName: Type.String({ minLength: 1, description: 'name shown in the spawn form' }),
  cpu: Type.Number({ exclusiveMinimum: 0, maximum: 96, description: 'CPU cores (guarantee and limit)' }),
  memory: Quantity('memory (guarantee and limit), such as 8Gi'),
  gpus: Type.Optional(Type.Integer({ minimum: 1, maximum: 8, description: 'NVIDIA GPUs (the profile runs on gpuPool)' })),
  gpuPool: Type.Optional(Pattern('^[a-z][a-z0-9]{0,11}$', 'GPU pool of the cluster for this profile (required with gpus)')),
  default: Type.Optional(Type.Boolean({ description: 'the profile preselected in the form. Default: the first profile' })),
}, { description: 'a server size users can pick' });

export const NotebooksSchema = Closed({
  namespace: DnsLabel('namespace of JupyterHub and the user pods (declared under namespaces, restricted)'),
  identity: DnsLabel('identity (a key of the top-level identities) of the user pods (Workload Identity: the data lake without keys)'),
  nodePool: Pattern('^[a-z][a-z0-9]{0,11}$', 'User pool of the hub, the proxy and CPU user pods'),
  image: Pattern('^[a-z0-9][-a-z0-9._/]*:[-a-zA-Z0-9._]+$', 'single-user image with a tag, such as quay.io/jupyter/pyspark-notebook:spark-4.0.1'),
  auth: Closed({
    clientId: Guid('application (client) ID of the Entra ID app registration'),
    clientSecretSecret: Pattern('^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$', 'Secret created outside dist/ with key client-secret (the app registration\'s secret)'),
    callbackUrl: Pattern('^https://[a-z0-9]([-a-z0-9.]*[a-z0-9])?(:[0-9]+)?/hub/oauth_callback$', 'redirect URI registered on the app: https://<host>/hub/oauth_callback'),
    allowedGroups: Type.Array(Guid('object ID of an Entra ID group'), { minItems: 1, uniqueItems: true, description: 'Entra ID groups whose members may sign in (the token\'s groups claim)' }),
    adminGroups: Type.Optional(Type.Array(Guid('object ID of an Entra ID group'), { uniqueItems: true, description: 'groups whose members are JupyterHub admins. Default: none' })),
  }, { description: 'Microsoft Entra ID sign-in (OAuth2/OIDC through oauthenticator\'s AzureAdOAuthenticator)' }),
  home: Closed({
    storageClass: DnsLabel('storage class of the home volumes'),
    size: Quantity('size of each user\'s home volume'),
  }, { description: 'a persistent home volume per user' }),
  idleCullMinutes: Type.Optional(Type.Integer({ minimum: 5, maximum: 10080, description: 'servers idle this long are stopped (their home volume stays). Default: 60' })),
  profiles: NameMap(NotebookProfileSchema, DNS_LABEL_PATTERN, 'profile slugs (DNS labels)'),
  route: Type.Optional(Closed({
    host: Type.Optional(Pattern(HOSTNAME_PATTERN, 'host name of the hub: the host of auth.callbackUrl, and routing.hostname or one of routing.hosts. Default: the host of auth.callbackUrl')),
    timeoutSeconds: Type.Optional(Type.Integer({ minimum: 1, maximum: 3600, description: 'request timeout in seconds. Default: routing.defaultTimeoutSeconds' })),
  }, { description: 'JupyterHub (its proxy) at the root of its host through the cluster\'s routing' })),
  kafkaClient: Type.Optional(DnsLabel('a streaming client (a key of streaming.clients, in this namespace) whose Kafka access user pods get')),
  sparkSubmission: Type.Optional(Closed({
    namespace: DnsLabel('Spark namespace (a key of dataProcessing.spark.namespaces) notebooks submit SparkApplications to'),
  }, { description: 'batch jobs from notebooks as SparkApplications through the Kubernetes API (the user pods\' ServiceAccount is bound to the spark-submitter Role)' })),
}, { description: 'notebooks: JupyterHub with Entra ID sign-in, Workload Identity, home volumes, culling and profiles' });

export type NotebooksConfig = Static<typeof NotebooksSchema>;
export type NotebookProfileConfig = Static<typeof NotebookProfileSchema>;
