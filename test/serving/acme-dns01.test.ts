/**
 * `routing.tls.acmeSolver: dns01` with Azure DNS (`routing.tls.azureDns`): the cert-manager controller gets Workload
 * Identity through its chart values, the identity gets a federated credential for the chart's ServiceAccount and
 * DNS Zone Contributor on the zone (cert-manager v1.18.2 pkg/issuer/acme/dns/azuredns/azuredns.go getAuthorization).
 */
import { buildClusterApp } from '../../charts';
import { federatedCredentialsArtifact } from '../../charts/federated-credentials';
import { roleAssignmentsArtifact } from '../../charts/role-assignments';
import { PlatformConfig } from '../../lib/config/schema';
import { ChartServiceAccountIdentity } from '../../lib/identity/chart-service-account-identity';
import { roleAssignmentCommands } from '../../lib/models/role-assignments';
import { renderClusterLayers } from '../../lib/synth/render-cluster';
import { Testing } from 'cdk8s';
import { exampleConfig, exampleConfigIssues, findManifest, synthCluster } from '../util';

const ZONE_SCOPE = '/subscriptions/00000000-0000-0000-0000-0000000000aa/resourceGroups/rg-dns/providers/Microsoft.Network/dnsZones/example.com';

function dns01Config(): PlatformConfig {
  const config = exampleConfig();
  config.identities['cert-manager-dns'] = { clientId: '00000000-0000-0000-0000-0000000001ff', resourceGroup: 'rg-mlplatform-example-identities' };
  config.clusters.serving.routing!.tls = {
    ...config.clusters.serving.routing!.tls,
    acmeSolver: 'dns01',
    azureDns: { identity: 'cert-manager-dns', zone: 'example.com', resourceGroup: 'rg-dns', subscriptionId: '00000000-0000-0000-0000-0000000000aa' },
  };
  return config;
}

function artifacts(config: PlatformConfig, files: 'federated' | 'roles'): any {
  const clusters = Object.keys(config.clusters).sort().map((name) => {
    const { context } = buildClusterApp('example', config, name);
    return { context, folders: renderClusterLayers(context) };
  });
  const out = files === 'federated' ? federatedCredentialsArtifact('example', clusters) : roleAssignmentsArtifact('example', clusters);
  return JSON.parse([...out.values()][0]);
}

describe('ACME DNS-01 in Azure DNS with Workload Identity', () => {
  test('the cert-manager HelmRelease labels the controller pods and annotates its ServiceAccount (chart v1.18.2 podLabels, serviceAccount.annotations)', () => {
    const config = dns01Config();
    const values = findManifest(synthCluster('serving', config), 'HelmRelease', 'cert-manager', 'cert-manager').spec.values;
    expect(values.podLabels).toEqual({ 'azure.workload.identity/use': 'true' });
    expect(values.serviceAccount).toEqual({ annotations: {
      'azure.workload.identity/client-id': '00000000-0000-0000-0000-0000000001ff',
      'azure.workload.identity/tenant-id': config.azure.tenantId,
    } });
    // No ServiceAccount in dist/: the chart creates it (Helm would refuse to adopt one).
    expect(synthCluster('serving', config).filter((m) => m.kind === 'ServiceAccount' && m.metadata.namespace === 'cert-manager')).toEqual([]);
    // The other cluster (HTTP-01) is unchanged.
    const other = findManifest(synthCluster('data-processing', config), 'HelmRelease', 'cert-manager', 'cert-manager').spec.values;
    expect(other.podLabels).toBeUndefined();
    expect(other.serviceAccount).toBeUndefined();
  });

  test('the federated credential for system:serviceaccount:cert-manager:cert-manager on the cluster issuer', () => {
    const config = dns01Config();
    const document = artifacts(config, 'federated');
    const identity = document.identities.find((i: any) => i.name === 'cert-manager-dns');
    expect(identity).toMatchObject({ clientId: '00000000-0000-0000-0000-0000000001ff', resourceGroup: 'rg-mlplatform-example-identities', resourceName: 'cert-manager-dns', subscriptionId: config.clusters.serving.azure.subscriptionId });
    expect(identity.federatedCredentials).toEqual([{
      name: 'serving-cert-manager-cert-manager', cluster: 'serving', issuer: config.clusters.serving.azure.oidcIssuerUrl,
      subject: 'system:serviceaccount:cert-manager:cert-manager', audiences: ['api://AzureADTokenExchange'],
    }]);
  });

  test('DNS Zone Contributor (befefa01-2a29-4197-83a8-272ff33ce314) on the zone, with its az command', () => {
    const document = artifacts(dns01Config(), 'roles');
    const dns = document.roleAssignments.filter((a: any) => a.identity === 'cert-manager-dns');
    expect(dns).toEqual([{
      identity: 'cert-manager-dns', clientId: '00000000-0000-0000-0000-0000000001ff', role: 'DNS Zone Contributor',
      roleDefinitionId: 'befefa01-2a29-4197-83a8-272ff33ce314', scope: ZONE_SCOPE, clusters: ['serving'],
      reasons: ["cert-manager on cluster 'serving' writes ACME DNS-01 TXT records in zone example.com"],
    }]);
    expect(roleAssignmentCommands({ environment: 'example', roleAssignments: dns })[1])
      .toBe(`az role assignment create --assignee 00000000-0000-0000-0000-0000000001ff --role befefa01-2a29-4197-83a8-272ff33ce314 --scope ${ZONE_SCOPE}`);
  });

  test('without azureDns, and with HTTP-01, nothing is generated for cert-manager\'s identity', () => {
    const config = exampleConfig();
    const { context } = buildClusterApp('example', config, 'serving');
    expect(ChartServiceAccountIdentity.allIn(context.layers.operators)).toEqual([]);
    expect(Testing.synth(context.layers.operators).find((m: any) => m.kind === 'HelmRelease' && m.metadata.name === 'cert-manager').spec.values.podLabels).toBeUndefined();
  });

  test('ChartServiceAccountIdentity validates its props', () => {
    const chart = Testing.chart();
    const props = { namespace: 'cert-manager', serviceAccountName: 'cert-manager', identityName: 'dns', clientId: '00000000-0000-0000-0000-000000000001', tenantId: '00000000-0000-0000-0000-000000000002', oidcIssuerUrl: 'https://issuer.example/' };
    expect(() => new ChartServiceAccountIdentity(chart, 'a', { ...props, clientId: 'x' })).toThrow(/ChartServiceAccountIdentity 'a': 'clientId' \("x"\) is not a GUID/);
    expect(() => new ChartServiceAccountIdentity(chart, 'b', { ...props, oidcIssuerUrl: 'http://x' })).toThrow(/'oidcIssuerUrl' \(http:\/\/x\) must be the cluster's https:\/\/ OIDC issuer URL/);
    expect(() => new ChartServiceAccountIdentity(chart, 'c', { ...props, serviceAccountName: 'Cert' })).toThrow(/'serviceAccountName' \("Cert"\) must be a DNS label/);
    expect(Testing.synth(chart)).toEqual([]);
  });

  test('the loader reports acmeSolver dns01 without azureDns at its line, with the fix', () => {
    let edited = '';
    const issues = exampleConfigIssues((text) => {
      edited = text.replace('        clusterIssuer: letsencrypt-example                   # EXAMPLE (a cert-manager ClusterIssuer)\n      defaultTimeoutSeconds: 60',
        '        clusterIssuer: letsencrypt-example\n        acmeSolver: dns01\n      defaultTimeoutSeconds: 60');
      return edited;
    });
    const line = edited.split('\n').findIndex((l) => l.includes('acmeSolver: dns01')) + 1;
    expect(line).toBeGreaterThan(0);
    expect(issues.map((i) => `${i.line}: ${i.path.join('.')}: ${i.message}`)).toEqual([
      expect.stringMatching(new RegExp(`^${line}: clusters\\.serving\\.routing\\.tls\\.acmeSolver: acmeSolver dns01 needs routing\\.tls\\.azureDns \\(identity, zone, resourceGroup\\).*add azureDns`)),
    ]);
  });
});
