/** The federated-credential list of the example platform, its limits, and the az commands printed from it. */
import { PLATFORM_COMPOSITIONS } from '../../charts';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { FEDERATED_CREDENTIALS_FILE } from '../../charts/federated-credentials';
import {
  ClusterFederatedCredential, federatedCredentialCommands, federatedCredentialsDocument, FederatedCredentialsDocument, MAX_FEDERATED_CREDENTIALS_PER_IDENTITY,
} from '../../lib/identity/workload-identity-audit';
import { LAYER_ORDER, buildClusterApp } from '../../charts';
import { PodIdentityBinding } from '../../lib/identity/pod-identity-binding';
import { renderEnvironments } from '../../lib/synth/synthesize';
import { exampleConfig, REPO_ROOT } from '../util';

const config = exampleConfig();
const environment = { name: 'example', file: 'config/example.yaml', config };
const rendered = renderEnvironments([environment], PLATFORM_COMPOSITIONS);
const documentText = rendered.tree.get(`example/${FEDERATED_CREDENTIALS_FILE}`)!;
const document = JSON.parse(documentText) as FederatedCredentialsDocument;

/** What the list must hold, derived from the bindings each cluster builds and the config. */
function expectedCredentials() {
  return Object.keys(config.clusters).sort().flatMap((cluster) => {
    const { context } = buildClusterApp('example', config, cluster);
    return LAYER_ORDER.flatMap((layer) => PodIdentityBinding.allIn(context.layers[layer])).map((binding) => ({
      identity: binding.identityName,
      cluster,
      issuer: config.clusters[cluster].azure.oidcIssuerUrl,
      subject: `system:serviceaccount:${binding.namespace}:${binding.serviceAccountName}`,
    }));
  });
}

describe('federated credentials of the example platform', () => {
  test('the list lives outside every cluster folder, so Flux never applies it', () => {
    const files = [...rendered.tree.keys()].filter((file) => file.endsWith('federated-credentials.json'));
    expect(files).toEqual(['example/azure/federated-credentials.json']);
    expect(Object.keys(config.clusters)).not.toContain('azure');
  });

  test('one credential per Workload Identity binding, with the cluster issuer, the ServiceAccount subject and the token-exchange audience', () => {
    const actual = document.identities.flatMap((identity) => identity.federatedCredentials.map((c) => ({
      identity: identity.name, cluster: c.cluster, issuer: c.issuer, subject: c.subject, audiences: c.audiences,
    })));
    const expected = expectedCredentials().map((c) => ({ ...c, audiences: ['api://AzureADTokenExchange'] }));
    expect(expected.length).toBeGreaterThan(0);
    expect(actual).toEqual(expect.arrayContaining(expected));
    expect(actual).toHaveLength(expected.length);
  });

  test('each identity carries where it lives in Azure, from the config', () => {
    for (const identity of document.identities) {
      const configured = config.identities[identity.name];
      expect(identity).toMatchObject({ clientId: configured.clientId, resourceGroup: configured.resourceGroup, resourceName: configured.resourceName ?? identity.name });
      const clusters = new Set(identity.federatedCredentials.map((c) => c.cluster));
      for (const cluster of clusters) expect(identity.subscriptionId).toBe(configured.subscriptionId ?? config.clusters[cluster].azure.subscriptionId);
    }
  });

  test('the list is sorted and the same on every run', () => {
    const names = document.identities.map((i) => i.name);
    expect(names).toEqual([...names].sort());
    for (const identity of document.identities) {
      const credentialNames = identity.federatedCredentials.map((c) => c.name);
      expect(credentialNames).toEqual([...credentialNames].sort());
    }
    expect(renderEnvironments([environment], PLATFORM_COMPOSITIONS).tree.get(`example/${FEDERATED_CREDENTIALS_FILE}`)).toBe(documentText);
  });

  test('an environment without Workload Identity bindings gets no list', () => {
    const legacy = exampleConfig();
    for (const cluster of Object.values(legacy.clusters)) cluster.identityMode = 'aad-pod-identity';
    const tree = renderEnvironments([{ ...environment, config: legacy }], PLATFORM_COMPOSITIONS).tree;
    expect([...tree.keys()].filter((file) => file.endsWith('/azure/federated-credentials.json'))).toEqual([]);
  });
});

describe('federated credential limits', () => {
  const credential = (i: number, identityName = 'training-data'): ClusterFederatedCredential => ({
    name: `training-ns${String(i).padStart(2, '0')}-sa`, identityName, clientId: '00000000-0000-0000-0000-000000000102', cluster: 'training',
    issuer: 'https://issuer.example/', subject: `system:serviceaccount:ns${i}:sa`, audience: 'api://AzureADTokenExchange',
  });
  const locate = () => ({ resourceName: 'training-data', resourceGroup: 'rg', subscriptionId: '00000000-0000-0000-0000-000000000010' });

  test(`${MAX_FEDERATED_CREDENTIALS_PER_IDENTITY} credentials on one identity are fine`, () => {
    const credentials = Array.from({ length: MAX_FEDERATED_CREDENTIALS_PER_IDENTITY }, (_, i) => credential(i));
    expect(federatedCredentialsDocument('example', credentials, locate).identities[0].federatedCredentials).toHaveLength(MAX_FEDERATED_CREDENTIALS_PER_IDENTITY);
  });

  test('more than 20 federated subjects on one identity fail', () => {
    const credentials = Array.from({ length: MAX_FEDERATED_CREDENTIALS_PER_IDENTITY + 1 }, (_, i) => credential(i));
    expect(() => federatedCredentialsDocument('example', credentials, locate)).toThrow(/identity 'training-data' would need 21 federated credentials .*Azure allows at most 20 per identity/);
  });

  test('two credentials with one name on one identity fail', () => {
    expect(() => federatedCredentialsDocument('example', [credential(1), { ...credential(1), subject: 'system:serviceaccount:x:y' }], locate))
      .toThrow(/identity 'training-data' has two federated credentials named 'training-ns01-sa'/);
  });

  test('an identity used from two subscriptions needs an explicit subscriptionId', () => {
    const twoSubscriptions = exampleConfig();
    twoSubscriptions.clusters.serving.azure.subscriptionId = '00000000-0000-0000-0000-000000000099';
    twoSubscriptions.clusters.serving.training = { ...twoSubscriptions.clusters.training.training!, namespace: 'models', gpuPool: undefined, jobs: {} };
    expect(() => renderEnvironments([{ ...environment, config: twoSubscriptions }], PLATFORM_COMPOSITIONS)).toThrow(/identities.training-data: used by clusters in several subscriptions/);
    twoSubscriptions.identities['training-data'].subscriptionId = '00000000-0000-0000-0000-000000000010';
    expect(() => renderEnvironments([{ ...environment, config: twoSubscriptions }], PLATFORM_COMPOSITIONS)).not.toThrow();
  });
});

describe('az commands', () => {
  test('one az identity federated-credential create command per credential, with every field of the list', () => {
    const commands = federatedCredentialCommands(document);
    const credentials = document.identities.flatMap((identity) => identity.federatedCredentials.map((c) => ({ identity, c })));
    expect(commands).toHaveLength(credentials.length);
    credentials.forEach(({ identity, c }, i) => {
      expect(commands[i]).toBe(`az identity federated-credential create --subscription ${identity.subscriptionId} --resource-group ${identity.resourceGroup} `
        + `--identity-name ${identity.resourceName} --name ${c.name} --issuer ${c.issuer} --subject ${c.subject} --audiences ${c.audiences.join(' ')}`);
    });
  });

  test('values with shell metacharacters are quoted', () => {
    const odd: FederatedCredentialsDocument = { environment: 'x', identities: [{ ...document.identities[0], resourceGroup: "rg with space's" }] };
    expect(federatedCredentialCommands(odd)[0]).toContain(`--resource-group 'rg with space'\\''s'`);
  });

  test('the CLI prints the commands from dist/<env>/azure/federated-credentials.json', () => {
    const dist = fs.mkdtempSync(path.join(os.tmpdir(), 'fic-'));
    try {
      fs.mkdirSync(path.join(dist, 'example', 'azure'), { recursive: true });
      fs.writeFileSync(path.join(dist, 'example', FEDERATED_CREDENTIALS_FILE), documentText);
      const esbuild = path.join(REPO_ROOT, 'node_modules', '.bin', 'esbuild');
      const bundle = path.join(dist, 'cli.js');
      execFileSync(esbuild, [path.join(REPO_ROOT, 'lib', 'cli', 'federated-credentials.ts'), '--bundle', '--platform=node', `--outfile=${bundle}`, '--log-level=warning']);
      const output = execFileSync('node', [bundle, '--dist', dist], { encoding: 'utf8' }).trim().split('\n');
      expect(output.slice(1)).toEqual(federatedCredentialCommands(document));
      expect(output[0]).toMatch(/^# example: \d+ federated credential\(s\)/);
    } finally {
      fs.rmSync(dist, { recursive: true, force: true });
    }
  });
});
