import { Construct } from 'constructs';
import { ContainerResources } from '../core/container-security';
import { AKS_AGENT_POOL_LABEL, NodePoolPlacement, poolTolerations } from '../core/node-pool';
import { PinnedHelmRelease } from '../gitops/helm-release-pinned';
import { ANY_ADDRESS, declareFlows } from '../core/flows';
import { API_SERVER_PORTS, apiServerEgressRule } from '../core/network-policies';
import type { RouteBackend } from '../serving/route-backend';
import { declareFolderPlacement } from '../core/folder-placement';
import { declareExternalSecret } from '../core/external-secrets';

/** A server size users can pick. */
export interface NotebookProfile {
  /** Slug (a DNS label). */
  readonly slug: string;
  /** Name in the spawn form. */
  readonly displayName: string;
  /** CPU cores (guarantee and limit). */
  readonly cpu: number;
  /** Memory (guarantee and limit), a Kubernetes quantity. */
  readonly memory: string;
  /**
   * GPUs and the GPU pool they are on.
   * @default - a CPU profile on the notebooks pool
   */
  readonly gpu?: { readonly count: number; readonly pool: NodePoolPlacement };
  /**
   * Preselected in the form.
   * @default false
   */
  readonly default?: boolean;
}

/** Egress of user pods to a data service of the cluster. */
export interface NotebookEgress {
  /** Why (for the verifier's declared flows). */
  readonly purpose: string;
  /** Pods of a namespace, or an address range; omitted: any destination on the ports (the API server, see `apiServerEgressRule`). */
  readonly to?: { readonly namespace: string; readonly podLabels?: { readonly [key: string]: string } } | { readonly cidr: string };
  /** TCP ports. */
  readonly ports: readonly number[];
}

/** Properties for `JupyterHub`. */
export interface JupyterHubProps {
  /** Namespace of the hub, proxy and user pods (it exists, with the platform baseline). */
  readonly namespace: string;
  /** The pinned chart. */
  readonly chart: { readonly repository: string; readonly version: string };
  /** Entra ID tenant. */
  readonly tenantId: string;
  /** App registration client ID. */
  readonly clientId: string;
  /** Secret outside dist/ with key `client-secret`. */
  readonly clientSecretSecretName: string;
  /** Redirect URI (`https://<host>/hub/oauth_callback`). */
  readonly callbackUrl: string;
  /** Entra ID groups allowed to sign in. */
  readonly allowedGroups: readonly string[];
  /**
   * Entra ID groups of admins.
   * @default - none
   */
  readonly adminGroups?: readonly string[];
  /** The pool of the hub, proxy and CPU user pods. */
  readonly nodePool: NodePoolPlacement;
  /** Single-user image `name:tag`. */
  readonly image: string;
  /** ServiceAccount of the user pods (a Workload Identity's) and the labels its identity needs. */
  readonly userIdentity: { readonly serviceAccountName: string; readonly podLabels: { readonly [key: string]: string } };
  /** Home volumes. */
  readonly home: { readonly storageClassName: string; readonly size: string };
  /**
   * Idle servers are stopped after this many minutes.
   * @default 60
   */
  readonly idleCullMinutes?: number;
  /** Profiles (at least one). */
  readonly profiles: readonly NotebookProfile[];
  /**
   * Data services user pods may reach (Spark, Kafka, HDFS where they exist).
   * @default - none besides DNS, Entra ID and Azure Storage
   */
  readonly egress?: readonly NotebookEgress[];
  /**
   * Labels user pods carry (such as a Kafka client's).
   * @default - none
   */
  readonly userPodLabels?: { readonly [key: string]: string };
  /**
   * Flux reconcile interval.
   * @default '30m'
   */
  readonly interval?: string;
}

/** Release name of the chart (its pods' `release` label and the prefix-free resource names). */
export const JUPYTERHUB_RELEASE = 'jupyterhub';

/**
 * The chart's proxy (configurable-http-proxy) as routes see it, zero-to-jupyterhub-k8s 4.4.0: Service
 * `proxy-public` (templates/_helpers-names.tpl: no prefix with fullnameOverride "", the chart default) with port
 * `http` 80 to the pod's port `http` 8000 (templates/proxy/service.yaml with proxy.https off; deployment.yaml
 * `--port=8000`), pods labelled by `jupyterhub.matchLabels` (component: proxy, app: jupyterhub, release: <release>;
 * templates/_helpers.tpl).
 */
export const JUPYTERHUB_PROXY = {
  serviceName: 'proxy-public',
  port: 80,
  targetPort: 8000,
  podLabels: { component: 'proxy', app: 'jupyterhub', release: JUPYTERHUB_RELEASE },
} as const;

/** Labels of the hub pods (`jupyterhub.matchLabels` with component hub, zero-to-jupyterhub-k8s 4.4.0 templates/_helpers.tpl). */
export const JUPYTERHUB_HUB_POD_LABELS = { component: 'hub', app: 'jupyterhub', release: JUPYTERHUB_RELEASE } as const;

/** Label the chart puts on user pods (`component: singleuser-server`, zero-to-jupyterhub 4.4.0 KubeSpawner config). */
export const JUPYTER_USER_POD_LABELS = { component: 'singleuser-server' } as const;

/** Resources of the hub container. */
export const HUB_RESOURCES: ContainerResources = { request: { cpu: '100m', memory: '512Mi' }, limit: { cpu: '1', memory: '1Gi' } };
/** Resources of the proxy (configurable-http-proxy) container. */
export const PROXY_RESOURCES: ContainerResources = { request: { cpu: '100m', memory: '256Mi' }, limit: { cpu: '500m', memory: '512Mi' } };

function gib(quantity: string): string {
  // KubeSpawner takes memory as bytes or with K/M/G/T suffixes (decimal or binary forms both accepted as written).
  return quantity.replace(/i$/, '');
}

/**
 * JupyterHub from the zero-to-jupyterhub chart (4.4.0) as a Flux HelmRelease in its namespace, configured for the
 * platform:
 * - sign-in with Microsoft Entra ID (`authenticator_class: azuread`, oauthenticator's AzureAdOAuthenticator), the
 *   client secret from a Secret outside dist/ (`OAUTH_CLIENT_SECRET`, the environment variable oauthenticator
 *   reads), Entra ID's v2.0 endpoints with `openid profile email` and the username from `preferred_username`, only
 *   members of the allowed groups (`allowed_groups` on the ID token's `groups` claim; see `entraSignIn`);
 * - user pods on the configured pool with the configured image, running as the identity's ServiceAccount with its
 *   labels (Workload Identity), restricted security contexts (KubeSpawner `container_security_context` and
 *   `pod_security_context`: the chart sets only `allowPrivilegeEscalation`), and without the chart's privileged
 *   iptables init container (`cloudMetadata.blockWithIptables: false`; the NetworkPolicy keeps the metadata server
 *   blocked: `egressAllowRules.cloudMetadataServer: false`);
 * - a persistent home volume per user, idle culling, one profile per configured size (GPU profiles on the GPU pool
 *   with `nvidia.com/gpu` limits and the pool's tolerations);
 * - no user scheduler, placeholders or image pre-puller (their pods are extra privileged-free workloads the
 *   platform does not need), and the proxy as a ClusterIP Service (routes are the platform's job).
 */
export class JupyterHub extends Construct {
  /** The HelmRelease. */
  public readonly release: PinnedHelmRelease;
  /** The proxy's Service, which a route to the hub points at. */
  public readonly backend: RouteBackend;

  constructor(scope: Construct, id: string, props: JupyterHubProps) {
    super(scope, id);
    declareFolderPlacement(this, 'service');
    const prefix = `JupyterHub '${id}'`;
    if (props.profiles.length === 0) throw new Error(`${prefix}: 'profiles' is empty; add at least one server size`);
    if (!/^[A-Za-z0-9][-A-Za-z0-9.]*$/.test(props.tenantId)) throw new Error(`${prefix}: 'tenantId' ("${props.tenantId}") must be an Entra ID tenant ID (a GUID) or domain; it is part of the sign-in URLs`);
    if (props.allowedGroups.length === 0) throw new Error(`${prefix}: 'allowedGroups' is empty; nobody could sign in (or everybody of the tenant, which is worse)`);
    if (!/^https:\/\/[^\s/]+\/hub\/oauth_callback$/.test(props.callbackUrl)) throw new Error(`${prefix}: 'callbackUrl' ("${props.callbackUrl}") must be https://<host>/hub/oauth_callback`);
    const [name, tag] = splitImage(props.image);
    const defaultSlug = (props.profiles.find((p) => p.default) ?? props.profiles[0]).slug;
    const restrictedContainer = { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } };

    const values = {
      hub: {
        // hub.config takes the JupyterHub class (the chart's values know only that one); the other traitlets go
        // into hub.extraConfig, which the chart's jupyterhub_config.py loads after its own settings.
        config: { JupyterHub: { authenticator_class: 'azuread', admin_access: false } },
        extraConfig: { platform: traitletsConfig({
          AzureAdOAuthenticator: {
            tenant_id: props.tenantId,
            client_id: props.clientId,
            oauth_callback_url: props.callbackUrl,
            ...entraSignIn(props.tenantId),
            manage_groups: true,
            allowed_groups: [...props.allowedGroups].sort(),
            ...(props.adminGroups?.length ? { admin_groups: [...props.adminGroups].sort() } : {}),
          },
          KubeSpawner: {
            container_security_context: restrictedContainer,
            pod_security_context: { runAsNonRoot: true, fsGroup: 100, seccompProfile: { type: 'RuntimeDefault' } },
            extra_labels: { 'hub.jupyter.org/network-access-hub': 'true', ...props.userIdentity.podLabels, ...(props.userPodLabels ?? {}) },
          },
        }) },
        extraEnv: { OAUTH_CLIENT_SECRET: { valueFrom: { secretKeyRef: { name: props.clientSecretSecretName, key: 'client-secret' } } } },
        nodeSelector: { [AKS_AGENT_POOL_LABEL]: props.nodePool.name },
        tolerations: poolTolerations(props.nodePool) ?? [],
        resources: helmResources(HUB_RESOURCES),
        // KubeSpawner in the hub calls the API server (user pods and PVCs). The chart's hub policy allows only
        // ipBlock rules by default (zero-to-jupyterhub-k8s 4.4.0 values.yaml hub.networkPolicy.egressAllowRules,
        // templates/_helpers-netpol.tpl), which a Cilium dataplane does not apply to the API server; its
        // `hub.networkPolicy.egress` rules are appended to the hub's policy (templates/hub/netpol.yaml), so the hub
        // gets the platform's port-only rule (lib/core apiServerEgressRule).
        networkPolicy: { egress: [apiServerEgress()] },
      },
      proxy: {
        service: { type: 'ClusterIP' },
        // The chart's proxy NetworkPolicy admits its http and https ports from anywhere by default
        // (proxy.chp.networkPolicy.allowedIngressPorts: [http, https], templates/proxy/netpol.yaml). None here: the
        // gateway's access rule (a NetworkPolicy of the routes) admits only the gateway namespace, on 8000.
        chp: {
          resources: helmResources(PROXY_RESOURCES),
          nodeSelector: { [AKS_AGENT_POOL_LABEL]: props.nodePool.name },
          networkPolicy: { allowedIngressPorts: [] },
        },
      },
      singleuser: {
        image: { name, tag },
        nodeSelector: { [AKS_AGENT_POOL_LABEL]: props.nodePool.name },
        extraTolerations: poolTolerations(props.nodePool) ?? [],
        serviceAccountName: props.userIdentity.serviceAccountName,
        cloudMetadata: { blockWithIptables: false, ip: '169.254.169.254' },
        networkPolicy: {
          enabled: true,
          egressAllowRules: { cloudMetadataServer: false, privateIPs: false, nonPrivateIPs: true },
          egress: (props.egress ?? []).map((rule) => ({
            ...(rule.to === undefined ? {} : {
              to: ['cidr' in rule.to
                ? { ipBlock: { cidr: rule.to.cidr } }
                : { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': rule.to.namespace } }, ...(rule.to.podLabels ? { podSelector: { matchLabels: { ...rule.to.podLabels } } } : {}) }],
            }),
            ports: [...rule.ports].sort((a, b) => a - b).map((port) => ({ protocol: 'TCP', port })),
          })),
        },
        storage: { type: 'dynamic', capacity: props.home.size, dynamic: { storageClass: props.home.storageClassName } },
        profileList: props.profiles.map((profile) => ({
          display_name: profile.displayName,
          slug: profile.slug,
          default: profile.slug === defaultSlug ? true : undefined,
          kubespawner_override: {
            cpu_guarantee: profile.cpu,
            cpu_limit: profile.cpu,
            mem_guarantee: gib(profile.memory),
            mem_limit: gib(profile.memory),
            ...(profile.gpu ? {
              extra_resource_limits: { 'nvidia.com/gpu': String(profile.gpu.count) },
              node_selector: { [AKS_AGENT_POOL_LABEL]: profile.gpu.pool.name },
              tolerations: poolTolerations(profile.gpu.pool) ?? [],
            } : {}),
          },
        })),
      },
      cull: { enabled: true, timeout: (props.idleCullMinutes ?? 60) * 60, every: 600 },
      scheduling: { userScheduler: { enabled: false }, userPlaceholder: { enabled: false } },
      prePuller: { hook: { enabled: false }, continuous: { enabled: false } },
    };

    this.backend = {
      namespace: props.namespace,
      serviceName: JUPYTERHUB_PROXY.serviceName,
      ports: [{ port: JUPYTERHUB_PROXY.port, targetPort: JUPYTERHUB_PROXY.targetPort, name: 'http' }],
      podLabels: { ...JUPYTERHUB_PROXY.podLabels },
    };
    declareExternalSecret(this, { namespace: props.namespace, name: props.clientSecretSecretName, purpose: `JupyterHub '${id}': key client-secret, the Entra ID app registration's client secret (hub.extraEnv OAUTH_CLIENT_SECRET; the hub does not start without it)` });
    declareFlows(this, { purpose: 'JupyterHub hub (KubeSpawner) calls the API server', from: { namespace: props.namespace, podLabels: { ...JUPYTERHUB_HUB_POD_LABELS } }, to: { cidr: ANY_ADDRESS } }, API_SERVER_PORTS);
    this.release = new PinnedHelmRelease(this, 'release', {
      releaseName: JUPYTERHUB_RELEASE,
      namespace: props.namespace,
      repository: props.chart.repository,
      chart: 'jupyterhub',
      version: props.chart.version,
      values,
      interval: props.interval,
    });

  }
}

/**
 * How the hub signs users in with Entra ID (oauthenticator 17.4.0, the version zero-to-jupyterhub-k8s 4.4.0 pins in
 * images/hub/requirements.txt):
 * - AzureAdOAuthenticator's own `authorize_url`/`token_url` defaults are Entra ID's v1.0 endpoints
 *   (`{graph_url}/{tenant_id}/oauth2/authorize` and `.../oauth2/token`, oauthenticator/azuread.py), and its
 *   `token_to_user` returns the claims of the `id_token` of the token response as the user info. A v1.0 ID token has
 *   no `preferred_username` (Microsoft identity platform, "ID token claims reference": `preferred_username` "The
 *   `profile` scope is required to receive this claim. Present only in v2.0 tokens"; the token version follows the
 *   endpoint), so `user_info_to_username` (oauthenticator/oauth2.py) would raise "No preferred_username found" and
 *   every sign-in would fail. Hence the v2.0 endpoints of the tenant, with the scopes `openid` (an ID token at all),
 *   `profile` (`preferred_username`, `name`, `oid`) and `email`, and the username from `preferred_username` (the
 *   user's sign-in name, normally the UPN).
 * - Groups: `auth_state_groups_key: user.groups` (oauthenticator 17: `user_groups_claim` is deprecated in favour of
 *   it and `user.groups` is AzureAdOAuthenticator's default; `user` is its `user_auth_state_key`, which holds the ID
 *   token's claims), so JupyterHub groups are the ID token's `groups` claim: group object IDs, present only when the
 *   app registration emits group claims (`groupMembershipClaims`, see docs/notebooks.md), and replaced by an overage
 *   reference above 200 groups (then the user is in no group and may not sign in).
 */
function entraSignIn(tenantId: string): { readonly [trait: string]: unknown } {
  const authority = `https://login.microsoftonline.com/${tenantId}/oauth2/v2.0`;
  return {
    authorize_url: `${authority}/authorize`,
    token_url: `${authority}/token`,
    scope: ['openid', 'profile', 'email'],
    username_claim: 'preferred_username',
    auth_state_groups_key: 'user.groups',
  };
}

/** `apiServerEgressRule` as chart values (plain numbers, as the chart writes ports). */
function apiServerEgress(): { ports: { protocol: string; port: number }[] } {
  return { ports: (apiServerEgressRule().ports ?? []).map((p) => ({ protocol: p.protocol ?? 'TCP', port: Number(p.port?.value) })) };
}

/**
 * Python for `hub.extraConfig`: one `c.<Class>.<trait> = json.loads(...)` line per trait, the value written as JSON
 * inside a JSON string (a valid Python string literal), so no value is ever interpreted as code.
 */
function traitletsConfig(classes: { readonly [cls: string]: { readonly [trait: string]: unknown } }): string {
  const lines = ['import json'];
  for (const cls of Object.keys(classes).sort()) {
    for (const trait of Object.keys(classes[cls]).sort()) {
      lines.push(`c.${cls}.${trait} = json.loads(${JSON.stringify(JSON.stringify(classes[cls][trait]))})`);
    }
  }
  return `${lines.join('\n')}\n`;
}

function splitImage(image: string): [string, string] {
  const at = image.lastIndexOf(':');
  return [image.slice(0, at), image.slice(at + 1)];
}

function helmResources(resources: ContainerResources): object {
  return { requests: { ...resources.request }, limits: { ...resources.limit } };
}

