import { Construct } from 'constructs';
import { NAME_RULES, nameProblem } from '../core/names';
import { declareFlows } from '../core/flows';
import { ContainerResources, nonRootPodSecurity, restrictedContainerSecurity, toResourceRequirements } from '../core/container-security';
import * as k8s from '../core/k8s';
import { allowEgressTo, EgressPeer } from '../core/network-policies';
import { NodePoolPlacement, poolNodeSelector, poolTolerations } from '../core/node-pool';
import { isQuantity, parseQuantity } from '../core/quantity';
import { RouteBackend } from './route-backend';
import { PodIdentityBinding } from '../identity/pod-identity-binding';
import { compareText } from '../core/sort';

/** A volume of an `HttpMicroservice`: scratch space or a PersistentVolumeClaim (such as a `SharedVolume`). */
export interface MicroserviceVolume {
  /** Volume name (a DNS label). */
  readonly name: string;
  /** Absolute mount path in the container. */
  readonly mountPath: string;
  /**
   * Mount read-only.
   * @default false
   */
  readonly readOnly?: boolean;
  /**
   * Scratch space for the pod's lifetime, with this size limit.
   * @default - not an emptyDir
   */
  readonly emptyDirSizeLimit?: string;
  /**
   * Name of a PersistentVolumeClaim in the namespace (create shared ones with `SharedVolume`).
   * @default - not a claim
   */
  readonly claimName?: string;
}

/** Replicas of a microservice that sets none. */
export const DEFAULT_MICROSERVICE_REPLICAS = 2;

/** Properties for `HttpMicroservice`. */
export interface HttpMicroserviceProps {
  /** Name of the Deployment, Service and pods (a DNS label). */
  readonly name: string;
  /** Namespace. */
  readonly namespace: string;
  /** Container image with a tag or digest. */
  readonly image: string;
  /** Port the process listens on. */
  readonly containerPort: number;
  /**
   * Port of the ClusterIP Service.
   * @default 80
   */
  readonly servicePort?: number;
  /**
   * Replicas (a PodDisruptionBudget keeps one available when there are two or more).
   * @default 2
   */
  readonly replicas?: number;
  /** Requests and limits of the container. */
  readonly resources: ContainerResources;
  /**
   * Container command.
   * @default - the image entrypoint
   */
  readonly command?: readonly string[];
  /**
   * Container arguments.
   * @default - the image command
   */
  readonly args?: readonly string[];
  /**
   * Plain environment variables (never secrets).
   * @default - none
   */
  readonly env?: { readonly [name: string]: string };
  /**
   * Environment variables read from Secrets that are created outside dist/ (name to Secret name and key).
   * @default - none
   */
  readonly secretEnv?: { readonly [name: string]: { readonly secretName: string; readonly key: string } };
  /**
   * HTTP GET path for readiness and liveness probes.
   * @default - a TCP check of the container port (for images without a health endpoint)
   */
  readonly probePath?: string;
  /**
   * Seconds before the first probe.
   * @default 10
   */
  readonly probeInitialDelaySeconds?: number;
  /**
   * Volumes. `/tmp` is always a writable emptyDir because the root filesystem is read-only.
   * @default - none
   */
  readonly volumes?: readonly MicroserviceVolume[];
  /**
   * Azure identity of the pods.
   * @default - a ServiceAccount of its own, with no Azure identity
   */
  readonly identity?: PodIdentityBinding;
  /**
   * Node pool the pods run on.
   * @default - anywhere the scheduler puts them
   */
  readonly nodePool?: NodePoolPlacement;
  /**
   * User and group id the container runs as (the restricted Pod Security level forbids root).
   * @default 10001
   */
  readonly runAsUser?: number;
  /**
   * Where the pods may connect to besides DNS, and on which TCP ports.
   * @default - nowhere
   */
  readonly egress?: { readonly peers: readonly EgressPeer[]; readonly ports: readonly number[] };
}

const IMAGE_WITH_TAG = /^[^\s:@]+(:[0-9]+)?(\/[^\s:@]+)*(:[A-Za-z0-9_][-A-Za-z0-9_.]{0,127}(@sha256:[a-f0-9]{64})?|@sha256:[a-f0-9]{64})$/;
const NAME_LABEL = 'app.kubernetes.io/name';

/**
 * A plain HTTP service: a Deployment with restricted security, probes, resources and volumes, a ClusterIP
 * Service whose target port is the container port, and a PodDisruptionBudget. Routes reach it through
 * `backend`; the namespace default-deny blocks everything else.
 */
export class HttpMicroservice extends Construct {
  /** The Deployment (the default child). */
  public readonly resource: k8s.KubeDeployment;
  /** The ClusterIP Service. */
  public readonly service: k8s.KubeService;
  /** The ServiceAccount of its own, when no identity is bound. */
  public readonly serviceAccount?: k8s.KubeServiceAccount;
  /** The PodDisruptionBudget, with two or more replicas. */
  public readonly disruptionBudget?: k8s.KubePodDisruptionBudget;
  /** The egress policy, when `egress` is set. */
  public readonly egressPolicy?: k8s.KubeNetworkPolicy;
  /** The Service as routes see it. */
  public readonly backend: RouteBackend;

  constructor(scope: Construct, id: string, props: HttpMicroserviceProps) {
    super(scope, id);
    this.validateProps(id, props);
    const { name, namespace } = props;
    const labels = { [NAME_LABEL]: name };
    const replicas = props.replicas ?? DEFAULT_MICROSERVICE_REPLICAS;
    const servicePort = props.servicePort ?? 80;
    const volumes = props.volumes ?? [];

    if (!props.identity) {
      this.serviceAccount = new k8s.KubeServiceAccount(this, 'service-account', {
        metadata: { name, namespace },
        automountServiceAccountToken: false,
      });
    }

    const probeHandler = props.probePath
      ? { httpGet: { path: props.probePath, port: k8s.IntOrString.fromString('http') } }
      : { tcpSocket: { port: k8s.IntOrString.fromString('http') } };
    const initialDelaySeconds = props.probeInitialDelaySeconds ?? 10;

    this.resource = new k8s.KubeDeployment(this, 'Resource', {
      metadata: { name, namespace, labels },
      spec: {
        replicas,
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: {
            serviceAccountName: this.serviceAccount ? name : undefined,
            automountServiceAccountToken: false,
            securityContext: nonRootPodSecurity(props.runAsUser ?? 10001),
            nodeSelector: props.nodePool ? poolNodeSelector(props.nodePool) : undefined,
            tolerations: props.nodePool ? poolTolerations(props.nodePool) : undefined,
            containers: [{
              name,
              image: props.image,
              command: props.command ? [...props.command] : undefined,
              args: props.args ? [...props.args] : undefined,
              env: environment(props),
              ports: [{ name: 'http', containerPort: props.containerPort, protocol: 'TCP' }],
              readinessProbe: { ...probeHandler, initialDelaySeconds, periodSeconds: 10, failureThreshold: 3 },
              livenessProbe: { ...probeHandler, initialDelaySeconds: initialDelaySeconds + 20, periodSeconds: 20, failureThreshold: 3 },
              resources: toResourceRequirements(props.resources),
              securityContext: restrictedContainerSecurity({ readOnlyRootFilesystem: true }),
              volumeMounts: [
                { name: 'tmp', mountPath: '/tmp' },
                ...volumes.map((volume) => ({ name: volume.name, mountPath: volume.mountPath, readOnly: volume.readOnly })),
              ],
            }],
            volumes: [
              { name: 'tmp', emptyDir: { sizeLimit: k8s.Quantity.fromString('1Gi') } },
              ...volumes.map(toVolume),
            ],
          },
        },
      },
    });
    props.identity?.bind(this.resource);

    this.service = new k8s.KubeService(this, 'service', {
      metadata: { name, namespace, labels },
      spec: {
        type: 'ClusterIP',
        selector: labels,
        ports: [{ name: 'http', port: servicePort, targetPort: k8s.IntOrString.fromNumber(props.containerPort), protocol: 'TCP' }],
      },
    });
    if (replicas >= 2) {
      this.disruptionBudget = new k8s.KubePodDisruptionBudget(this, 'disruption-budget', {
        metadata: { name, namespace },
        spec: { minAvailable: k8s.IntOrString.fromNumber(1), selector: { matchLabels: labels } },
      });
    }
    if (props.egress) {
      this.egressPolicy = allowEgressTo(this, 'egress', { name: `${name}-egress`, namespace, podLabels: labels, ...props.egress });
      for (const peer of props.egress.peers) {
        const to = 'cidr' in peer ? { cidr: peer.cidr } : { namespace: peer.namespace, podLabels: { ...peer.podLabels } };
        declareFlows(this, { purpose: `${name} to its dependencies`, from: { namespace, podLabels: labels }, to }, props.egress.ports);
      }
    }
    this.backend = { namespace, serviceName: name, ports: [{ port: servicePort, targetPort: props.containerPort }], podLabels: labels };
  }

  private validateProps(id: string, props: HttpMicroserviceProps): void {
    const prefix = `HttpMicroservice '${id}'`;
    const nameIssue = nameProblem(NAME_RULES.service, props.name);
    if (nameIssue) throw new Error(`${prefix}: 'name' ${nameIssue}`);
    if (!IMAGE_WITH_TAG.test(props.image)) {
      throw new Error(`${prefix}: 'image' ("${props.image}") needs an explicit tag or digest, such as example.azurecr.io/app:v1 (never an implicit latest)`);
    }
    for (const [prop, port] of [['containerPort', props.containerPort], ['servicePort', props.servicePort ?? 80]] as const) {
      if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`${prefix}: '${prop}' (${port}) must be a port number from 1 to 65535`);
    }
    for (const resource of ['cpu', 'memory'] as const) {
      const request = props.resources.request[resource];
      const limit = props.resources.limit[resource];
      if (!isQuantity(request) || !isQuantity(limit)) {
        throw new Error(`${prefix}: 'resources.*.${resource}' ("${request}", "${limit}") must be Kubernetes quantities such as 500m or 1Gi`);
      }
      if (parseQuantity(request) > parseQuantity(limit)) {
        throw new Error(`${prefix}: 'resources.request.${resource}' (${request}) must be <= 'resources.limit.${resource}' (${limit})`);
      }
    }
    for (const name of Object.keys(props.secretEnv ?? {})) {
      if (props.env?.[name] !== undefined) throw new Error(`${prefix}: 'secretEnv.${name}' is also set in 'env'; keep one of them`);
    }
    const seen = new Set<string>(['tmp']);
    for (const volume of props.volumes ?? []) {
      if ((volume.emptyDirSizeLimit === undefined) === (volume.claimName === undefined)) {
        throw new Error(`${prefix}: 'volumes.${volume.name}': ${volume.claimName ? 'emptyDirSizeLimit and claimName are mutually exclusive' : 'Either emptyDirSizeLimit or claimName must be specified'}`);
      }
      if (seen.has(volume.name)) throw new Error(`${prefix}: 'volumes.${volume.name}' is declared twice (or clashes with the built-in 'tmp'); rename it`);
      seen.add(volume.name);
    }
  }
}

function environment(props: HttpMicroserviceProps): k8s.EnvVar[] | undefined {
  const plain = Object.entries(props.env ?? {}).map(([name, value]): k8s.EnvVar => ({ name, value }));
  const secret = Object.entries(props.secretEnv ?? {}).map(([name, ref]): k8s.EnvVar => ({
    name, valueFrom: { secretKeyRef: { name: ref.secretName, key: ref.key } },
  }));
  const all = [...plain, ...secret].sort((a, b) => compareText(a.name, b.name));
  return all.length > 0 ? all : undefined;
}

function toVolume(volume: MicroserviceVolume): k8s.Volume {
  if (volume.emptyDirSizeLimit) return { name: volume.name, emptyDir: { sizeLimit: k8s.Quantity.fromString(volume.emptyDirSizeLimit) } };
  return { name: volume.name, persistentVolumeClaim: { claimName: volume.claimName!, readOnly: volume.readOnly } };
}
