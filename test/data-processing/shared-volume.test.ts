import { ApiObject, Testing } from 'cdk8s';
import { SharedVolume, SharedVolumeProps } from '../../lib/data-processing/shared-volume';
import { findManifest, Manifest } from '../util';

const required: SharedVolumeProps = { name: 'lookup-tables', namespace: 'spark', storageClassName: 'azurefile-shared', size: '100Gi', mountPath: '/mnt/lookup-tables' };

function synth(props: SharedVolumeProps = required): { volume: SharedVolume; manifests: Manifest[] } {
  const chart = Testing.chart();
  const volume = new SharedVolume(chart, 'volume', props);
  return { volume, manifests: Testing.synth(chart) as Manifest[] };
}

describe('SharedVolume', () => {
  test('defaults', () => {
    expect(synth().manifests).toMatchSnapshot();
  });

  test('all props', () => {
    // Every prop is required; this pins each one to its place in the claim.
    const props: Required<SharedVolumeProps> = { ...required, name: 'results', namespace: 'serving', storageClassName: 'files', size: '1Ti', mountPath: '/data' };
    const { volume, manifests } = synth(props);
    const claim = findManifest(manifests, 'PersistentVolumeClaim', 'results', 'serving');
    expect(claim.spec).toEqual({ accessModes: ['ReadWriteMany'], storageClassName: 'files', resources: { requests: { storage: '1Ti' } } });
    expect(volume.mount()).toEqual({ volumeName: 'results', claimName: 'results', mountPath: '/data', readOnly: false });
  });

  test('mounts at the configured path, or where the pod says', () => {
    const { volume } = synth();
    expect(volume.volume()).toEqual({ name: 'lookup-tables', persistentVolumeClaim: { claimName: 'lookup-tables' } });
    expect(volume.volumeMount()).toEqual({ name: 'lookup-tables', mountPath: '/mnt/lookup-tables', readOnly: undefined });
    expect(volume.volumeMount({ readOnly: true, mountPath: '/lookup' })).toEqual({ name: 'lookup-tables', mountPath: '/lookup', readOnly: true });
  });

  describe('validation', () => {
    const build = (props: Partial<SharedVolumeProps>) => () => new SharedVolume(Testing.chart(), 'volume', { ...required, ...props });
    test('names', () => {
      expect(build({ name: 'Lookup' })).toThrow(/SharedVolume 'volume': 'name' \("Lookup"\) must be a DNS label/);
      expect(build({ namespace: 'a_b' })).toThrow(/'namespace' \("a_b"\) must be a DNS label/);
    });
    test('size', () => {
      expect(build({ size: '100GB' })).toThrow(/'size' \("100GB"\) is not a positive Kubernetes quantity/);
      expect(build({ size: '0' })).toThrow(/'size' \("0"\)/);
    });
    test('mount path', () => {
      expect(build({ mountPath: 'mnt' })).toThrow(/'mountPath' \("mnt"\) must be an absolute path/);
      expect(build({ mountPath: '/' })).toThrow(/'mountPath' \("\/"\)/);
    });
  });

  test('escape hatch', () => {
    expect(ApiObject.of(synth().volume).kind).toBe('PersistentVolumeClaim');
  });
});
