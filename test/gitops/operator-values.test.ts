import { certManagerValues } from '../../lib/gitops/operator-values';
import { findManifest, synthCluster } from '../util';

describe('operator values', () => {
  test('cert-manager issues certificates for Gateway listeners when the serving cluster routes through the Gateway API', () => {
    const release = findManifest(synthCluster('serving'), 'HelmRelease', 'cert-manager', 'cert-manager');
    expect(release.spec.values.config).toEqual({
      apiVersion: 'controller.config.cert-manager.io/v1alpha1', kind: 'ControllerConfiguration', enableGatewayAPI: true,
    });
  });

  test('cert-manager without Gateway API routing gets no controller configuration', () => {
    expect(certManagerValues('cert-manager').config).toBeUndefined();
  });
});

describe('KServe values', () => {
  test('the injected storage initializer passes the restricted Pod Security level of the models namespace', () => {
    const release = findManifest(synthCluster('serving'), 'HelmRelease', 'kserve', 'kserve');
    expect(release.spec.values.kserve.storage.containerSecurityContext).toEqual({
      allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, runAsNonRoot: true, readOnlyRootFilesystem: false, seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(release.spec.values.kserve.storage.resources.limits).toEqual({ cpu: '1', memory: '1Gi' });
  });
});

describe('spark-operator values', () => {
  test('controller and webhook keep the chart\'s read-only root filesystem, and the chart\'s /tmp and cert emptyDirs (no volume lists set)', () => {
    const values = findManifest(synthCluster('data-processing'), 'HelmRelease', 'spark-operator', 'spark-operator').spec.values;
    for (const component of ['controller', 'webhook']) {
      expect([component, values[component].securityContext.readOnlyRootFilesystem]).toEqual([component, true]);
      expect([component, values[component].volumes, values[component].volumeMounts]).toEqual([component, undefined, undefined]);
    }
  });
});
