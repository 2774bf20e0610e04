import { Construct } from 'constructs';
import * as k8s from '../core/k8s';
import { isQuantity, parseQuantity } from '../core/quantity';

/** Where and how a pod mounts a `SharedVolume`. */
export interface SharedVolumeMount {
  /** Name of the pod volume. */
  readonly volumeName: string;
  /** The PersistentVolumeClaim. */
  readonly claimName: string;
  /** Mount path in the containers. */
  readonly mountPath: string;
  /** Mount read-only. */
  readonly readOnly: boolean;
}

/** Options for `SharedVolume.mount`. */
export interface SharedVolumeMountOptions {
  /**
   * Mount read-only.
   * @default false
   */
  readonly readOnly?: boolean;
  /**
   * Mount path.
   * @default - the volume's `mountPath`
   */
  readonly mountPath?: string;
}

/** Properties for `SharedVolume`. */
export interface SharedVolumeProps {
  /** Name of the claim (and of the pod volume). */
  readonly name: string;
  /** Namespace of the claim; only pods of this namespace can mount it. */
  readonly namespace: string;
  /** ReadWriteMany storage class, such as an `AzureFilesStorageClass`. */
  readonly storageClassName: string;
  /** Size of the share, such as `100Gi`. */
  readonly size: string;
  /** Where pods mount the volume unless they say otherwise. */
  readonly mountPath: string;
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/**
 * A named ReadWriteMany volume (a PersistentVolumeClaim) for data several pods share, such as lookup tables
 * and recommendation results. Jobs and services mount it with `mount()` / `volume()` / `volumeMount()`.
 */
export class SharedVolume extends Construct {
  /** The PersistentVolumeClaim (the default child). */
  public readonly resource: k8s.KubePersistentVolumeClaim;
  /** Name of the claim. */
  public readonly claimName: string;
  /** Namespace of the claim. */
  public readonly namespace: string;
  /** Default mount path. */
  public readonly mountPath: string;

  constructor(scope: Construct, id: string, props: SharedVolumeProps) {
    super(scope, id);
    this.validateProps(id, props);
    this.claimName = props.name;
    this.namespace = props.namespace;
    this.mountPath = props.mountPath;
    this.resource = new k8s.KubePersistentVolumeClaim(this, 'Resource', {
      metadata: { name: props.name, namespace: props.namespace },
      spec: {
        accessModes: ['ReadWriteMany'],
        storageClassName: props.storageClassName,
        resources: { requests: { storage: k8s.Quantity.fromString(props.size) } },
      },
    });
  }

  /** How a pod mounts this volume. */
  public mount(options: SharedVolumeMountOptions = {}): SharedVolumeMount {
    return { volumeName: this.claimName, claimName: this.claimName, mountPath: options.mountPath ?? this.mountPath, readOnly: options.readOnly ?? false };
  }

  /** The pod volume. */
  public volume(): k8s.Volume {
    return { name: this.claimName, persistentVolumeClaim: { claimName: this.claimName } };
  }

  /** The container volume mount. */
  public volumeMount(options: SharedVolumeMountOptions = {}): k8s.VolumeMount {
    const mount = this.mount(options);
    return { name: mount.volumeName, mountPath: mount.mountPath, readOnly: mount.readOnly || undefined };
  }

  private validateProps(id: string, props: SharedVolumeProps): void {
    const prefix = `SharedVolume '${id}'`;
    for (const [prop, value] of [['name', props.name], ['namespace', props.namespace]] as const) {
      if (!DNS_LABEL.test(value)) throw new Error(`${prefix}: '${prop}' ("${value}") must be a DNS label: lowercase letters, digits and '-', at most 63 characters`);
    }
    if (!isQuantity(props.size) || parseQuantity(props.size) <= 0) {
      throw new Error(`${prefix}: 'size' ("${props.size}") is not a positive Kubernetes quantity; use a value such as 100Gi`);
    }
    if (!/^\/[^\s]*$/.test(props.mountPath) || props.mountPath === '/') {
      throw new Error(`${prefix}: 'mountPath' ("${props.mountPath}") must be an absolute path other than /, such as /mnt/lookup-tables`);
    }
  }
}
