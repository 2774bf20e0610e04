/** identityMode aad-pod-identity end to end on the data-processing cluster (Spark jobs and Airflow). */
import { buildClusterApp } from '../../charts';
import { ROLE_ASSIGNMENTS_FILE, roleAssignmentsArtifact } from '../../charts/role-assignments';
import { MIC_ROLES, NODE_RESOURCE_GROUP_PLACEHOLDER, roleAssignmentCommands, roleAssignmentsDocument, RoleAssignmentsDocument } from '../../lib/models/role-assignments';
import { STORAGE_CLIENT_ID_ANNOTATION } from '../../lib/serving/kserve-versions';
import { exampleConfig, Manifest, synthCluster } from '../util';

function aadDataProcessing(): Manifest[] {
  const config = exampleConfig();
  const cluster = config.clusters['data-processing'] as unknown as { identityMode?: string; operators?: Record<string, unknown> };
  cluster.identityMode = 'aad-pod-identity';
  cluster.operators = { ...cluster.operators, aadPodIdentity: { repository: 'https://raw.githubusercontent.com/Azure/aad-pod-identity/master/charts', version: '4.1.18' } };
  return synthCluster('data-processing', config);
}

describe('identityMode aad-pod-identity (data-processing)', () => {
  const manifests = aadDataProcessing();

  test('Spark jobs with azureStorage use the MSI token provider (NMI answers IMDS), not the Workload Identity one', () => {
    const apps = manifests.filter((m) => m.kind === 'SparkApplication' || m.kind === 'ScheduledSparkApplication');
    const confs = apps.map((app) => (app.kind === 'SparkApplication' ? app.spec : app.spec.template).hadoopConf ?? {})
      .filter((conf: Record<string, string>) => conf['fs.azure.account.auth.type'] === 'OAuth');
    expect(confs.length).toBeGreaterThan(0);
    for (const conf of confs) {
      expect(conf['fs.azure.account.oauth.provider.type']).toBe('org.apache.hadoop.fs.azurebfs.oauth2.MsiTokenProvider');
      expect(conf['fs.azure.account.oauth2.token.file']).toBeUndefined();
    }
  });

  test('a streaming job on Azure Storage uses the MSI token provider too (the same Spark props as batch jobs)', () => {
    const config = exampleConfig();
    const cluster = config.clusters['data-processing'] as unknown as { identityMode?: string; operators?: Record<string, unknown> };
    cluster.identityMode = 'aad-pod-identity';
    cluster.operators = { ...cluster.operators, aadPodIdentity: { repository: 'https://raw.githubusercontent.com/Azure/aad-pod-identity/master/charts', version: '4.1.18' } };
    const jobs = config.clusters['data-processing'].streaming!.jobs!;
    const [name] = Object.keys(jobs);
    (jobs[name] as { azureStorage?: boolean }).azureStorage = true;
    const app = synthCluster('data-processing', config).find((m) => m.kind === 'SparkApplication' && m.metadata.name === name)!;
    expect(app.spec.hadoopConf['fs.azure.account.oauth.provider.type']).toBe('org.apache.hadoop.fs.azurebfs.oauth2.MsiTokenProvider');
    expect(app.spec.hadoopConf['fs.azure.account.oauth2.token.file']).toBeUndefined();
  });

  test('one AzureIdentityBinding per pod label: Airflow\'s three ServiceAccounts share the orchestration identity\'s binding', () => {
    const bindings = manifests.filter((m) => m.kind === 'AzureIdentityBinding');
    const selectors = bindings.map((b) => `${b.metadata.namespace}/${b.spec.selector}`);
    expect(new Set(selectors).size).toBe(selectors.length);
    expect(bindings.filter((b) => b.metadata.namespace === 'airflow')).toHaveLength(1);
    const airflow = manifests.find((m) => m.kind === 'HelmRelease' && m.metadata.name === 'airflow')!;
    expect(airflow.spec.values.labels).toEqual({ aadpodidbinding: bindings.find((b) => b.metadata.namespace === 'airflow')!.spec.selector });
  });

  test('every namespace with bound pods lets them reach the token endpoint through NMI', () => {
    for (const binding of manifests.filter((m) => m.kind === 'AzureIdentityBinding')) {
      const policy = manifests.find((m) => m.kind === 'NetworkPolicy' && m.metadata.namespace === binding.metadata.namespace
        && m.spec.podSelector.matchLabels?.aadpodidbinding === binding.spec.selector);
      expect([binding.metadata.namespace, policy?.spec.egress.flatMap((e: any) => e.to.map((t: any) => t.ipBlock.cidr))])
        .toEqual([binding.metadata.namespace, ['169.254.169.254/32', '127.0.0.1/32']]);
    }
  });
});

describe('identityMode aad-pod-identity: role assignments MIC needs (review F4)', () => {
  const config = exampleConfig();
  (config.clusters['data-processing'] as unknown as { identityMode?: string }).identityMode = 'aad-pod-identity';
  (config.clusters['data-processing'] as unknown as { operators?: Record<string, unknown> }).operators = {
    ...config.clusters['data-processing'].operators,
    aadPodIdentity: { repository: 'https://raw.githubusercontent.com/Azure/aad-pod-identity/master/charts', version: '4.1.18' },
  };
  const clusters = Object.keys(config.clusters).map((name) => ({ context: buildClusterApp('example', config, name).context, folders: [] }));
  const document = JSON.parse(roleAssignmentsArtifact('example', clusters).get(ROLE_ASSIGNMENTS_FILE)!) as RoleAssignmentsDocument;
  const kubelet = document.kubeletRoleAssignments ?? [];
  const azureIdentities = synthCluster('data-processing', config).filter((m) => m.kind === 'AzureIdentity');
  const { azure } = config.clusters['data-processing'];
  const aks = `az aks show --resource-group ${azure.resourceGroup} --name ${azure.name} --subscription ${azure.subscriptionId}`;

  test('only the aad-pod-identity cluster gets kubelet role assignments, all to its kubelet identity', () => {
    expect(new Set(kubelet.map((a) => a.cluster))).toEqual(new Set(['data-processing']));
    for (const assignment of kubelet) {
      expect(assignment.assignee).toBe('kubelet-identity:data-processing');
      expect(assignment.assigneeQuery).toBe(`${aks} --query identityProfile.kubeletidentity.clientId -o tsv`);
    }
  });

  test('Managed Identity Operator and Virtual Machine Contributor on the node resource group', () => {
    const onNodeGroup = kubelet.filter((a) => a.scope === `/subscriptions/${azure.subscriptionId}/resourceGroups/${NODE_RESOURCE_GROUP_PLACEHOLDER}`);
    expect(onNodeGroup.map((a) => a.roleDefinitionId).sort()).toEqual([MIC_ROLES.virtualMachineContributor.id, MIC_ROLES.managedIdentityOperator.id].sort());
    expect(MIC_ROLES.managedIdentityOperator.id).toBe('f1a07417-d97a-45cb-824c-7a7467783830');
    expect(MIC_ROLES.virtualMachineContributor.id).toBe('9980e02c-c2be-4d73-94e8-173b1dc7cf3c');
    for (const assignment of onNodeGroup) expect(assignment.nodeResourceGroupQuery).toBe(`${aks} --query nodeResourceGroup -o tsv`);
  });

  test('Managed Identity Operator on exactly the identities the cluster\'s AzureIdentities name', () => {
    const onIdentities = kubelet.filter((a) => a.scope.includes('/userAssignedIdentities/'));
    expect(azureIdentities.length).toBeGreaterThan(0);
    expect(onIdentities.map((a) => a.scope.toLowerCase()).sort())
      .toEqual([...new Set(azureIdentities.map((m) => (m.spec.resourceID as string).toLowerCase()))].sort());
    for (const assignment of onIdentities) expect(assignment.roleDefinitionId).toBe(MIC_ROLES.managedIdentityOperator.id);
  });

  test('the printed commands resolve the kubelet identity and the node resource group with az aks show', () => {
    const commands = roleAssignmentCommands(document).filter((c) => c.includes('kubeletidentity'));
    expect(commands).toHaveLength(kubelet.length);
    expect(commands).toContain(`az role assignment create --assignee "$(${aks} --query identityProfile.kubeletidentity.clientId -o tsv)" --role ${MIC_ROLES.virtualMachineContributor.id} --scope /subscriptions/${azure.subscriptionId}/resourceGroups/"$(${aks} --query nodeResourceGroup -o tsv)"`);
  });

  test('Workload Identity clusters (the example as is) get none', () => {
    expect(roleAssignmentsDocument('example', exampleConfig()).kubeletRoleAssignments).toBeUndefined();
  });
});

describe('KServe storage initializer credentials (review F1)', () => {
  const aadServing = () => {
    const config = exampleConfig();
    const cluster = config.clusters.serving as unknown as { identityMode?: string; operators?: Record<string, unknown> };
    cluster.identityMode = 'aad-pod-identity';
    cluster.operators = { ...cluster.operators, aadPodIdentity: { repository: 'https://raw.githubusercontent.com/Azure/aad-pod-identity/master/charts', version: '4.1.18' } };
    return { config, manifests: synthCluster('serving', config) };
  };
  const kserveRelease = (manifests: Manifest[]) => manifests.find((m) => m.kind === 'HelmRelease' && m.metadata.name === 'kserve')!;

  test('aad-pod-identity: the kserve release adds AZURE_CLIENT_ID from the predictor annotation to the ClusterStorageContainer "default"', () => {
    const { manifests } = aadServing();
    const [renderer] = kserveRelease(manifests).spec.postRenderers;
    const [patch] = renderer.kustomize.patches;
    expect(patch.target).toEqual({ group: 'serving.kserve.io', version: 'v1alpha1', kind: 'ClusterStorageContainer', name: 'default' });
    expect(JSON.parse(patch.patch)).toEqual([{
      op: 'add', path: '/spec/container/env',
      value: [{ name: 'AZURE_CLIENT_ID', valueFrom: { fieldRef: { fieldPath: `metadata.annotations['${STORAGE_CLIENT_ID_ANNOTATION}']` } } }],
    }]);
  });

  test('aad-pod-identity: every predictor with an identity carries that identity\'s client ID in the annotation', () => {
    const { config, manifests } = aadServing();
    const services = manifests.filter((m) => m.kind === 'InferenceService');
    expect(services.length).toBeGreaterThan(0);
    for (const service of services) {
      const model = (config.clusters.serving as any).serving.models[service.metadata.name];
      expect(service.spec.predictor.annotations?.[STORAGE_CLIENT_ID_ANNOTATION]).toBe(config.identities[model.identity].clientId);
    }
  });

  test('Workload Identity: no patch and no annotation (the WI webhook is reinvoked and injects the env itself)', () => {
    const manifests = synthCluster('serving');
    expect(kserveRelease(manifests).spec.postRenderers).toBeUndefined();
    for (const service of manifests.filter((m) => m.kind === 'InferenceService')) {
      expect(service.spec.predictor.annotations?.[STORAGE_CLIENT_ID_ANNOTATION]).toBeUndefined();
      expect(service.spec.predictor.labels).toMatchObject({ 'azure.workload.identity/use': 'true' });
    }
  });
});
