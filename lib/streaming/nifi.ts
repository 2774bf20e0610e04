import { Construct } from 'constructs';
import { declareExternalSecret } from '../core/external-secrets';
import { ContainerResources, nonRootPodSecurity, restrictedContainerSecurity, toResourceRequirements } from '../core/container-security';
import { declareFlows } from '../core/flows';
import { allowApiServerEgress } from '../core/network-policies';
import * as k8s from '../core/k8s';
import { NAMESPACE_NAME_LABEL } from '../core/labels';
import { notOnSystemOrGpuNodes, NodePoolPlacement, poolNodeSelector, poolTolerations } from '../core/node-pool';
import { PUBLIC_ADDRESSES } from '../core/network-policies';
import type { RouteBackend } from '../serving/route-backend';
import { declareFolderPlacement } from '../core/folder-placement';

/**
 * Facts of the official `apache/nifi` image (apache/nifi rel/nifi-2.11.0, nifi-docker/dockerhub): it runs as
 * user and group 1000 (`ARG UID=1000`, `USER nifi`), serves HTTPS on 8443 with a generated self-signed
 * certificate, keeps its state in the folders it declares as VOLUMEs under /opt/nifi/nifi-current, and
 * `sh/start.sh` rewrites `conf/nifi.properties` from environment variables on every start (so the root file
 * system stays writable) and sets single-user credentials from `SINGLE_USER_CREDENTIALS_USERNAME`/`_PASSWORD`
 * (README.md at that tag: HTTPS with Single User Authentication by default; passwords of at least 12 characters,
 * else NiFi generates random credentials).
 */
export const NIFI_IMAGE_FACTS = {
  uid: 1000,
  home: '/opt/nifi/nifi-current',
  httpsPort: 8443,
} as const;

/** Persistent folders of NiFi (the image's VOLUMEs that hold state), each a claim of the StatefulSet. */
export const NIFI_REPOSITORIES = ['conf', 'content_repository', 'database_repository', 'flowfile_repository', 'provenance_repository', 'state'] as const;
export type NifiRepository = typeof NIFI_REPOSITORIES[number];

/**
 * Folders NiFi 2.x creates and writes at start under its home that the image does not declare as VOLUMEs (so with
 * a read-only root file system they must be volumes, else the framework fails at start). apache/nifi
 * rel/nifi-2.11.0, nifi-framework-bundle/nifi-framework/nifi-resources/pom.xml (the defaults of conf/nifi.properties):
 * - `nifi.nar.persistence.provider.properties.directory=./nar_repository`: StandardNarPersistenceProvider
 *   (nifi-framework-core .../nar/StandardNarPersistenceProvider.java) mkdirs `temp/` and `installed/` in it and
 *   throws "Unable to create temp storage location" otherwise; it keeps the NARs uploaded through the NAR Manager.
 * - `nifi.asset.manager.properties.directory=./assets` and `nifi.connector.asset.manager.properties.directory=
 *   ./connector_assets`: StandardAssetManager and StandardConnectorAssetManager (nifi-framework-components
 *   .../asset/) `Files.createDirectories` them at initialize and throw otherwise; they keep uploaded parameter assets.
 * nifi-docker/dockerhub/Dockerfile creates none of them. They are claims, not emptyDirs: the flow (conf/flow.json.gz,
 * persistent) refers to the uploaded NARs and assets, which must survive a restart.
 * The other writable paths: conf/ (start.sh rewrites conf/nifi.properties on every start), the repositories and
 * state/ (claims above); logs/, run/, work/ (NAR unpacking `./work/nar`, Jetty `./work/jetty`, Python
 * `./work/python`, uploads `./work/uploads`), /tmp and /home/nifi (SCRATCH emptyDirs). The status history repository is the
 * in-memory VolatileComponentStatusRepository by default, so ./status_repository is not written.
 */
export const NIFI_UPLOAD_FOLDERS = ['nar_repository', 'assets', 'connector_assets'] as const;
export type NifiUploadFolder = typeof NIFI_UPLOAD_FOLDERS[number];

/** Where NiFi's TLS files are mounted (from the `tls` Secret). */
export const NIFI_TLS_MOUNT = '/opt/nifi/tls';

/**
 * NiFi's own server certificate from a Secret created outside dist/ (type kubernetes.io/tls with `tls.crt`,
 * `tls.key` and `ca.crt`, such as a cert-manager Certificate from a CA issuer), instead of the self-signed one NiFi
 * generates at first start (nifi-bootstrap SecurityApplicationPropertyHandler at rel/nifi-2.11.0: CN=localhost, valid
 * 60 days, unknown to anyone before it exists). The gateway verifies it (BackendTLSPolicy).
 */
export interface NifiTls {
  /** The Secret, in NiFi's namespace. */
  readonly secretName: string;
  /** Host name the certificate is valid for, which the gateway checks (SNI and name). */
  readonly hostname: string;
}

/**
 * Sign-in with OpenID Connect (Microsoft Entra ID) instead of single-user: the nifi.properties keys of
 * rel/nifi-2.11.0 (nifi-resources pom.xml and nifi-docker/dockerhub/sh/update_oidc_properties.sh name them) and the
 * managed authorizer with an initial admin (conf/authorizers.xml `Initial Admin Identity` and
 * `Initial User Identity 1`, which nifi-docker/dockerhub/sh/secure.sh fills from INITIAL_ADMIN_IDENTITY).
 */
export interface NifiOidc {
  /** OpenID Connect discovery URL, such as `https://login.microsoftonline.com/<tenant>/v2.0/.well-known/openid-configuration`. */
  readonly discoveryUrl: string;
  /** Client (application) ID. */
  readonly clientId: string;
  /** Secret and key outside dist/ holding the client secret. */
  readonly clientSecret: { readonly name: string; readonly key: string };
  /** Token claim that names the user (`nifi.security.user.oidc.claim.identifying.user`). */
  readonly identityClaim: string;
  /**
   * Claims tried in order when the token lacks `identityClaim` (`nifi.security.user.oidc.fallback.claims.identifying.user`).
   * @default - none: a token without `identityClaim` fails the sign-in
   */
  readonly fallbackIdentityClaims?: readonly string[];
  /** Token claim with the user's groups (`nifi.security.user.oidc.claim.groups`). */
  readonly groupsClaim: string;
  /** Identity (in the claim's form) that becomes NiFi's first administrator. */
  readonly initialAdminIdentity: string;
}

/** Egress of NiFi to routes and hosts it calls. */
export interface NifiCalls {
  /** Pods (and their container port) that serve routes NiFi calls: the gateway's proxies of this cluster. */
  readonly pods?: readonly { readonly purpose: string; readonly namespace: string; readonly podLabels: { readonly [key: string]: string }; readonly port: number }[];
  /** Hosts on the Internet NiFi calls over HTTPS (443 to public addresses). */
  readonly publicHosts?: readonly string[];
}

/** Properties for `Nifi`. */
export interface NifiProps {
  /** Name of the StatefulSet, Services and pods. */
  readonly name: string;
  /** Namespace. */
  readonly namespace: string;
  /** The official image with its version, such as `apache/nifi:2.11.0` (or a mirror of it). */
  readonly image: string;
  /** The pool the pod runs on. */
  readonly nodePool: NodePoolPlacement;
  /** Storage class of the repositories. */
  readonly storageClassName: string;
  /** Size of each repository's volume. */
  readonly repositorySizes: { readonly [R in NifiRepository]: string };
  /**
   * Size of each volume of uploaded extensions (`nar_repository`, `assets`, `connector_assets`).
   * @default '1Gi'
   */
  readonly uploadsSize?: string;
  /**
   * Secret created outside dist/ with keys `username` and `password` (single-user sign-in; NiFi requires at least
   * 12 characters) and `sensitive-props-key` (the key that encrypts sensitive flow properties; keep it stable).
   */
  readonly credentialsSecretName: string;
  /** Host names callers use to reach the UI through a proxy (`nifi.web.proxy.host`), such as the gateway's. */
  readonly proxyHosts: readonly string[];
  /** The seed's HTTP model-serving endpoint: the port a HandleHttpRequest processor listens on, and its path. */
  readonly httpEndpoint: { readonly port: number; readonly path: string };
  /** Requests and limits of the NiFi container. */
  readonly resources: ContainerResources;
  /**
   * JVM heap (`NIFI_JVM_HEAP_INIT` and `_MAX`), such as `2g`.
   * @default - half the memory limit, in MiB
   */
  readonly heap?: string;
  /**
   * Extra pod labels (such as a Kafka client's `platform.ml/kafka-client`).
   * @default - none
   */
  readonly podLabels?: { readonly [key: string]: string };
  /**
   * Namespaces whose pods may call NiFi's UI and HTTP endpoint (the gateway's).
   * @default - none
   */
  readonly accessFromNamespaces?: readonly string[];
  /**
   * NiFi's server certificate from a Secret outside dist/, as PEM (`nifi.security.keystoreType=PEM`).
   * @default - the self-signed certificate NiFi generates at first start
   */
  readonly tls?: NifiTls;
  /**
   * OpenID Connect sign-in (Entra ID); the credentials Secret then needs only `sensitive-props-key`.
   * @default - single-user sign-in from the credentials Secret
   */
  readonly oidc?: NifiOidc;
  /**
   * Routes and hosts NiFi calls (egress rules and declared flows).
   * @default - none
   */
  readonly calls?: NifiCalls;
  /**
   * Access to the API server, for submitting Spark batch jobs as `SparkApplication`s through the Kubernetes API
   * (bind the ServiceAccount with `SparkSubmitter`): the token is mounted and 443/6443 opened to any address, as
   * for every namespace of the platform (`apiServerEgressRule`: the API server has no stable CIDR on AKS).
   * @default false - no API access, no token
   */
  readonly apiServerAccess?: boolean;
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/**
 * Apache NiFi as a single-node StatefulSet of the official image: the repositories and `conf` (flow definition,
 * generated keystore, credentials) on persistent volumes, `conf` seeded from the image by an init container (a
 * new claim hides the image's files), single-user sign-in from a Secret outside dist/, a stable sensitive
 * properties key, restricted security context, a headless Service for the StatefulSet and a Service with the
 * HTTPS UI (8443) and the HTTP endpoint port. A default-deny namespace admits only `accessFromNamespaces`.
 */
export class Nifi extends Construct {
  /** The StatefulSet. */
  public readonly statefulSet: k8s.KubeStatefulSet;
  /** The Service of the UI and the HTTP endpoint. */
  public readonly service: k8s.KubeService;
  /** Labels of the NiFi pod. */
  public readonly podLabels: { readonly [key: string]: string };
  /** Port of the UI (HTTPS). */
  public readonly uiPort: number = NIFI_IMAGE_FACTS.httpsPort;
  /** ServiceAccount of the pod (bind it with `SparkSubmitter` to submit Spark jobs). */
  public readonly serviceAccountName: string;
  /**
   * The Service as routes see it: the HTTPS UI (port `https`, verified against the `tls` Secret's CA when set) and
   * the HTTP endpoint (port `http-endpoint`), served by the NiFi pod.
   */
  public readonly backend: RouteBackend;

  constructor(scope: Construct, id: string, props: NifiProps) {
    super(scope, id);
    declareFolderPlacement(this, 'service');
    this.validateProps(id, props);
    const selector = { 'app.kubernetes.io/name': 'nifi', 'app.kubernetes.io/instance': props.name };
    this.podLabels = { ...selector, ...(props.podLabels ?? {}) };
    const home = NIFI_IMAGE_FACTS.home;
    const secret = (key: string) => ({ secretKeyRef: { name: props.credentialsSecretName, key } });
    declareExternalSecret(this, { namespace: props.namespace, name: props.credentialsSecretName, purpose: `NiFi '${props.name}': its credentials (secretKeyRef env)` });
    if (props.tls) declareExternalSecret(this, { namespace: props.namespace, name: props.tls.secretName, purpose: `NiFi '${props.name}': its TLS certificate and key (secret volume)` });
    if (props.oidc) declareExternalSecret(this, { namespace: props.namespace, name: props.oidc.clientSecret.name, purpose: `NiFi '${props.name}': key ${props.oidc.clientSecret.key}, the OIDC client secret` });
    const heap = props.heap ?? `${Math.floor(memoryMiB(props.resources.limit.memory) / 2)}m`;
    const headless = `${props.name}-headless`;

    new k8s.KubeService(this, 'headless', {
      metadata: { name: headless, namespace: props.namespace },
      spec: { clusterIp: 'None', selector, ports: [{ name: 'https', port: this.uiPort, targetPort: k8s.IntOrString.fromNumber(this.uiPort) }] },
    });
    this.service = new k8s.KubeService(this, 'service', {
      metadata: { name: props.name, namespace: props.namespace },
      spec: {
        selector,
        ports: [
          { name: 'https', port: this.uiPort, targetPort: k8s.IntOrString.fromNumber(this.uiPort) },
          { name: 'http-endpoint', port: props.httpEndpoint.port, targetPort: k8s.IntOrString.fromNumber(props.httpEndpoint.port) },
        ],
      },
    });
    this.backend = {
      namespace: props.namespace,
      serviceName: props.name,
      podLabels: selector,
      ports: [
        { port: this.uiPort, targetPort: this.uiPort, name: 'https', tls: props.tls ? { caSecretName: props.tls.secretName, hostname: props.tls.hostname } : undefined },
        { port: props.httpEndpoint.port, targetPort: props.httpEndpoint.port, name: 'http-endpoint' },
      ],
    };
    const apiAccess = props.apiServerAccess ?? false;
    this.serviceAccountName = props.name;
    new k8s.KubeServiceAccount(this, 'service-account', {
      metadata: { name: props.name, namespace: props.namespace },
      automountServiceAccountToken: apiAccess,
    });

    const claims: { folder: string; size: string }[] = [
      ...NIFI_REPOSITORIES.map((repo) => ({ folder: repo as string, size: props.repositorySizes[repo] })),
      ...NIFI_UPLOAD_FOLDERS.map((folder) => ({ folder: folder as string, size: props.uploadsSize ?? '1Gi' })),
    ];
    const mounts = claims.map(({ folder }) => ({ name: claimName(folder), mountPath: `${home}/${folder}` }));
    this.statefulSet = new k8s.KubeStatefulSet(this, 'Resource', {
      metadata: { name: props.name, namespace: props.namespace },
      spec: {
        serviceName: headless,
        replicas: 1,
        selector: { matchLabels: selector },
        podManagementPolicy: 'OrderedReady',
        template: {
          metadata: { labels: { ...this.podLabels } },
          spec: {
            serviceAccountName: props.name,
            automountServiceAccountToken: apiAccess,
            enableServiceLinks: false,
            securityContext: nonRootPodSecurity(NIFI_IMAGE_FACTS.uid),
            nodeSelector: poolNodeSelector(props.nodePool),
            tolerations: poolTolerations(props.nodePool),
            affinity: { nodeAffinity: notOnSystemOrGpuNodes() },
            initContainers: [{
              // A new claim is empty and hides the image's conf/: copy the defaults once, never overwrite. Then set
              // the sign-in and TLS properties that sh/start.sh does not manage (see configureScript).
              name: 'seed-conf',
              image: props.image,
              command: ['sh', '-c', configureScript(home, props)],
              env: props.oidc ? [
                { name: 'NIFI_OIDC_CLIENT_SECRET', valueFrom: { secretKeyRef: { name: props.oidc.clientSecret.name, key: props.oidc.clientSecret.key } } },
                { name: 'INITIAL_ADMIN_IDENTITY', value: props.oidc.initialAdminIdentity },
              ] : undefined,
              volumeMounts: [{ name: claimName('conf'), mountPath: '/seed/conf' }],
              securityContext: restrictedContainerSecurity({ readOnlyRootFilesystem: true }),
              resources: toResourceRequirements({ request: { cpu: '50m', memory: '64Mi' }, limit: { cpu: '200m', memory: '128Mi' } }),
            }],
            containers: [{
              name: 'nifi',
              image: props.image,
              ports: [
                { name: 'https', containerPort: this.uiPort },
                { name: 'http-endpoint', containerPort: props.httpEndpoint.port },
              ],
              env: [
                { name: 'NIFI_WEB_HTTPS_PORT', value: String(this.uiPort) },
                // sh/start.sh (rel/nifi-2.11.0) writes nifi.web.https.host from NIFI_WEB_HTTPS_HOST, else $HOSTNAME, and
                // Jetty binds that address only (StandardServerProvider: ServerConnector.setHost): the pod IP, so
                // `kubectl port-forward` (which connects to 127.0.0.1 in the pod) was refused. 0.0.0.0 binds every
                // interface. The host is used for nothing else that matters here: Jetty's SNI host check compares the
                // Host header with the certificate, the proxy checks use nifi.web.proxy.host, and NiFi's own JWT
                // issuer (StandardIssuerProvider) becomes https://0.0.0.0:8443 (issued and checked by this node alone).
                { name: 'NIFI_WEB_HTTPS_HOST', value: '0.0.0.0' },
                // NiFi answers only requests whose Host header is its own host name or a listed proxy host.
                { name: 'NIFI_WEB_PROXY_HOST', value: [...props.proxyHosts].sort().join(',') },
                { name: 'NIFI_JVM_HEAP_INIT', value: heap },
                { name: 'NIFI_JVM_HEAP_MAX', value: heap },
                // sh/start.sh sets single-user credentials only when both variables are set: not with OIDC.
                ...(props.oidc ? [] : [
                  { name: 'SINGLE_USER_CREDENTIALS_USERNAME', valueFrom: secret('username') },
                  { name: 'SINGLE_USER_CREDENTIALS_PASSWORD', valueFrom: secret('password') },
                ]),
                { name: 'NIFI_SENSITIVE_PROPS_KEY', valueFrom: secret('sensitive-props-key') },
                // For an Environment Variable Parameter Provider: the seed's HandleHttpRequest listens where the Service points.
                { name: 'MODEL_SERVING_PORT', value: String(props.httpEndpoint.port) },
                { name: 'MODEL_SERVING_PATH', value: props.httpEndpoint.path },
              ],
              // Everything NiFi writes is a volume: conf/, the repositories and the uploaded NARs and assets
              // (claims), logs, run, work (NAR unpacking, Jetty), /tmp and the user's home (emptyDirs); the
              // image's own files stay read-only (see NIFI_UPLOAD_FOLDERS).
              volumeMounts: [
                ...mounts,
                ...SCRATCH.map((dir) => ({ name: dir.name, mountPath: dir.path(home) })),
                ...(props.tls ? [{ name: 'tls', mountPath: NIFI_TLS_MOUNT, readOnly: true }] : []),
              ],
              resources: toResourceRequirements(props.resources),
              securityContext: restrictedContainerSecurity({ readOnlyRootFilesystem: true }),
              startupProbe: { tcpSocket: { port: k8s.IntOrString.fromNumber(this.uiPort) }, periodSeconds: 10, failureThreshold: 60 },
              readinessProbe: { tcpSocket: { port: k8s.IntOrString.fromNumber(this.uiPort) }, periodSeconds: 10 },
              livenessProbe: { tcpSocket: { port: k8s.IntOrString.fromNumber(this.uiPort) }, periodSeconds: 30, failureThreshold: 5 },
            }],
            volumes: [
              ...SCRATCH.map((dir) => ({ name: dir.name, emptyDir: { sizeLimit: k8s.Quantity.fromString(dir.size) } })),
              // Read by NiFi as PEM (configureScript); with nifi.security.autoreload.enabled it watches the folder
              // for a renewed certificate (SslContextConfiguration at rel/nifi-2.11.0; not tried against the
              // kubelet's symlink swap of Secret volumes: a pod restart picks a renewed certificate up for sure).
              ...(props.tls ? [{ name: 'tls', secret: { secretName: props.tls.secretName, defaultMode: 0o440 } }] : []),
            ],
          },
        },
        volumeClaimTemplates: claims.map(({ folder, size }) => ({
          metadata: { name: claimName(folder) },
          spec: {
            accessModes: ['ReadWriteOnce'],
            storageClassName: props.storageClassName,
            resources: { requests: { storage: k8s.Quantity.fromString(size) } },
          },
        })),
      },
    });

    if (apiAccess) {
      allowApiServerEgress(this, 'api-egress', {
        name: `${props.name}-api-server-egress`,
        namespace: props.namespace,
        podLabels: selector,
        purpose: 'NiFi submits SparkApplications through the API server',
      });
    }

    this.addCallEgress(props, selector);

    const from = [...(props.accessFromNamespaces ?? [])].sort();
    if (from.length > 0) {
      new k8s.KubeNetworkPolicy(this, 'ingress', {
        metadata: { name: `${props.name}-ingress`, namespace: props.namespace },
        spec: {
          podSelector: { matchLabels: selector },
          policyTypes: ['Ingress'],
          ingress: [{
            from: from.map((namespace) => ({ namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: namespace } } })),
            ports: [this.uiPort, props.httpEndpoint.port].map((port) => ({ protocol: 'TCP', port: k8s.IntOrString.fromNumber(port) })),
          }],
        },
      });
      for (const namespace of from) {
        declareFlows(this, { purpose: 'callers of the NiFi UI and HTTP endpoint', from: { namespace, podLabels: {} }, to: { namespace: props.namespace, podLabels: selector } }, [this.uiPort, props.httpEndpoint.port]);
      }
    }
  }

  /**
   * Egress to what NiFi calls: the pods that serve this cluster's routes (the gateway's proxies, on their
   * container port), and 443 to public addresses for Entra ID sign-in (login.microsoftonline.com) and the hosts
   * on the Internet it calls (a NetworkPolicy cannot name a host, so the rule admits public addresses, never the
   * cluster's private ranges).
   */
  private addCallEgress(props: NifiProps, selector: { readonly [key: string]: string }): void {
    const self = { namespace: props.namespace, podLabels: selector };
    const pods = [...(props.calls?.pods ?? [])].sort((a, b) => `${a.namespace} ${a.port}`.localeCompare(`${b.namespace} ${b.port}`));
    if (pods.length > 0) {
      new k8s.KubeNetworkPolicy(this, 'routes-egress', {
        metadata: { name: `${props.name}-calls-routes`, namespace: props.namespace },
        spec: {
          podSelector: { matchLabels: selector },
          policyTypes: ['Egress'],
          egress: pods.map((target) => ({
            to: [{ namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: target.namespace } }, podSelector: { matchLabels: { ...target.podLabels } } }],
            ports: [{ protocol: 'TCP', port: k8s.IntOrString.fromNumber(target.port) }],
          })),
        },
      });
      for (const target of pods) declareFlows(this, { purpose: target.purpose, from: self, to: { namespace: target.namespace, podLabels: { ...target.podLabels } } }, [target.port]);
    }
    const hosts = [...(props.calls?.publicHosts ?? [])].sort();
    const why = [...(props.oidc ? ['Entra ID sign-in (login.microsoftonline.com)'] : []), ...hosts];
    if (why.length === 0) return;
    new k8s.KubeNetworkPolicy(this, 'https-egress', {
      metadata: { name: `${props.name}-public-https-egress`, namespace: props.namespace },
      spec: {
        podSelector: { matchLabels: selector },
        policyTypes: ['Egress'],
        egress: [{ to: [{ ipBlock: { cidr: PUBLIC_ADDRESSES.cidr, except: [...PUBLIC_ADDRESSES.except] } }], ports: [{ protocol: 'TCP', port: k8s.IntOrString.fromNumber(443) }] }],
      },
    });
    declareFlows(this, { purpose: `NiFi calls ${why.join(', ')} over HTTPS`, from: self, to: { cidr: PUBLIC_ADDRESSES.cidr, except: PUBLIC_ADDRESSES.except } }, [443]);
  }

  private validateProps(id: string, props: NifiProps): void {
    const prefix = `Nifi '${id}'`;
    const fail = (message: string): never => { throw new Error(`${prefix}: ${message}`); };
    if (!DNS_LABEL.test(props.name) || props.name.length > 40) fail(`'name' ("${props.name}") must be a DNS label of at most 40 characters`);
    if (!/^(\S+\/)?(apache\/)?nifi(:[0-9]+\.[0-9]+\.[0-9]+|@sha256:[a-f0-9]{64})$/.test(props.image)) {
      fail(`'image' ("${props.image}") must be the official apache/nifi image (or a mirror of it) pinned to a version such as apache/nifi:2.11.0`);
    }
    if (props.httpEndpoint.port === this.uiPort || props.httpEndpoint.port < 1024 || props.httpEndpoint.port > 65535) {
      fail(`'httpEndpoint.port' (${props.httpEndpoint.port}) must be from 1024 to 65535 (NiFi runs as a non-root user) and not the UI port ${this.uiPort}`);
    }
    if (!/^\/[-a-zA-Z0-9._~/]*$/.test(props.httpEndpoint.path)) fail(`'httpEndpoint.path' ("${props.httpEndpoint.path}") must be an absolute URL path such as /model_serving`);
    if (props.proxyHosts.length === 0) fail('\'proxyHosts\' is empty; NiFi refuses requests whose Host header is not its own or a listed proxy host');
    if (props.oidc) {
      if (!/^https:\/\/[^\s]+$/.test(props.oidc.discoveryUrl)) fail(`'oidc.discoveryUrl' ("${props.oidc.discoveryUrl}") must be an https:// URL`);
      // Written into conf/authorizers.xml XML-escaped from the environment (configureScript): any character but white space.
      if (!/^\S+$/.test(props.oidc.initialAdminIdentity)) fail(`'oidc.initialAdminIdentity' ("${props.oidc.initialAdminIdentity}") must be one word without white space, such as an e-mail address`);
      const claims = [['identityClaim', props.oidc.identityClaim], ['groupsClaim', props.oidc.groupsClaim], ['clientId', props.oidc.clientId],
        ...(props.oidc.fallbackIdentityClaims ?? []).map((claim) => ['fallbackIdentityClaims', claim] as const)] as const;
      for (const [prop, value] of claims) {
        if (!/^[A-Za-z0-9_.:-]+$/.test(value)) fail(`'oidc.${prop}' ("${value}") must be a claim name or ID of letters, digits, '_', '.', ':' and '-'`);
      }
    }
    if (props.tls && !/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(props.tls.hostname)) fail(`'tls.hostname' ("${props.tls.hostname}") must be a DNS name`);
    for (const host of props.calls?.publicHosts ?? []) {
      if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)+$/.test(host)) fail(`'calls.publicHosts' ("${host}") must be a fully qualified host name`);
    }
  }
}

/** Scratch folders NiFi writes besides its claims (emptyDirs, so the root file system can be read-only). */
const SCRATCH: readonly { name: string; path: (home: string) => string; size: string }[] = [
  { name: 'logs', path: (home) => `${home}/logs`, size: '2Gi' },
  { name: 'run', path: (home) => `${home}/run`, size: '16Mi' },
  { name: 'work', path: (home) => `${home}/work`, size: '4Gi' },
  { name: 'tmp', path: () => '/tmp', size: '1Gi' },
  // sh/start.sh (`#!/bin/sh -e`) runs sh/toolkit.sh, which writes ${HOME}/.nifi-cli.nifi.properties and
  // ${HOME}/.nifi-cli.config (HOME of user nifi: /home/nifi; sh/common.sh at rel/nifi-2.11.0).
  { name: 'home', path: () => '/home/nifi', size: '16Mi' },
];

function claimName(repo: string): string {
  return repo.replace(/_/g, '-');
}

const MIB: { readonly [unit: string]: number } = { Ki: 1 / 1024, Mi: 1, Gi: 1024, Ti: 1024 * 1024 };

function memoryMiB(quantity: string): number {
  const match = /^([0-9.]+)(Ki|Mi|Gi|Ti)?$/.exec(quantity);
  return match ? Number(match[1]) * (match[2] ? MIB[match[2]] : 1 / (1024 * 1024)) : 1024;
}

/** `nifi.security.user.oidc.additional.scopes`: NiFi 2.11.0's default `offline_access` and `profile` (see configureScript). */
export const NIFI_OIDC_ADDITIONAL_SCOPES = ['offline_access', 'profile'] as const;

/** Single-user sign-in settings of NiFi 2.11.0's default nifi.properties (nifi-resources pom.xml). */
const SINGLE_USER_PROPERTIES: readonly [string, string][] = [
  ['nifi.security.user.authorizer', 'single-user-authorizer'],
  ['nifi.security.user.login.identity.provider', 'single-user-provider'],
  ['nifi.security.user.oidc.discovery.url', ''],
];

/**
 * The init container's script: seed conf/ from the image, then write the properties sh/start.sh leaves alone, on
 * every start, so the output decides them (a key is replaced in place, or appended; values come from the
 * environment through awk's ENVIRON, never through the shell or sed, so a client secret with any character is
 * written as is).
 *
 * - TLS (with `tls`): PEM files instead of PKCS12 stores. NiFi takes the PEM branch only when
 *   `nifi.security.keystore` and `nifi.security.truststore` are blank (rel/nifi-2.11.0 FrameworkSslContextProvider:
 *   a configured keystore path with a password is read as a KeyStore of `keystoreType`, and the JDK has no PEM
 *   KeyStore type), and then generates no self-signed certificate (SecurityApplicationPropertyHandler: no
 *   generation without a keystore location). This is why sh/secure.sh (AUTH=tls/ldap/oidc), which always sets
 *   `nifi.security.keystore` and `keystorePasswd` from KEYSTORE_PATH/KEYSTORE_PASSWORD, is not used.
 * - OIDC: the keys sh/update_oidc_properties.sh sets, the managed authorizer and no login identity provider (what
 *   sh/secure.sh sets), the scopes and fallback claims (below), and the initial admin in conf/authorizers.xml where
 *   secure.sh's sed expressions put it, but by awk from the environment, XML-escaped (& < >), so no character of the
 *   identity is read as sed or XML syntax. Filled only while empty, as secure.sh does: once NiFi has written users.xml
 *   and authorizations.xml, changing the initial admin has no effect, as NiFi documents for `Initial Admin Identity`.
 * - Scopes: NiFi 2.11.0 asks for `openid` and `email` (StandardClientRegistrationProvider STANDARD_SCOPES) plus
 *   `nifi.security.user.oidc.additional.scopes` (default `offline_access`, nifi-resources pom.xml; read by
 *   NiFiProperties.getOidcAdditionalScopes). Entra ID puts `preferred_username` (the default identity claim) into the
 *   ID token only with the `profile` scope (Microsoft identity platform, ID token claims reference), so the
 *   additional scopes are `offline_access,profile`. The identity is the first of `claim.identifying.user` and
 *   `fallback.claims.identifying.user` the token has (OidcSecurityConfiguration.getUserClaimNames,
 *   StandardOidcUserService); none of them: "User Claim Name not found", no sign-in.
 * - Single-user: the defaults of nifi.properties, so switching back from OIDC works.
 */
export function configureScript(home: string, props: Pick<NifiProps, 'tls' | 'oidc'>): string {
  const file = '/seed/conf/nifi.properties';
  const lines = [
    // Its exit status is not used: GNU cp's status for a skipped file under -n differs between coreutils releases
    // (not checked for the image's). A conf/ that could not be seeded fails at the first prop below.
    `cp -rn ${home}/conf/. /seed/conf/`,
    // prop KEY VALUE: replace the line KEY=... (or append it); the value is read from the environment.
    `prop() { V="$2" awk -v k="$1" 'BEGIN { v = ENVIRON["V"] } index($0, k "=") == 1 { print k "=" v; found = 1; next } { print } END { if (!found) print k "=" v }' ${file} > ${file}.new && cat ${file}.new > ${file} && rm ${file}.new; }`,
  ];
  const set = (key: string, value: string) => lines.push(`prop ${key} ${shellQuote(value)} || exit 1`);
  if (props.tls) {
    for (const [key, value] of [
      ['nifi.security.keystore', ''], ['nifi.security.keystoreType', 'PEM'], ['nifi.security.keystorePasswd', ''], ['nifi.security.keyPasswd', ''],
      ['nifi.security.keystore.certificate', `${NIFI_TLS_MOUNT}/tls.crt`], ['nifi.security.keystore.privateKey', `${NIFI_TLS_MOUNT}/tls.key`],
      ['nifi.security.truststore', ''], ['nifi.security.truststoreType', 'PEM'], ['nifi.security.truststorePasswd', ''],
      ['nifi.security.truststore.certificate', `${NIFI_TLS_MOUNT}/ca.crt`],
      ['nifi.security.autoreload.enabled', 'true'],
    ] as const) set(key, value);
  }
  if (props.oidc) {
    set('nifi.security.user.authorizer', 'managed-authorizer');
    set('nifi.security.user.login.identity.provider', '');
    set('nifi.security.user.oidc.discovery.url', props.oidc.discoveryUrl);
    set('nifi.security.user.oidc.client.id', props.oidc.clientId);
    lines.push('prop nifi.security.user.oidc.client.secret "$NIFI_OIDC_CLIENT_SECRET" || exit 1');
    set('nifi.security.user.oidc.additional.scopes', NIFI_OIDC_ADDITIONAL_SCOPES.join(','));
    set('nifi.security.user.oidc.claim.identifying.user', props.oidc.identityClaim);
    set('nifi.security.user.oidc.fallback.claims.identifying.user', (props.oidc.fallbackIdentityClaims ?? []).join(','));
    set('nifi.security.user.oidc.claim.groups', props.oidc.groupsClaim);
    const authorizers = '/seed/conf/authorizers.xml';
    // admin NAME: <property name="NAME"></property> (empty) gets $INITIAL_ADMIN_IDENTITY, XML-escaped; found by index(), not a regex.
    lines.push(`admin() { N="$1" awk 'BEGIN { v = ENVIRON["INITIAL_ADMIN_IDENTITY"]; gsub(/&/, "\\\\&amp;", v); gsub(/</, "\\\\&lt;", v); gsub(/>/, "\\\\&gt;", v); `
      + `e = "<property name=\\"" ENVIRON["N"] "\\"></property>" } { i = index($0, e); if (i > 0) $0 = substr($0, 1, i - 1) "<property name=\\"" ENVIRON["N"] "\\">" v "</property>" substr($0, i + length(e)); print }' `
      + `${authorizers} > ${authorizers}.new && cat ${authorizers}.new > ${authorizers} && rm ${authorizers}.new; }`);
    lines.push("admin 'Initial User Identity 1' || exit 1");
    lines.push("admin 'Initial Admin Identity' || exit 1");
  } else {
    for (const [key, value] of SINGLE_USER_PROPERTIES) set(key, value);
  }
  return `${lines.join('\n')}\n`;
}

function shellQuote(value: string): string {
  return `'${value.replace(/'/g, "'\\''")}'`;
}
