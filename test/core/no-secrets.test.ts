/**
 * Issue 14, item 1: no secret reaches dist/. The config forms that used to be written into dist/ as they were
 * (credentials in repository URLs, `DB_PASSWORD: hunter2` in a training env) and the known token formats are
 * refused with file:line and the way to give the secret instead; the output scan of `npm run validate` finds
 * what a construct could still produce. Fake tokens are built by concatenation so this file holds no token.
 */
import { credentialsInUrl, secretNameWord, tokenFormatIn } from '../../lib/core/secret-patterns';
import { formatConfigIssues, formatPath } from '../../lib/config/issues';
import { findSecrets } from '../../lib/validation/secret-scan';
import { exampleConfigIssues } from '../util';

const GHP = 'ghp_' + 'A1b2C3d4E5'.repeat(4).slice(0, 36);
const PAT = 'github_pat_' + '11ABCDEFG0'.repeat(6);
const SLACK = 'xoxb-' + '123456789012-abcdefABCDEF';
const AWS = 'AKIA' + 'IOSFODNN7EXAMPLE';
const JWT = 'eyJhbGciOiJSUzI1NiJ9' + '.' + 'eyJzdWIiOiJ0ZXN0In0' + '.' + 'c2lnbmF0dXJlLXNpZ25hdHVyZQ';
const STORAGE_KEY = 'Ab3'.repeat(28) + 'xy' + '==';
const SAS = 'sv=2022-11-02&ss=b&srt=co&sp=rl&se=2030-01-01T00:00:00Z&sig=' + 'abcDEF123%2B%3D';
const AAD_SECRET = 'abc8Q~' + 'AbCdEfGhIjKlMnOpQrStUvWxYz0123456';

/** Each row: an edit of the example config, the key path that must be reported and words of the message. */
const REFUSED: readonly { form: string; edit: (text: string) => string; path: string; says: RegExp }[] = [
  {
    form: 'a GitHub token as user and password in gitops.repository.url',
    edit: (t) => t.replace('url: https://github.com/example/ml-platform-manifests.git', `url: https://git:${GHP}@github.com/example/ml-platform-manifests.git`),
    path: 'gitops.repository.url', says: /user name and password.*gitops\.repository\.secretName/,
  },
  {
    form: 'a token as user name in airflow.dags.repository',
    edit: (t) => t.replace('repository: https://github.com/example/ml-platform-dags.git', `repository: https://${GHP}@github.com/example/ml-platform-dags.git`),
    path: 'clusters.data-processing.airflow.dags.repository', says: /token as its user name.*airflow\.dags\.credentialsSecret/,
  },
  {
    form: 'user and password in an operator chart repository',
    edit: (t) => t.replace('repository: https://kubeflow.github.io/spark-operator', 'repository: https://deploy:hunter2@kubeflow.github.io/spark-operator'),
    path: 'clusters.data-processing.operators.sparkOperator.repository', says: /user name and password.*HelmRepository spec\.secretRef/,
  },
  {
    form: 'user info in an oci:// operator repository',
    edit: (t) => t.replace('repository: oci://quay.io/jetstack/charts', 'repository: oci://robot@quay.io/jetstack/charts'),
    path: 'clusters.data-processing.operators.certManager.repository', says: /oci:\/\/ URL carries user info/,
  },
  {
    form: 'DB_PASSWORD: hunter2 in a training env',
    edit: (t) => t.replace('          env:\n', '          env:\n            DB_PASSWORD: hunter2\n'),
    path: 'clusters.training.training.jobs.iris.env.DB_PASSWORD', says: /looks like a secret \(its name contains PASSWORD\).*secretEnv: \{ DB_PASSWORD: \{ secretName/,
  },
  ...['API_KEY', 'HF_TOKEN', 'AZURE_CLIENT_SECRET', 'storageAccountKey', 'WANDB_APIKEY'].map((name) => ({
    form: `${name} in a training env`,
    edit: (t: string) => t.replace('          env:\n', `          env:\n            ${name}: some-value\n`),
    path: `clusters.training.training.jobs.iris.env.${name}`, says: /looks like a secret/,
  })),
  {
    form: 'a secret-named env of a microservice',
    edit: (t) => t.replace('          port: 5000\n', '          port: 5000\n          env: { REDIS_PASSWORD: s3cret }\n'),
    path: 'clusters.serving.serving.microservices.featurespace.env.REDIS_PASSWORD', says: /secretEnv: \{ REDIS_PASSWORD/,
  },
  ...([
    ['a GitHub token', GHP, /GitHub token/],
    ['a fine-grained GitHub token', PAT, /fine-grained/],
    ['a Slack token', SLACK, /Slack token/],
    ['an AWS access key', AWS, /AWS access key/],
    ['a JWT', JWT, /JSON Web Token/],
    ['an Azure storage key', STORAGE_KEY, /storage account key/],
    ['an Azure AD client secret', AAD_SECRET, /client secret/],
    ['a connection string with AccountKey', `DefaultEndpointsProtocol=https;AccountName=x;AccountKey=${STORAGE_KEY}`, /AccountKey|storage account key/],
  ] as const).map(([form, value, says]) => ({
    form: `${form} in a harmless-named env value`,
    edit: (t: string) => t.replace('          env:\n', `          env:\n            SETTING: "${value}"\n`),
    path: 'clusters.training.training.jobs.iris.env.SETTING', says,
  })),
  {
    form: 'a token in the container arguments',
    edit: (t) => t.replace('"--use_gpu"]', `"--use_gpu", "--hub-token", "${GHP}"]`),
    path: 'clusters.training.training.jobs.iris.args[6]', says: /GitHub token/,
  },
  {
    form: 'a SAS signature in a model storageUri',
    edit: (t) => t.replace('mlflow/models/wine-quality', `mlflow/models/wine-quality?${SAS}`),
    path: 'clusters.serving.serving.models.wine-quality.storageUri', says: /shared access signature/,
  },
  {
    form: 'user and password in a postgres URL in the arguments',
    edit: (t) => t.replace('"--use_gpu"]', '"--use_gpu", "--db", "postgresql://mlflow:hunter2@db.example:5432/mlflow"]'),
    path: 'clusters.training.training.jobs.iris.args[6]', says: /postgresql:\/\/ URL carries a user name and password/,
  },
];

describe('secrets in the config are refused with file:line and the way to give them instead', () => {
  test.each(REFUSED)('$form', ({ edit, path, says }) => {
    const issues = exampleConfigIssues(edit);
    const issue = issues.find((i) => formatPath(i.path) === path);
    expect(issue).toBeDefined();
    expect(issue!.line).toBeGreaterThan(0);
    expect(issue!.message).toMatch(says);
    const report = formatConfigIssues(issues);
    expect(report).toMatch(/test\.yaml:\d+: /);
    // the report never repeats the secret
    for (const secret of [GHP, PAT, SLACK, AWS, JWT, STORAGE_KEY, AAD_SECRET, 'hunter2', 'some-value', 's3cret']) expect(report).not.toContain(secret);
  });

  test.each([
    ['ML env names that are not secrets', (t: string) => t.replace('          env:\n', '          env:\n            TOKENIZERS_PARALLELISM: "false"\n            MAX_NEW_TOKENS: "256"\n            AZURE_FEDERATED_TOKEN_FILE: /var/run/secrets/token\n            KEYVAULT_URL: https://kv.vault.azure.net/\n')],
    ['an ssh:// Git URL with its login user', (t: string) => t.replace('url: https://github.com/example/ml-platform-manifests.git', 'url: ssh://git@github.com/example/ml-platform-manifests.git')],
    ['a secretEnv reference', (t: string) => t.replace('          env:\n', '          secretEnv:\n            DB_PASSWORD: { secretName: training-db, key: password }\n          env:\n')],
  ])('accepted: %s', (_form, edit) => {
    expect(exampleConfigIssues(edit)).toEqual([]);
  });
});

describe('secret patterns', () => {
  test.each([
    ['https://git:x@github.com/a/b.git', /user name and password/],
    [`https://${GHP}@github.com/a/b.git`, /token as its user name/],
    ['ssh://git:pw@github.com/a/b.git', /user name and password/],
    ['--url=https://user@example.com/x', /user info/],
  ])('URL credentials: %s', (value, says) => expect(credentialsInUrl(value)).toMatch(says));

  test.each([
    'abfss://container@account.dfs.core.windows.net/path/',
    'wasbs://mlflow@exampleartifacts.blob.core.windows.net',
    'ssh://git@github.com/a/b.git',
    'https://github.com/a/b.git',
    'user@example.com',
  ])('no URL credentials: %s', (value) => expect(credentialsInUrl(value)).toBeUndefined());

  test.each([
    ['DB_PASSWORD', 'PASSWORD'], ['dbPassword', 'PASSWORD'], ['GITHUB_TOKEN', 'TOKEN'], ['API_KEY', 'KEY'], ['APIKEY', 'KEY'],
    ['CLIENT_SECRET', 'SECRET'], ['AWS_ACCESS_KEY_ID', 'KEY'], ['SSH_PASSPHRASE', 'PASSPHRASE'],
  ])('secret name %s (word %s)', (name, word) => expect(secretNameWord(name)).toBe(word));

  test.each(['TOKENIZERS_PARALLELISM', 'MAX_NEW_TOKENS', 'AZURE_FEDERATED_TOKEN_FILE', 'SECRET_NAME', 'KEYVAULT_URL', 'MODEL_OUTPUT_URL', 'HOME'])(
    'not a secret name: %s', (name) => expect(secretNameWord(name)).toBeUndefined());

  test.each([GHP, PAT, SLACK, AWS, JWT, STORAGE_KEY, `https://a.blob.core.windows.net/c?${SAS}`, AAD_SECRET, '-----BEGIN RSA PRIVATE KEY-----\nMIIE'])(
    'token format found: %#', (value) => expect(tokenFormatIn(value)).toBeDefined());

  test.each(['00000000-0000-0000-0000-000000000001', 'examplemlplatform.azurecr.io/training/iris:1.0.0', `sha256:${'a'.repeat(64)}`, 'ghp_short', '{"conn_type":"wasb"}'])(
    'no token format: %s', (value) => expect(tokenFormatIn(value)).toBeUndefined());
});

describe('the output scan (npm run validate, make test)', () => {
  const pod = (env: object[]) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'n' }, spec: { containers: [{ name: 'c', image: 'i:1', env }] } });

  test.each([
    ['a Secret with data', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, data: { password: 'aHVudGVyMg==' } }, '/data', /Secret with data/],
    ['a Secret with stringData', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, stringData: { password: 'x' } }, '/stringData', /Secret with stringData/],
    ['a secret-named env with a literal value', pod([{ name: 'DB_PASSWORD', value: 'hunter2' }]), '/spec/containers/0/env/0/value', /secretKeyRef/],
    ['a token anywhere', pod([{ name: 'SETTING', value: GHP }]), '/spec/containers/0/env/0/value', /GitHub token/],
    ['credentials in a HelmRelease values URL', { apiVersion: 'helm.toolkit.fluxcd.io/v2', kind: 'HelmRelease', metadata: { name: 'h' }, spec: { values: { repo: 'https://u:p@git.example/x' } } }, '/spec/values/repo', /user name and password/],
    ['a token in an annotation', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', annotations: { note: JWT } } }, '/metadata/annotations/note', /JSON Web Token/],
  ])('found: %s', (_form, obj, path, says) => {
    const issues = findSecrets(obj, 'x.yaml');
    expect(issues.map((i) => i.path)).toContain(path);
    expect(issues.find((i) => i.path === path)!.message).toMatch(says);
    expect(JSON.stringify(issues)).not.toContain('hunter2');
  });

  test.each([
    ['a Secret reference', pod([{ name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } }])],
    ['a Secret without data (type only)', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, type: 'Opaque' }],
    ['a file path in a token-named env', pod([{ name: 'AZURE_FEDERATED_TOKEN_FILE', value: '/var/run/secrets/azure/tokens/azure-identity-token' }])],
  ])('not found: %s', (_form, obj) => expect(findSecrets(obj, 'x.yaml')).toEqual([]));
});
