import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Testing } from 'cdk8s';
import { collectDeclaredFlows } from '../../lib/core/flows';
import { NodePoolMode } from '../../lib/core/node-pool';
import { configureScript, Nifi, NifiProps } from '../../lib/streaming/nifi';
import { findManifest, Manifest } from '../util';

const required: NifiProps = {
  name: 'nifi',
  namespace: 'nifi',
  image: 'apache/nifi:2.11.0',
  nodePool: { name: 'spark', mode: NodePoolMode.USER, minCount: 3 },
  storageClassName: 'managed-csi-premium',
  repositorySizes: { conf: '1Gi', content_repository: '50Gi', database_repository: '5Gi', flowfile_repository: '5Gi', provenance_repository: '50Gi', state: '1Gi' },
  credentialsSecretName: 'nifi-credentials',
  proxyHosts: ['nifi.nifi.svc.cluster.local:8443'],
  httpEndpoint: { port: 9192, path: '/model_serving' },
  resources: { request: { cpu: '1', memory: '4Gi' }, limit: { cpu: '2', memory: '4Gi' } },
  podLabels: { 'platform.ml/kafka-client': 'nifi' },
};

function synth(props: NifiProps = required): Manifest[] {
  const chart = Testing.chart();
  new Nifi(chart, 'nifi', props);
  return Testing.synth(chart) as Manifest[];
}

describe('Nifi', () => {
  test('defaults', () => {
    expect(synth()).toMatchSnapshot();
  });

  test('a StatefulSet of the official image: persistent repositories, conf seeded, restricted, credentials by reference', () => {
    const manifests = synth();
    const sts = findManifest(manifests, 'StatefulSet', 'nifi', 'nifi');
    expect(sts.spec.volumeClaimTemplates.map((c: { metadata: { name: string } }) => c.metadata.name))
      .toEqual(['conf', 'content-repository', 'database-repository', 'flowfile-repository', 'provenance-repository', 'state', 'nar-repository', 'assets', 'connector-assets']);
    const pod = sts.spec.template.spec;
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000, fsGroup: 1000, seccompProfile: { type: 'RuntimeDefault' } });
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(pod.initContainers[0].command.slice(0, 2)).toEqual(['sh', '-c']);
    expect(pod.initContainers[0].command[2]).toMatch(/^cp -rn \/opt\/nifi\/nifi-current\/conf\/\. \/seed\/conf\/\n/);
    // single-user sign-in: the defaults of nifi.properties, written on every start (switching back from OIDC works)
    expect(pod.initContainers[0].command[2]).toContain("prop nifi.security.user.authorizer 'single-user-authorizer' || exit 1");
    expect(pod.initContainers[0].command[2]).toContain("prop nifi.security.user.login.identity.provider 'single-user-provider' || exit 1");
    const nifi = pod.containers[0];
    expect(nifi.image).toBe('apache/nifi:2.11.0');
    expect(nifi.env).toContainEqual({ name: 'SINGLE_USER_CREDENTIALS_PASSWORD', valueFrom: { secretKeyRef: { name: 'nifi-credentials', key: 'password' } } });
    expect(nifi.env).toContainEqual({ name: 'NIFI_SENSITIVE_PROPS_KEY', valueFrom: { secretKeyRef: { name: 'nifi-credentials', key: 'sensitive-props-key' } } });
    expect(nifi.env).toContainEqual({ name: 'NIFI_JVM_HEAP_MAX', value: '2048m' });
    expect(nifi.env.filter((e: { value?: string }) => e.value !== undefined && /password|secret/i.test(e.value))).toEqual([]);
    expect(nifi.volumeMounts).toContainEqual({ name: 'flowfile-repository', mountPath: '/opt/nifi/nifi-current/flowfile_repository' });
    // Read-only root: start.sh writes only to conf/ (a claim) and to $HOME, logs, run, work and /tmp (emptyDirs).
    expect(nifi.securityContext.readOnlyRootFilesystem).toBe(true);
    expect(nifi.volumeMounts).toContainEqual({ name: 'home', mountPath: '/home/nifi' });
    expect(sts.spec.template.metadata.labels).toMatchObject({ 'platform.ml/kafka-client': 'nifi' });
    const svc = findManifest(manifests, 'Service', 'nifi', 'nifi');
    expect(svc.spec.ports.map((p: { port: number }) => p.port)).toEqual([8443, 9192]);
    expect(manifests.filter((m) => m.kind === 'NetworkPolicy')).toEqual([]); // nobody is admitted unless named
  });

  test('with a read-only root file system, every folder NiFi 2.x creates at start is a volume (apache/nifi rel/nifi-2.11.0 nifi-resources pom.xml)', () => {
    const sts = findManifest(synth(), 'StatefulSet', 'nifi', 'nifi');
    const nifi = sts.spec.template.spec.containers[0];
    expect(nifi.securityContext.readOnlyRootFilesystem).toBe(true);
    const mounted = nifi.volumeMounts.map((m: { mountPath: string }) => m.mountPath);
    const home = '/opt/nifi/nifi-current';
    // NAR persistence provider, asset managers (uploaded content: persistent claims), conf rewritten by start.sh,
    // repositories, state, logs, run, work (nar, jetty, python, uploads) and /tmp.
    for (const dir of ['nar_repository', 'assets', 'connector_assets', 'conf', 'content_repository', 'database_repository', 'flowfile_repository',
      'provenance_repository', 'state', 'logs', 'run', 'work']) expect(mounted).toContain(`${home}/${dir}`);
    expect(mounted).toContain('/tmp');
    const claims = sts.spec.volumeClaimTemplates.map((c: { metadata: { name: string }; spec: { resources: { requests: { storage: string } } } }) => [c.metadata.name, c.spec.resources.requests.storage]);
    expect(claims).toEqual(expect.arrayContaining([['nar-repository', '1Gi'], ['assets', '1Gi'], ['connector-assets', '1Gi']]));
    const sized = findManifest(synth({ ...required, uploadsSize: '3Gi' }), 'StatefulSet', 'nifi', 'nifi');
    expect(sized.spec.volumeClaimTemplates.find((c: { metadata: { name: string } }) => c.metadata.name === 'assets').spec.resources.requests.storage).toBe('3Gi');
  });

  test('callers are admitted from the named namespaces on the UI and endpoint ports only', () => {
    const policy = findManifest(synth({ ...required, accessFromNamespaces: ['gateway'] }), 'NetworkPolicy', 'nifi-ingress', 'nifi');
    expect(policy.spec.ingress).toEqual([{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'gateway' } } }], ports: [{ protocol: 'TCP', port: 8443 }, { protocol: 'TCP', port: 9192 }] }]);
  });

  test('Spark submission through the API server: token mounted, egress on the API server ports without an address (like the operators)', () => {
    const manifests = synth({ ...required, apiServerAccess: true });
    expect(findManifest(manifests, 'ServiceAccount', 'nifi', 'nifi').automountServiceAccountToken).toBe(true);
    expect(findManifest(manifests, 'StatefulSet', 'nifi').spec.template.spec.automountServiceAccountToken).toBe(true);
    expect(findManifest(manifests, 'NetworkPolicy', 'nifi-api-server-egress', 'nifi').spec.egress)
      .toEqual([{ ports: [{ protocol: 'TCP', port: 443 }, { protocol: 'TCP', port: 6443 }] }]);
    expect(findManifest(synth(), 'ServiceAccount', 'nifi').automountServiceAccountToken).toBe(false);
  });

  test('validation', () => {
    const build = (props: Partial<NifiProps>) => () => synth({ ...required, ...props });
    expect(build({ image: 'example/nifi-custom:1' })).toThrow(/Nifi 'nifi': 'image' \("example\/nifi-custom:1"\) must be the official apache\/nifi image/);
    expect(build({ image: 'apache/nifi:latest' })).toThrow(/pinned to a version/);
    expect(build({ httpEndpoint: { port: 8443, path: '/x' } })).toThrow(/'httpEndpoint.port' \(8443\)/);
    expect(build({ httpEndpoint: { port: 9192, path: 'model' } })).toThrow(/'httpEndpoint.path' \("model"\)/);
    expect(build({ proxyHosts: [] })).toThrow(/'proxyHosts' is empty/);
  });

  const oidc = {
    discoveryUrl: 'https://login.microsoftonline.com/00000000-0000-0000-0000-000000000001/v2.0/.well-known/openid-configuration',
    clientId: '00000000-0000-0000-0000-000000000302',
    clientSecret: { name: 'nifi-entra', key: 'client-secret' },
    identityClaim: 'preferred_username',
    groupsClaim: 'groups',
    initialAdminIdentity: 'nifi-admin@example.com',
  };
  const tls = { secretName: 'nifi-tls', hostname: 'nifi.nifi.svc.cluster.local' };

  test('all sign-in, TLS and call props (snapshot)', () => {
    const proxies = { 'app.kubernetes.io/name': 'envoy', 'gateway.envoyproxy.io/owning-gateway-name': 'data-gateway' };
    expect(synth({ ...required, tls, oidc, calls: { pods: [{ purpose: 'NiFi calls the routes x', namespace: 'gateway', podLabels: proxies, port: 10443 }], publicHosts: ['ml.example.com'] } })).toMatchSnapshot();
  });

  test('tls: the certificate Secret mounted read-only and read as PEM', () => {
    const sts = findManifest(synth({ ...required, tls }), 'StatefulSet', 'nifi', 'nifi');
    const pod = sts.spec.template.spec;
    expect(pod.volumes).toContainEqual({ name: 'tls', secret: { secretName: 'nifi-tls', defaultMode: 0o440 } });
    expect(pod.containers[0].volumeMounts).toContainEqual({ name: 'tls', mountPath: '/opt/nifi/tls', readOnly: true });
    const script = pod.initContainers[0].command[2];
    for (const line of ["prop nifi.security.keystore '' || exit 1", "prop nifi.security.keystoreType 'PEM' || exit 1",
      "prop nifi.security.keystore.certificate '/opt/nifi/tls/tls.crt' || exit 1", "prop nifi.security.keystore.privateKey '/opt/nifi/tls/tls.key' || exit 1",
      "prop nifi.security.truststore '' || exit 1", "prop nifi.security.truststore.certificate '/opt/nifi/tls/ca.crt' || exit 1"]) expect(script).toContain(line);
  });

  test('the backend routes see: https (verified against the tls Secret) and the HTTP endpoint, by port name', () => {
    const chart = Testing.chart();
    const nifi = new Nifi(chart, 'nifi', { ...required, tls });
    expect(nifi.backend).toEqual({
      namespace: 'nifi', serviceName: 'nifi', podLabels: { 'app.kubernetes.io/name': 'nifi', 'app.kubernetes.io/instance': 'nifi' },
      ports: [
        { port: 8443, targetPort: 8443, name: 'https', tls: { caSecretName: 'nifi-tls', hostname: 'nifi.nifi.svc.cluster.local' } },
        { port: 9192, targetPort: 9192, name: 'http-endpoint' },
      ],
    });
    expect(new Nifi(Testing.chart(), 'nifi', required).backend.ports[0].tls).toBeUndefined();
  });

  test('NiFi listens on every interface (NIFI_WEB_HTTPS_HOST 0.0.0.0, start.sh), so kubectl port-forward reaches it', () => {
    const env = findManifest(synth(), 'StatefulSet', 'nifi', 'nifi').spec.template.spec.containers[0].env;
    expect(env).toContainEqual({ name: 'NIFI_WEB_HTTPS_HOST', value: '0.0.0.0' });
  });

  test('oidc: no single-user credentials, the client secret only by reference in the init container, the initial admin', () => {
    const sts = findManifest(synth({ ...required, oidc }), 'StatefulSet', 'nifi', 'nifi');
    const pod = sts.spec.template.spec;
    const names = pod.containers[0].env.map((e: { name: string }) => e.name);
    expect(names).not.toContain('SINGLE_USER_CREDENTIALS_USERNAME');
    expect(names).not.toContain('SINGLE_USER_CREDENTIALS_PASSWORD');
    expect(names).toContain('NIFI_SENSITIVE_PROPS_KEY');
    expect(pod.initContainers[0].env).toEqual([
      { name: 'NIFI_OIDC_CLIENT_SECRET', valueFrom: { secretKeyRef: { name: 'nifi-entra', key: 'client-secret' } } },
      { name: 'INITIAL_ADMIN_IDENTITY', value: 'nifi-admin@example.com' },
    ]);
    const script = pod.initContainers[0].command[2];
    expect(script).toContain("prop nifi.security.user.authorizer 'managed-authorizer' || exit 1");
    expect(script).toContain(`prop nifi.security.user.oidc.discovery.url '${oidc.discoveryUrl}' || exit 1`);
    expect(script).toContain("prop nifi.security.user.oidc.claim.identifying.user 'preferred_username' || exit 1");
    expect(script).not.toMatch(/single-user/);
  });

  describe('the configure script, run by sh against the files of NiFi 2.11.0', () => {
    let dir: string;
    beforeEach(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nifi-conf-')); });
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    // The lines of rel/nifi-2.11.0 conf/nifi.properties and conf/authorizers.xml the script touches (nifi-resources).
    const PROPERTIES = ['nifi.web.https.port=8443', 'nifi.security.keystore=./conf/keystore.p12', 'nifi.security.keystore.certificate=',
      'nifi.security.keystore.privateKey=', 'nifi.security.keystoreType=PKCS12', 'nifi.security.keystorePasswd=', 'nifi.security.keyPasswd=',
      'nifi.security.truststore=./conf/truststore.p12', 'nifi.security.truststore.certificate=', 'nifi.security.truststoreType=PKCS12',
      'nifi.security.truststorePasswd=', 'nifi.security.user.authorizer=single-user-authorizer', 'nifi.security.autoreload.enabled=false',
      'nifi.security.user.login.identity.provider=single-user-provider', 'nifi.security.user.oidc.discovery.url=', 'nifi.security.user.oidc.client.id=',
      'nifi.security.user.oidc.client.secret=', 'nifi.security.user.oidc.additional.scopes=offline_access', 'nifi.security.user.oidc.claim.identifying.user=',
      'nifi.security.user.oidc.fallback.claims.identifying.user=', 'nifi.security.user.oidc.claim.groups=groups', ''].join('\n');
    const AUTHORIZERS = '<authorizers>\n  <property name="Initial User Identity 1"></property>\n  <property name="Initial Admin Identity"></property>\n</authorizers>\n';

    function run(props: Pick<NifiProps, 'tls' | 'oidc'>, secret = ''): Map<string, string> {
      const home = path.join(dir, 'image');
      fs.mkdirSync(path.join(home, 'conf'), { recursive: true });
      fs.writeFileSync(path.join(home, 'conf', 'nifi.properties'), PROPERTIES);
      fs.writeFileSync(path.join(home, 'conf', 'authorizers.xml'), AUTHORIZERS);
      const seed = path.join(dir, 'seed');
      fs.mkdirSync(seed, { recursive: true });
      const script = configureScript(home, props).split('/seed/conf').join(seed);
      execFileSync('sh', ['-c', script], { env: { PATH: process.env.PATH, NIFI_OIDC_CLIENT_SECRET: secret, INITIAL_ADMIN_IDENTITY: props.oidc?.initialAdminIdentity ?? '' } });
      return new Map(fs.readFileSync(path.join(seed, 'nifi.properties'), 'utf8').split('\n').filter((l) => l.includes('=')).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
    }

    test('OIDC with PEM files: every key set, any character of the secret kept, the initial admin filled once; a second start changes nothing', () => {
      const secret = `a|b&c'd"e\\f$g\`h~ i`;
      const first = run({ tls, oidc }, secret);
      expect(Object.fromEntries([...first].filter(([k]) => k.startsWith('nifi.security.')))).toEqual({
        'nifi.security.keystore': '', 'nifi.security.keystore.certificate': '/opt/nifi/tls/tls.crt', 'nifi.security.keystore.privateKey': '/opt/nifi/tls/tls.key',
        'nifi.security.keystoreType': 'PEM', 'nifi.security.keystorePasswd': '', 'nifi.security.keyPasswd': '',
        'nifi.security.truststore': '', 'nifi.security.truststore.certificate': '/opt/nifi/tls/ca.crt', 'nifi.security.truststoreType': 'PEM',
        'nifi.security.truststorePasswd': '', 'nifi.security.autoreload.enabled': 'true',
        'nifi.security.user.authorizer': 'managed-authorizer', 'nifi.security.user.login.identity.provider': '',
        'nifi.security.user.oidc.discovery.url': oidc.discoveryUrl, 'nifi.security.user.oidc.client.id': oidc.clientId,
        'nifi.security.user.oidc.client.secret': secret, 'nifi.security.user.oidc.claim.identifying.user': 'preferred_username',
        'nifi.security.user.oidc.claim.groups': 'groups',
        // Entra ID: preferred_username only with the profile scope; NiFi asks for openid and email itself
        'nifi.security.user.oidc.additional.scopes': 'offline_access,profile', 'nifi.security.user.oidc.fallback.claims.identifying.user': '',
      });
      const authorizers = fs.readFileSync(path.join(dir, 'seed', 'authorizers.xml'), 'utf8');
      expect(authorizers).toContain('<property name="Initial Admin Identity">nifi-admin@example.com</property>');
      expect(authorizers).toContain('<property name="Initial User Identity 1">nifi-admin@example.com</property>');
      const before = fs.readFileSync(path.join(dir, 'seed', 'nifi.properties'), 'utf8');
      const script = configureScript(path.join(dir, 'image'), { tls, oidc }).split('/seed/conf').join(path.join(dir, 'seed'));
      execFileSync('sh', ['-c', script], { env: { PATH: process.env.PATH, NIFI_OIDC_CLIENT_SECRET: secret, INITIAL_ADMIN_IDENTITY: 'someone-else@example.com' } });
      expect(fs.readFileSync(path.join(dir, 'seed', 'nifi.properties'), 'utf8')).toBe(before);
      expect(fs.readFileSync(path.join(dir, 'seed', 'authorizers.xml'), 'utf8')).toBe(authorizers); // only while empty, as secure.sh
    });

    test('an initial admin with characters special to sed, the shell and XML is written XML-escaped, the rest of the file untouched; fallback claims', () => {
      const identity = 'a/b&c\\d|e<f>g\'h"i$j`k';
      const props = run({ oidc: { ...oidc, initialAdminIdentity: identity, fallbackIdentityClaims: ['upn', 'email'] } });
      expect(props.get('nifi.security.user.oidc.fallback.claims.identifying.user')).toBe('upn,email');
      const escaped = 'a/b&amp;c\\d|e&lt;f&gt;g\'h"i$j`k';
      expect(fs.readFileSync(path.join(dir, 'seed', 'authorizers.xml'), 'utf8')).toBe(AUTHORIZERS
        .replace('"Initial User Identity 1"></property>', `"Initial User Identity 1">${escaped}</property>`)
        .replace('"Initial Admin Identity"></property>', `"Initial Admin Identity">${escaped}</property>`));
    });

    test('single-user without tls: the sign-in defaults, the TLS keys untouched (NiFi generates its certificate)', () => {
      const props = run({});
      expect(props.get('nifi.security.user.authorizer')).toBe('single-user-authorizer');
      expect(props.get('nifi.security.keystore')).toBe('./conf/keystore.p12');
      expect(props.get('nifi.security.keystoreType')).toBe('PKCS12');
    });
  });

  test('calls: egress to the gateway proxies on their port and 443 to public addresses, each a declared flow', () => {
    const chart = Testing.chart();
    const proxies = { 'app.kubernetes.io/name': 'envoy', 'gateway.envoyproxy.io/owning-gateway-name': 'data-gateway' };
    new Nifi(chart, 'nifi', { ...required, oidc, calls: { pods: [{ purpose: 'NiFi calls the routes x', namespace: 'gateway', podLabels: proxies, port: 10443 }], publicHosts: ['ml.example.com'] } });
    const manifests = Testing.synth(chart) as Manifest[];
    expect(findManifest(manifests, 'NetworkPolicy', 'nifi-calls-routes', 'nifi').spec.egress).toEqual([{
      to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'gateway' } }, podSelector: { matchLabels: proxies } }],
      ports: [{ protocol: 'TCP', port: 10443 }],
    }]);
    expect(findManifest(manifests, 'NetworkPolicy', 'nifi-public-https-egress', 'nifi').spec.egress).toEqual([{
      to: [{ ipBlock: { cidr: '0.0.0.0/0', except: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '169.254.169.254/32'] } }],
      ports: [{ protocol: 'TCP', port: 443 }],
    }]);
    const flows = collectDeclaredFlows(chart).filter((f) => f.purpose.startsWith('NiFi calls'));
    expect(flows).toHaveLength(2);
    expect(flows.map((f) => [f.to, f.port])).toEqual(expect.arrayContaining([
      [{ namespace: 'gateway', podLabels: proxies }, 10443],
      [{ cidr: '0.0.0.0/0', except: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '169.254.169.254/32'] }, 443],
    ]));
    expect(flows.find((f) => f.port === 443)!.purpose).toBe('NiFi calls Entra ID sign-in (login.microsoftonline.com), ml.example.com over HTTPS');
    // nothing to call, no sign-in with Entra ID: no egress beyond Kafka
    expect(synth().filter((m) => m.kind === 'NetworkPolicy')).toEqual([]);
  });

  test('validation of sign-in, TLS and calls', () => {
    const build = (props: Partial<NifiProps>) => () => synth({ ...required, ...props });
    expect(build({ oidc: { ...oidc, discoveryUrl: 'http://login.example.com' } })).toThrow(/'oidc.discoveryUrl' \("http:\/\/login.example.com"\) must be an https:\/\/ URL/);
    expect(build({ oidc: { ...oidc, initialAdminIdentity: 'a b' } })).toThrow(/'oidc.initialAdminIdentity' \("a b"\) must be one word without white space/);
    expect(build({ oidc: { ...oidc, initialAdminIdentity: "o'brien&co|x@example.com" } })).not.toThrow(); // escaped by the script
    expect(build({ oidc: { ...oidc, fallbackIdentityClaims: ['upn', 'a,b'] } })).toThrow(/'oidc.fallbackIdentityClaims' \("a,b"\)/);
    expect(build({ oidc: { ...oidc, identityClaim: 'user name' } })).toThrow(/'oidc.identityClaim' \("user name"\)/);
    expect(build({ tls: { ...tls, hostname: 'Nifi_Host' } })).toThrow(/'tls.hostname' \("Nifi_Host"\) must be a DNS name/);
    expect(build({ calls: { publicHosts: ['localhost'] } })).toThrow(/'calls.publicHosts' \("localhost"\) must be a fully qualified host name/);
  });
});
