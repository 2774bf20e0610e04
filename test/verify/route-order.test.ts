/**
 * apply-order, Gateway API routes: a route's ReferenceGrant (backend in another namespace) and its backend's
 * BackendTLSPolicy must be applied no later than the route (lib/verify/apply-order-rule.ts, section 5). Mutation
 * tests on the example, and the example with its workloads layer split into 4 folders, as generated.
 */
import { PLATFORM_COMPOSITIONS } from '../../charts';
import { renderEnvironments } from '../../lib/synth/synthesize';
import { VerifiedCluster } from '../../lib/verify';
import { applyOrderRule } from '../../lib/verify/apply-order-rule';
import { clusterObject, exampleCluster, faultsOn, moveObject, removeObject } from './example-clusters';
import { exampleConfig, exampleEnvironment } from '../util';

/** apply-order faults whose message is about a route's grant or backend TLS policy. */
const routeFaults = (c: VerifiedCluster) => applyOrderRule(c).filter((f) => /ReferenceGrant|BackendTLSPolicy/.test(f.message));

describe('routes in the example', () => {
  test.each(['data-processing', 'serving'])('cluster %s: every route has its grant and TLS policy no later than itself', (name) => {
    expect(routeFaults(exampleCluster(name))).toEqual([]);
  });

  test('a ReferenceGrant moved to a later folder', () => {
    const c = exampleCluster('serving');
    moveObject(c, 'ReferenceGrant', 'mlflow', 'routes-from-gateway', 'workloads-late');
    const faults = faultsOn(applyOrderRule, c, 'HTTPRoute/gateway/mlflow');
    expect(faults).toHaveLength(1);
    expect(faults[0].message).toMatch(/backendRef Service mlflow\/mlflow port \d+ is allowed only by ReferenceGrant mlflow\/routes-from-gateway, which arrives in the later folder workloads-late: the route answers 500/);
    expect(faults[0].upstream).toMatch(/Envoy Gateway v1.5.0 internal\/gatewayapi\/validate.go/);
    expect(faults[0].fix).toBe('move ReferenceGrant mlflow/routes-from-gateway to folder workloads or earlier');
    expect(faults[0].folder).toBe('workloads');
    // Only the routes to mlflow are at fault.
    expect(routeFaults(c).map((f) => f.object)).toEqual(['HTTPRoute/gateway/mlflow']);
  });

  test('NiFi\'s BackendTLSPolicy moved to a later folder: the UI route (port https) is at fault, the HTTP endpoint route (port http-endpoint) is not', () => {
    const c = exampleCluster('data-processing');
    moveObject(c, 'BackendTLSPolicy', 'nifi', 'nifi-https-backend-tls', 'workloads-late');
    const faults = routeFaults(c);
    expect(faults.map((f) => f.object)).toEqual(['HTTPRoute/gateway/nifi']);
    expect(faults[0].message).toMatch(/backendRef Service nifi\/nifi port 8443 is verified by BackendTLSPolicy nifi\/nifi-https-backend-tls, which arrives in the later folder workloads-late/);
    expect(faults[0].upstream).toMatch(/backendtlspolicy.go .*getBackendTLSPolicy/);
  });

  test('a policy for the whole Service (no sectionName) applies to every port', () => {
    const c = exampleCluster('data-processing');
    delete clusterObject(c, 'BackendTLSPolicy', 'nifi', 'nifi-https-backend-tls').spec.targetRefs[0].sectionName;
    moveObject(c, 'BackendTLSPolicy', 'nifi', 'nifi-https-backend-tls', 'workloads-late');
    expect(routeFaults(c).map((f) => f.object).sort()).toEqual(['HTTPRoute/gateway/nifi', 'HTTPRoute/gateway/nifi-http-endpoint']);
  });

  test('a backend Service that is not in the output (an operator creates it): every policy on the Service counts, whatever the port', () => {
    const c = exampleCluster('data-processing');
    removeObject(c, 'Service', 'nifi', 'nifi');
    moveObject(c, 'BackendTLSPolicy', 'nifi', 'nifi-https-backend-tls', 'workloads-late');
    expect(routeFaults(c).map((f) => f.object).sort()).toEqual(['HTTPRoute/gateway/nifi', 'HTTPRoute/gateway/nifi-http-endpoint']);
  });

  test('the grant is matched on the route kind: the same route as a GRPCRoute is not allowed by a grant from HTTPRoutes', () => {
    const c = exampleCluster('serving');
    clusterObject(c, 'HTTPRoute', 'gateway', 'mlflow').kind = 'GRPCRoute';
    const faults = routeFaults(c);
    expect(faults.map((f) => f.object)).toEqual(['GRPCRoute/gateway/mlflow']);
    expect(faults[0].message).toMatch(/no ReferenceGrant in 'mlflow' allows GRPCRoutes of 'gateway'/);
  });

  test('a ReferenceGrant removed: the routes never work', () => {
    const c = exampleCluster('data-processing');
    removeObject(c, 'ReferenceGrant', 'nifi', 'routes-from-gateway');
    const faults = routeFaults(c);
    expect(faults.map((f) => f.object).sort()).toEqual(['HTTPRoute/gateway/nifi', 'HTTPRoute/gateway/nifi-http-endpoint']);
    expect(faults[0].message).toMatch(/no ReferenceGrant in 'nifi' allows HTTPRoutes of 'gateway' to reach it: the route never works/);
  });

  test('a ReferenceGrant that does not allow the route: another Service, another kind, another namespace; one for all Services does', () => {
    const broken = (edit: (grant: any) => void) => {
      const c = exampleCluster('data-processing');
      edit(clusterObject(c, 'ReferenceGrant', 'jupyter', 'routes-from-gateway'));
      return routeFaults(c).map((f) => f.object);
    };
    expect(broken((g) => { g.spec.to[0].name = 'other'; })).toEqual(['HTTPRoute/gateway/jupyterhub']);
    expect(broken((g) => { g.spec.from[0].kind = 'GRPCRoute'; })).toEqual(['HTTPRoute/gateway/jupyterhub']);
    expect(broken((g) => { g.spec.from[0].namespace = 'default'; })).toEqual(['HTTPRoute/gateway/jupyterhub']);
    expect(broken((g) => { g.spec.to[0].kind = 'Secret'; })).toEqual(['HTTPRoute/gateway/jupyterhub']);
    expect(broken((g) => { delete g.spec.to[0].name; })).toEqual([]);
  });
});

describe('routes in the example split into 4 workloads folders, as generated', () => {
  const config = exampleConfig() as any;
  config.clusters['data-processing'].layerFolders = { workloads: 4 };
  config.clusters.serving.layerFolders = { workloads: 4 };
  const split = renderEnvironments([{ ...exampleEnvironment(), config }], PLATFORM_COMPOSITIONS, undefined, true).verified;

  test.each(['data-processing', 'serving'])('cluster %s: split, and no route fault', (name) => {
    const c = split.find((v) => v.facts.cluster === name)!;
    const workloadFolders = c.folders.map((f) => f.folder).filter((f) => f.startsWith('workloads'));
    expect(workloadFolders.length).toBeGreaterThan(2);
    // The routes and their grants/policies are spread over more than one folder: the check is not vacuous.
    const folderOf = (kind: string) => new Set(c.folders.filter((f) => f.manifests.some((m) => m.kind === kind)).map((f) => f.folder));
    expect(folderOf('HTTPRoute').size + folderOf('ReferenceGrant').size).toBeGreaterThan(2);
    expect(routeFaults(c)).toEqual([]);
  });
});
