/** Preflight `--role-assignments`: the storage roles of the identities, read through the fake ARM. */
import * as path from 'path';
import { EXAMPLE_CONFIG, exampleConfig } from '../util';
import { runPreflight } from '../../lib/azure/preflight';
import { EXIT } from '../../lib/azure/errors';
import { roleAssignmentsDocument, STORAGE_ROLES } from '../../lib/models/role-assignments';
import { captureOutput, clusterPath, FakeArm, Routes, specExampleBody, TEST_RETRY, testCredential } from './fake-arm';

const config = exampleConfig();
const serving = config.clusters.serving;
const CONFIG_DIR = path.dirname(EXAMPLE_CONFIG);
const needed = roleAssignmentsDocument('example', config).roleAssignments.filter((a) => a.clusters.includes('serving'));
const identityPath = (name: string) => `/subscriptions/${serving.azure.subscriptionId}/resourceGroups/${config.identities[name].resourceGroup}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/${name}`;
const principalOf = (name: string) => `principal-of-${name}`;
const assignmentsPath = (scope: string) => `${scope}/providers/Microsoft.Authorization/roleAssignments`;
const roleDefinition = (id: string) => `/subscriptions/${serving.azure.subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${id}`;
const find = (identity: string, container: string) => needed.find((a) => a.identity === identity && a.scope.endsWith(`/containers/${container}`))!;

let fake: FakeArm | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

async function preflight(routes: Routes, flags: string[]) {
  fake = await FakeArm.start({ [`GET ${clusterPath(serving.azure)}`]: { status: 200, body: specExampleBody('ManagedClustersGet.json') }, ...routes });
  const output = captureOutput();
  const code = await runPreflight(['--config-dir', CONFIG_DIR, '--arm-endpoint', fake.url, '--cluster', 'serving', '--json', ...flags], { env: {}, ...output.deps, credential: testCredential, retry: TEST_RETRY });
  const report = JSON.parse(output.out.join('\n'));
  const checks = report.clusters[0].checks.filter((c: any) => c.check === 'role-assignment');
  return { code, checks, fake };
}

describe('preflight --role-assignments', () => {
  test('the serving cluster needs the example identities\' roles on their containers', () => {
    expect(needed.map((a) => `${a.identity} ${a.role} ${a.scope.split('/').pop()}`).sort()).toEqual([
      'experiment-tracking Storage Blob Data Contributor mlflow',
      'model-reader Storage Blob Data Reader distributed-test-models',
      'model-reader Storage Blob Data Reader mlflow',
    ]);
  });

  test('an assignment at or above the container passes, a missing one fails with the az command, an unreadable one is skipped', async () => {
    const datalake = find('model-reader', 'distributed-test-models');
    const accountScope = datalake.scope.split('/blobServices/')[0];
    const { checks, fake: arm } = await preflight({
      [`GET ${identityPath('model-reader')}`]: { status: 200, body: { properties: { principalId: principalOf('model-reader') } } },
      // the reader role on the whole account: it covers the container
      [`GET ${assignmentsPath(datalake.scope)}`]: { status: 200, body: { value: [{ properties: { roleDefinitionId: roleDefinition(STORAGE_ROLES.reader.id), scope: accountScope, principalId: principalOf('model-reader') } }] } },
      // only an assignment below the container (one blob): it does not grant the container
      [`GET ${assignmentsPath(find('model-reader', 'mlflow').scope)}`]: { status: 200, body: { value: [{ properties: { roleDefinitionId: roleDefinition(STORAGE_ROLES.reader.id), scope: `${find('model-reader', 'mlflow').scope}/blobs/x` } }] } },
      [`GET ${identityPath('experiment-tracking')}`]: { status: 403, body: { error: { code: 'AuthorizationFailed', message: 'no read' } } },
    }, ['--role-assignments']);
    const bySubject = (identity: string, container: string) => checks.find((c: any) => c.subject === `identity ${identity}` && c.expected.endsWith(`container ${container}`));
    expect(bySubject('model-reader', 'distributed-test-models')).toMatchObject({ status: 'pass' });
    expect(bySubject('model-reader', 'mlflow')).toMatchObject({ status: 'fail', actual: 'missing', fix: expect.stringMatching(/^az role assignment create --assignee 00000000-0000-0000-0000-000000000103 --role 2a2b9908-6ea1-4ae2-8e65-a410df84e7d1 --scope \/subscriptions\/.*\/containers\/mlflow$/) });
    expect(bySubject('experiment-tracking', 'mlflow')).toMatchObject({ status: 'skip', actual: expect.stringMatching(/cannot read \(HTTP 403 AuthorizationFailed\)/) });
    // the principal is read once per identity, and the filter names it
    expect(arm.requests.filter((r) => r.path === identityPath('model-reader'))).toHaveLength(1);
    const listed = arm.requests.find((r) => r.path === assignmentsPath(datalake.scope))!;
    expect(decodeURIComponent(listed.query)).toContain(`$filter=principalId eq '${principalOf('model-reader')}'`);
  });

  test('a missing role fails preflight; without the flag no role is read', async () => {
    const failing = await preflight({
      [`GET ${identityPath('model-reader')}`]: { status: 200, body: { properties: { principalId: 'p' } } },
      [`GET ${identityPath('experiment-tracking')}`]: { status: 200, body: { properties: { principalId: 'q' } } },
      ...Object.fromEntries(needed.map((a) => [`GET ${assignmentsPath(a.scope)}`, { status: 200, body: { value: [] } }])),
    }, ['--role-assignments']);
    expect(failing.checks.every((c: any) => c.status === 'fail')).toBe(true);
    expect(failing.code).toBe(EXIT.MISMATCH);
    await fake!.close();
    fake = undefined;
    const plain = await preflight({}, []);
    expect(plain.checks).toEqual([]);
    expect(plain.fake.requests.map((r) => r.path)).toEqual([clusterPath(serving.azure)]);
  });
});
