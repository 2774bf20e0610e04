import { ApiObject, Testing } from 'cdk8s';
import { AzureFilesProtocol, AzureFilesSku, AzureFilesStorageClass, AzureFilesStorageClassProps } from '../../lib/data-processing/azure-files-storage-class';
import { findManifest, Manifest } from '../util';

const required: AzureFilesStorageClassProps = { name: 'azurefile-shared', skuName: AzureFilesSku.PREMIUM_LRS };

function synth(props: AzureFilesStorageClassProps = required): { storageClass: AzureFilesStorageClass; manifests: Manifest[] } {
  const chart = Testing.chart();
  const storageClass = new AzureFilesStorageClass(chart, 'files', props);
  return { storageClass, manifests: Testing.synth(chart) as Manifest[] };
}

describe('AzureFilesStorageClass', () => {
  test('defaults', () => {
    expect(synth().manifests).toMatchSnapshot();
  });

  test('all props (NFS)', () => {
    const props: Required<AzureFilesStorageClassProps> = { ...required, protocol: AzureFilesProtocol.NFS, smbOwnerId: 1000, reclaimPolicy: 'Delete' };
    const { manifests } = synth(props);
    const storageClass = findManifest(manifests, 'StorageClass', 'azurefile-shared');
    expect(storageClass.parameters).toEqual({ skuName: 'Premium_LRS', protocol: 'nfs' });
    expect(storageClass.reclaimPolicy).toBe('Delete');
    expect(storageClass.mountOptions).not.toContain('uid=1000');
  });

  test('SMB: Azure Files CSI, files owned by the Spark user, data kept and expandable', () => {
    const storageClass = findManifest(synth().manifests, 'StorageClass', 'azurefile-shared');
    expect(storageClass.provisioner).toBe('file.csi.azure.com');
    expect(storageClass.parameters).toEqual({ skuName: 'Premium_LRS' });
    expect(storageClass.mountOptions).toEqual(expect.arrayContaining(['uid=185', 'gid=185', 'dir_mode=0770', 'file_mode=0660']));
    expect(storageClass).toMatchObject({ reclaimPolicy: 'Retain', allowVolumeExpansion: true });
  });

  describe('validation', () => {
    const build = (props: Partial<AzureFilesStorageClassProps>) => () => new AzureFilesStorageClass(Testing.chart(), 'files', { ...required, ...props });
    test('name', () => {
      expect(build({ name: 'Files' })).toThrow(/AzureFilesStorageClass 'files': 'name' \("Files"\) must be a DNS subdomain/);
    });
    test('NFS on a Standard SKU', () => {
      expect(build({ protocol: AzureFilesProtocol.NFS, skuName: AzureFilesSku.STANDARD_LRS })).toThrow(/'protocol' \(nfs\) needs a Premium SKU/);
    });
    test('root owner', () => {
      expect(build({ smbOwnerId: 0 })).toThrow(/'smbOwnerId' \(0\) must be a non-root user ID/);
    });
  });

  test('escape hatch', () => {
    expect(ApiObject.of(synth().storageClass).kind).toBe('StorageClass');
  });
});
