import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ConfigError } from '../../lib/config/issues';
import { loadEnvironment } from '../../lib/config/load';
import { EXAMPLE_CONFIG } from '../util';

const exampleText = fs.readFileSync(EXAMPLE_CONFIG, 'utf8');
let dir: string;

beforeEach(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gitops-rules-')); });
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

/** The messages (with their config paths) of the example with `from` replaced by `to`. */
function problems(from: string | RegExp, to: string): string[] {
  const edited = exampleText.replace(from, to);
  if (edited === exampleText) throw new Error(`'${from}' is not in the example: the test would test nothing`);
  const file = path.join(dir, 'test.yaml');
  fs.writeFileSync(file, edited);
  try {
    loadEnvironment(file);
  } catch (error) {
    if (error instanceof ConfigError) return error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw error;
  }
  throw new Error('the edited config loaded without problems');
}

describe('GitOps config rules', () => {
  test('the example passes every rule', () => {
    expect(() => loadEnvironment(EXAMPLE_CONFIG)).not.toThrow();
  });

  test('an operator a cluster needs must be pinned', () => {
    expect(problems(/      sparkOperator:\n.*\n.*\n/, '')).toEqual([
      expect.stringMatching(/^clusters\.data-processing\.operators\.sparkOperator: the cluster needs the spark-operator \(for dataProcessing\), but operators.sparkOperator does not pin it/),
    ]);
  });

  test('a cluster that routes (without serving) must pin the gateway controller and cert-manager', () => {
    expect(problems(/      certManager:                                           # the gateway's certificate[^\n]*\n.*\n.*\n      gatewayController:.*\n.*\n.*\n.*\n/, '')).toEqual([
      expect.stringMatching(/^clusters\.data-processing\.operators\.gatewayController: the cluster needs the gateway-controller \(for routing\.mode\), but operators\.gatewayController does not pin it/),
      expect.stringMatching(/^clusters\.data-processing\.operators\.certManager: the cluster needs the cert-manager \(for routing\.tls\.clusterIssuer\), but operators\.certManager does not pin it/),
    ]);
  });

  test('the training operator must be pinned with a tag', () => {
    expect(problems(/      trainingOperator:.*\n.*\n.*\n/, '')).toEqual([
      expect.stringMatching(/^clusters\.training\.operators\.trainingOperator: .*add operators.trainingOperator with its repository and tag/),
    ]);
  });

  test('the Airflow chart must be pinned when a cluster runs Airflow', () => {
    expect(problems(/      airflow:\n        repository: https:\/\/airflow.apache.org\n.*\n/, '')).toEqual([
      expect.stringMatching(/^clusters\.data-processing\.operators\.airflow: the cluster runs Airflow, but operators.airflow does not pin its chart/),
    ]);
  });

  test('the Airflow namespace must be declared under namespaces', () => {
    expect(problems(/      airflow: \{\}.*\n/, '')).toEqual([
      expect.stringMatching(/^clusters\.data-processing\.airflow\.namespace: namespace 'airflow' is not under namespaces/),
    ]);
  });

  test('the Airflow identity must exist', () => {
    expect(problems('      identity: orchestration', '      identity: orchestrator')).toEqual([
      expect.stringMatching(/^clusters\.data-processing\.airflow\.identity: identity 'orchestrator' is not under identities/),
    ]);
  });

  test('an ssh:// DAG repository needs sshKeySecret and knownHosts, not credentialsSecret', () => {
    expect(problems('https://github.com/example/ml-platform-dags.git', 'ssh://git@github.com/example/ml-platform-dags.git')).toEqual([
      expect.stringMatching(/^clusters\.data-processing\.airflow\.dags\.sshKeySecret: the DAG repository is an ssh:\/\/ URL: set dags\.sshKeySecret/),
    ]);
    expect(problems('        subPath: dags\n', '        subPath: dags\n        sshKeySecret: dags-key\n')).toEqual([
      expect.stringMatching(/^clusters\.data-processing\.airflow\.dags\.sshKeySecret: dags\.sshKeySecret and dags\.knownHosts only apply to an ssh:\/\//),
    ]);
  });

  test('airflowVersion is a plain X.Y.Z', () => {
    expect(problems('      identity: orchestration\n', '      identity: orchestration\n      airflowVersion: 3.0.2-python3.12\n')).toEqual([
      expect.stringMatching(/^clusters\.data-processing\.airflow\.airflowVersion: /),
    ]);
  });

  test('the Airflow log storage account must exist', () => {
    expect(problems('        storageAccount: exampleartifacts', '        storageAccount: examplelogs')).toEqual([
      expect.stringMatching(/^clusters\.data-processing\.airflow\.logs\.storageAccount: storage account 'examplelogs' is not under azure.storageAccounts/),
    ]);
  });

  test('an operator namespace cannot also be a platform namespace', () => {
    expect(problems('      airflow: {}', '      airflow: {}\n      spark-operator: {}')).toEqual([
      expect.stringMatching(/^clusters\.data-processing\.namespaces\.spark-operator: namespace 'spark-operator' belongs to an operator/),
    ]);
  });

  test('HelmReleases need the gitops section', () => {
    expect(problems(/\ngitops:\n(  .*\n)+/, '\n')).toEqual([
      expect.stringMatching(/^clusters: cluster\(s\) data-processing, training(, serving)? install operators or Airflow as Flux HelmReleases.*add the top-level gitops section/),
    ]);
  });

  test('chart versions must be exact (schema)', () => {
    expect(problems('        version: 2.5.2', '        version: ^2.5.0')).toEqual([
      expect.stringMatching(/^clusters\.data-processing\.operators\.sparkOperator\.version: .*exact chart version/),
    ]);
  });
});
