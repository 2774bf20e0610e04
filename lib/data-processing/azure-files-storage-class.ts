import { Construct } from 'constructs';
import * as k8s from '../core/k8s';

/** Azure Files SKUs, each value as the CSI driver's `skuName` parameter spells it. */
export enum AzureFilesSku {
  /** Standard, locally redundant. */
  STANDARD_LRS = 'Standard_LRS',
  /** Standard, zone redundant. */
  STANDARD_ZRS = 'Standard_ZRS',
  /** Standard, geo redundant. */
  STANDARD_GRS = 'Standard_GRS',
  /** Premium (SSD), locally redundant; shares of at least 100Gi. */
  PREMIUM_LRS = 'Premium_LRS',
  /** Premium (SSD), zone redundant; shares of at least 100Gi. */
  PREMIUM_ZRS = 'Premium_ZRS',
}

/** File share protocols. */
export enum AzureFilesProtocol {
  /** SMB 3: file ownership comes from mount options. */
  SMB = 'smb',
  /** NFS 4.1: POSIX ownership; Premium SKUs only. */
  NFS = 'nfs',
}

/** Properties for `AzureFilesStorageClass`. */
export interface AzureFilesStorageClassProps {
  /** Name of the StorageClass. */
  readonly name: string;
  /** SKU of the storage account the CSI driver creates shares in. */
  readonly skuName: AzureFilesSku;
  /**
   * Share protocol.
   * @default AzureFilesProtocol.SMB
   */
  readonly protocol?: AzureFilesProtocol;
  /**
   * User and group that own files on SMB shares (SMB has no POSIX ownership; the Spark images run as 185).
   * @default 185
   */
  readonly smbOwnerId?: number;
  /**
   * What happens to a share when its claim is deleted. Lookup tables and results are data: keep them.
   * @default 'Retain'
   */
  readonly reclaimPolicy?: 'Retain' | 'Delete';
}

/**
 * A StorageClass for ReadWriteMany volumes on Azure Files through the AKS CSI driver (`file.csi.azure.com`),
 * with shares that can grow, kept on claim deletion by default. No storage keys in the manifests: the driver
 * creates the account and its secret in the cluster.
 */
export class AzureFilesStorageClass extends Construct {
  /** The StorageClass (the default child). */
  public readonly resource: k8s.KubeStorageClass;
  /** Name of the StorageClass. */
  public readonly name: string;
  /** The share protocol. */
  public readonly protocol: AzureFilesProtocol;

  constructor(scope: Construct, id: string, props: AzureFilesStorageClassProps) {
    super(scope, id);
    this.name = props.name;
    this.protocol = props.protocol ?? AzureFilesProtocol.SMB;
    const owner = props.smbOwnerId ?? 185;
    this.validateProps(id, props, owner);
    const smb = this.protocol === AzureFilesProtocol.SMB;
    this.resource = new k8s.KubeStorageClass(this, 'Resource', {
      metadata: { name: props.name },
      provisioner: 'file.csi.azure.com',
      parameters: { skuName: props.skuName, ...(smb ? {} : { protocol: 'nfs' }) },
      reclaimPolicy: props.reclaimPolicy ?? 'Retain',
      allowVolumeExpansion: true,
      volumeBindingMode: 'Immediate',
      mountOptions: smb
        ? ['dir_mode=0770', 'file_mode=0660', `uid=${owner}`, `gid=${owner}`, 'mfsymlinks', 'cache=strict', 'nosharesock', 'actimeo=30']
        : ['nconnect=4', 'noresvport', 'actimeo=30'],
    });
  }

  private validateProps(id: string, props: AzureFilesStorageClassProps, owner: number): void {
    const prefix = `AzureFilesStorageClass '${id}'`;
    if (!/^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/.test(props.name)) {
      throw new Error(`${prefix}: 'name' ("${props.name}") must be a DNS subdomain: lowercase letters, digits, '-' and '.'`);
    }
    if (this.protocol === AzureFilesProtocol.NFS && !props.skuName.startsWith('Premium')) {
      throw new Error(`${prefix}: 'protocol' (nfs) needs a Premium SKU, found 'skuName' (${props.skuName}); use Premium_LRS or Premium_ZRS, or SMB`);
    }
    if (!Number.isInteger(owner) || owner < 1) {
      throw new Error(`${prefix}: 'smbOwnerId' (${owner}) must be a non-root user ID (a whole number >= 1)`);
    }
  }
}
