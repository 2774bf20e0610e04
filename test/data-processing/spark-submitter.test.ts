import { Testing } from 'cdk8s';
import { SparkSubmitter } from '../../lib/data-processing/spark-submitter';
import { findManifest, Manifest } from '../util';

function synth(): Manifest[] {
  const chart = Testing.chart();
  new SparkSubmitter(chart, 'submitter', { name: 'nifi', namespace: 'spark', submitters: [{ namespace: 'nifi', name: 'nifi' }, { namespace: 'jupyter', name: 'notebooks' }] });
  return Testing.synth(chart) as Manifest[];
}

describe('SparkSubmitter', () => {
  test('defaults', () => {
    expect(synth()).toMatchSnapshot();
  });

  test('only SparkApplications, bound to exactly the submitters', () => {
    const manifests = synth();
    const role = findManifest(manifests, 'Role', 'spark-submitter-nifi', 'spark');
    expect(role.rules).toEqual([
      { apiGroups: ['sparkoperator.k8s.io'], resources: ['sparkapplications'], verbs: ['create', 'delete', 'get', 'list', 'watch'] },
      { apiGroups: ['sparkoperator.k8s.io'], resources: ['sparkapplications/status'], verbs: ['get'] },
    ]);
    expect(JSON.stringify(role.rules)).not.toMatch(/"\*"|secrets|pods|rolebindings/);
    expect(findManifest(manifests, 'RoleBinding', 'spark-submitter-nifi', 'spark').subjects).toEqual([
      { kind: 'ServiceAccount', name: 'notebooks', namespace: 'jupyter' },
      { kind: 'ServiceAccount', name: 'nifi', namespace: 'nifi' },
    ]);
  });

  test('validation', () => {
    expect(() => new SparkSubmitter(Testing.chart(), 's', { name: 'nifi', namespace: 'spark', submitters: [] })).toThrow(/SparkSubmitter 's': 'submitters' is empty/);
  });
});
