import { Testing } from 'cdk8s';
import { NodePoolMode } from '../../lib/core/node-pool';
import { JupyterHub, JupyterHubProps } from '../../lib/notebooks/jupyterhub';
import { findManifest, Manifest } from '../util';
import { collectDeclaredFlows } from '../../lib/core/flows';

const required: JupyterHubProps = {
  namespace: 'notebooks',
  chart: { repository: 'https://hub.jupyter.org/helm-chart', version: '4.4.0' },
  tenantId: '00000000-0000-0000-0000-000000000001',
  clientId: '00000000-0000-0000-0000-000000000301',
  clientSecretSecretName: 'jupyterhub-entra',
  callbackUrl: 'https://notebooks.example.com/hub/oauth_callback',
  allowedGroups: ['00000000-0000-0000-0000-000000000401'],
  nodePool: { name: 'spark', mode: NodePoolMode.USER, minCount: 3 },
  image: 'quay.io/jupyter/pyspark-notebook:spark-4.0.1',
  userIdentity: { serviceAccountName: 'notebooks', podLabels: { 'azure.workload.identity/use': 'true' } },
  home: { storageClassName: 'managed-csi-premium', size: '20Gi' },
  profiles: [{ slug: 'small', displayName: 'Small (2 CPU, 8 GiB)', cpu: 2, memory: '8Gi' }],
};

function synth(props: JupyterHubProps = required): Manifest[] {
  const chart = Testing.chart();
  new JupyterHub(chart, 'hub', props);
  return Testing.synth(chart) as Manifest[];
}

describe('JupyterHub', () => {
  test('defaults', () => {
    expect(synth()).toMatchSnapshot();
  });

  test('the proxy is reached only through routes: the chart opens none of its ports to everybody; the backend routes use', () => {
    const values = findManifest(synth(), 'HelmRelease', 'jupyterhub', 'notebooks').spec.values;
    // zero-to-jupyterhub 4.4.0 defaults proxy.chp.networkPolicy.allowedIngressPorts to [http, https] (from anywhere)
    expect(values.proxy.chp.networkPolicy).toEqual({ allowedIngressPorts: [] });
    expect(values.proxy.service.type).toBe('ClusterIP');
    const chart = Testing.chart();
    expect(new JupyterHub(chart, 'hub', required).backend).toEqual({
      namespace: 'notebooks', serviceName: 'proxy-public', ports: [{ port: 80, targetPort: 8000, name: 'http' }],
      podLabels: { component: 'proxy', app: 'jupyterhub', release: 'jupyterhub' },
    });
  });

  test('the hub (KubeSpawner) gets the platform\'s port-only API server egress through the chart (z2jh 4.4.0 hub.networkPolicy.egress)', () => {
    const values = findManifest(synth(), 'HelmRelease', 'jupyterhub', 'notebooks').spec.values;
    expect(values.hub.networkPolicy).toEqual({ egress: [{ ports: [{ protocol: 'TCP', port: 443 }, { protocol: 'TCP', port: 6443 }] }] });
    const chart = Testing.chart();
    new JupyterHub(chart, 'hub', required);
    expect(collectDeclaredFlows(chart).filter((f) => /hub \(KubeSpawner\)/.test(f.purpose)).map((f) => [f.from, f.to, f.port])).toEqual([
      [{ namespace: 'notebooks', podLabels: { component: 'hub', app: 'jupyterhub', release: 'jupyterhub' } }, { cidr: '0.0.0.0/0' }, 443],
      [{ namespace: 'notebooks', podLabels: { component: 'hub', app: 'jupyterhub', release: 'jupyterhub' } }, { cidr: '0.0.0.0/0' }, 6443],
    ]);
  });

  test('Entra ID sign-in for the allowed groups, the client secret by reference', () => {
    const values = findManifest(synth(), 'HelmRelease', 'jupyterhub', 'notebooks').spec.values;
    expect(values.hub.config.JupyterHub.authenticator_class).toBe('azuread');
    const python: string = values.hub.extraConfig.platform;
    expect(python).toContain(`c.AzureAdOAuthenticator.tenant_id = json.loads(${JSON.stringify(JSON.stringify(required.tenantId))})`);
    expect(python).toContain(`c.AzureAdOAuthenticator.allowed_groups = json.loads(${JSON.stringify(JSON.stringify(required.allowedGroups))})`);
    expect(python).toContain('c.AzureAdOAuthenticator.oauth_callback_url = json.loads("\\"https://notebooks.example.com/hub/oauth_callback\\"")');
    expect(python).not.toMatch(/client_secret/);
    expect(values.hub.extraEnv).toEqual({ OAUTH_CLIENT_SECRET: { valueFrom: { secretKeyRef: { name: 'jupyterhub-entra', key: 'client-secret' } } } });
  });

  test('Entra ID v2.0 endpoints with openid/profile/email, so the ID token carries preferred_username (oauthenticator 17.4.0 defaults to v1.0)', () => {
    const python: string = findManifest(synth(), 'HelmRelease', 'jupyterhub', 'notebooks').spec.values.hub.extraConfig.platform;
    const trait = (name: string) => JSON.parse(JSON.parse(new RegExp(`^c\\.AzureAdOAuthenticator\\.${name} = json\\.loads\\((.*)\\)$`, 'm').exec(python)![1]));
    // the endpoint/claim pair: preferred_username is only in v2.0 ID tokens, and only with the profile scope
    expect(trait('authorize_url')).toBe('https://login.microsoftonline.com/00000000-0000-0000-0000-000000000001/oauth2/v2.0/authorize');
    expect(trait('token_url')).toBe('https://login.microsoftonline.com/00000000-0000-0000-0000-000000000001/oauth2/v2.0/token');
    expect(trait('scope')).toEqual(['openid', 'profile', 'email']);
    expect(trait('username_claim')).toBe('preferred_username');
    // groups from the ID token's groups claim (AzureAdOAuthenticator keeps the claims under auth_state.user)
    expect(trait('auth_state_groups_key')).toBe('user.groups');
    expect(trait('manage_groups')).toBe(true);
    expect(python).not.toMatch(/user_groups_claim/); // deprecated in oauthenticator 17 (a warning at every start)
    expect(python).not.toMatch(/oauth2\/(authorize|token)\b/); // no v1.0 endpoint anywhere
    expect(() => synth({ ...required, tenantId: 'x/../common' })).toThrow(/'tenantId' \("x\/\.\.\/common"\) must be an Entra ID tenant ID/);
  });

  test('user pods: pool, image, identity, restricted, home volume, culling, no privileged helpers', () => {
    const values = findManifest(synth(), 'HelmRelease', 'jupyterhub').spec.values;
    expect(values.singleuser).toMatchObject({
      image: { name: 'quay.io/jupyter/pyspark-notebook', tag: 'spark-4.0.1' },
      nodeSelector: { 'kubernetes.azure.com/agentpool': 'spark' },
      serviceAccountName: 'notebooks',
      cloudMetadata: { blockWithIptables: false },
      storage: { type: 'dynamic', capacity: '20Gi', dynamic: { storageClass: 'managed-csi-premium' } },
    });
    expect(values.singleuser.networkPolicy.egressAllowRules).toMatchObject({ cloudMetadataServer: false, privateIPs: false });
    expect(values.hub.extraConfig.platform).toContain('c.KubeSpawner.container_security_context = json.loads("{\\"allowPrivilegeEscalation\\":false,\\"capabilities\\":{\\"drop\\":[\\"ALL\\"]},\\"runAsNonRoot\\":true,\\"seccompProfile\\":{\\"type\\":\\"RuntimeDefault\\"}}")');
    expect(values.hub.extraConfig.platform).toContain('c.KubeSpawner.extra_labels = json.loads("{\\"hub.jupyter.org/network-access-hub\\":\\"true\\",\\"azure.workload.identity/use\\":\\"true\\"}")');
    expect(values.cull).toEqual({ enabled: true, timeout: 3600, every: 600 });
    expect(values.prePuller).toEqual({ hook: { enabled: false }, continuous: { enabled: false } });
  });

  test('profiles: CPU sizes, GPU profiles on their pool with GPU limits and tolerations; data egress', () => {
    const gpuPool = { name: 'gpu', mode: NodePoolMode.USER, minCount: 0, gpusPerNode: 1, taints: ['sku=gpu:NoSchedule'] };
    const values = findManifest(synth({
      ...required,
      profiles: [...required.profiles, { slug: 'gpu', displayName: 'GPU', cpu: 8, memory: '64Gi', gpu: { count: 1, pool: gpuPool }, default: true }],
      egress: [{ purpose: 'HDFS', to: { cidr: '10.224.0.0/16' }, ports: [9866, 8020] }],
    }), 'HelmRelease', 'jupyterhub').spec.values;
    const [small, gpu] = values.singleuser.profileList;
    expect(small).toEqual({ display_name: 'Small (2 CPU, 8 GiB)', slug: 'small', kubespawner_override: { cpu_guarantee: 2, cpu_limit: 2, mem_guarantee: '8G', mem_limit: '8G' } });
    expect(gpu.default).toBe(true);
    expect(gpu.kubespawner_override).toMatchObject({
      extra_resource_limits: { 'nvidia.com/gpu': '1' },
      node_selector: { 'kubernetes.azure.com/agentpool': 'gpu' },
      tolerations: [{ key: 'sku', operator: 'Equal', value: 'gpu', effect: 'NoSchedule' }],
    });
    expect(values.singleuser.networkPolicy.egress).toEqual([{ to: [{ ipBlock: { cidr: '10.224.0.0/16' } }], ports: [{ protocol: 'TCP', port: 8020 }, { protocol: 'TCP', port: 9866 }] }]);
  });

  test('validation', () => {
    const build = (props: Partial<JupyterHubProps>) => () => synth({ ...required, ...props });
    expect(build({ profiles: [] })).toThrow(/JupyterHub 'hub': 'profiles' is empty/);
    expect(build({ allowedGroups: [] })).toThrow(/'allowedGroups' is empty/);
    expect(build({ callbackUrl: 'https://notebooks.example.com/' })).toThrow(/'callbackUrl' .* must be https:\/\/<host>\/hub\/oauth_callback/);
  });
});
