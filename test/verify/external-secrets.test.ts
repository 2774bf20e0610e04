/**
 * cluster-facts.json `externalSecrets` is the list of Secrets that must exist before a cluster's folders are applied.
 * It is complete by construction (every construct that reads a Secret created outside dist/ declares it,
 * lib/core/external-secrets.ts); this test proves it on the example: every Secret a manifest of dist/ references
 * (secretKeyRef, envFrom secretRef, secret volume or projected source, a HelmRelease value naming a Secret) is
 * either generated from dist/ or listed (review E F3: the JupyterHub Entra secret and the Airflow key Secrets were
 * not).
 */
import { VerifiedCluster } from '../../lib/verify';
import { exampleCluster } from './example-clusters';

/** `namespace/name` of every Secret a manifest references, with where. */
function referencedSecrets(cluster: VerifiedCluster): Map<string, string> {
  const refs = new Map<string, string>();
  const add = (namespace: string, name: unknown, where: string) => { if (typeof name === 'string' && name) refs.set(`${namespace}/${name}`, where); };
  const walk = (node: unknown, namespace: string, chartValues: boolean, where: string): void => {
    if (!node || typeof node !== 'object') return;
    if (Array.isArray(node)) { node.forEach((item) => walk(item, namespace, chartValues, where)); return; }
    for (const [key, value] of Object.entries(node as Record<string, any>)) {
      if (key === 'secretKeyRef' || key === 'secretRef') add(namespace, value?.name, `${where} ${key}`);
      else if (key === 'secret' && value && typeof value === 'object') add(namespace, value.secretName ?? value.name, `${where} secret volume`);
      // Chart values that name a Secret: *SecretName, *Secret, existingSecret (Airflow fernetKeySecretName, dags.gitSync.credentialsSecret, ...).
      else if (chartValues && typeof value === 'string' && /(secret|secretname)$/i.test(key)) add(namespace, value, `${where} value ${key}`);
      walk(value, namespace, chartValues, where);
    }
  };
  for (const folder of cluster.folders) {
    for (const obj of folder.manifests as any[]) {
      const namespace = obj.metadata?.namespace ?? 'default';
      const where = `${folder.folder}: ${obj.kind} ${namespace}/${obj.metadata?.name}`;
      if (obj.kind === 'HelmRelease') walk(obj.spec?.values, obj.spec?.targetNamespace ?? namespace, true, where);
      else if (obj.kind !== 'Secret') walk(obj.spec, namespace, false, where);
    }
  }
  return refs;
}

/**
 * Secrets that exist because of an object of dist/: Secret objects, and the ones operators make from them
 * (cert-manager Certificate spec.secretName; Strimzi 1.2.0: a Secret named after each KafkaUser, and the
 * `<cluster>-cluster-ca-cert` of each Kafka).
 */
function generatedSecrets(cluster: VerifiedCluster): Set<string> {
  const out = new Set<string>();
  for (const folder of cluster.folders) {
    for (const obj of folder.manifests as any[]) {
      const ns = obj.metadata?.namespace ?? 'default';
      if (obj.kind === 'Secret') out.add(`${ns}/${obj.metadata.name}`);
      if (obj.kind === 'Certificate' && obj.spec?.secretName) out.add(`${ns}/${obj.spec.secretName}`);
      if (obj.kind === 'KafkaUser') out.add(`${ns}/${obj.metadata.name}`);
      if (obj.kind === 'Kafka') out.add(`${ns}/${obj.metadata.name}-cluster-ca-cert`);
    }
  }
  return out;
}

/** Referenced Secrets that are neither generated nor listed as external. */
function unaccounted(cluster: VerifiedCluster): string[] {
  const generated = generatedSecrets(cluster);
  const external = cluster.facts.externalSecrets ?? {};
  return [...referencedSecrets(cluster)].filter(([key]) => !generated.has(key) && external[key] === undefined).map(([key, where]) => `${key} (${where})`).sort();
}

describe('externalSecrets of cluster-facts.json', () => {
  test.each(['data-processing', 'serving', 'training'])('cluster %s: every Secret referenced in dist/ is generated there or listed as external', (name) => {
    const cluster = exampleCluster(name);
    expect(unaccounted(cluster)).toEqual([]);
  });

  test('the ones the review found missing are listed, each with who reads it', () => {
    const facts = exampleCluster('data-processing').facts.externalSecrets!;
    expect(facts['jupyter/jupyterhub-entra']).toMatch(/^JupyterHub 'jupyterhub': key client-secret/);
    for (const key of ['airflow/airflow-fernet-key', 'airflow/airflow-api-secret-key', 'airflow/airflow-jwt-secret']) expect(facts[key]).toMatch(/^Airflow 'airflow': key /);
    // and the KafkaUser password Secrets the User Operator reads in the Kafka namespace
    expect(facts['kafka/kafka-user-nifi']).toMatch(/^KafkaUser 'nifi': key password/);
  });

  test('the check finds a Secret that is neither generated nor listed (mutation)', () => {
    const cluster = exampleCluster('data-processing');
    delete (cluster.facts.externalSecrets as Record<string, string>)['jupyter/jupyterhub-entra'];
    delete (cluster.facts.externalSecrets as Record<string, string>)['airflow/airflow-fernet-key'];
    expect(unaccounted(cluster)).toEqual([
      'airflow/airflow-fernet-key (workloads: HelmRelease airflow/airflow value fernetKeySecretName)',
      'jupyter/jupyterhub-entra (workloads: HelmRelease jupyter/jupyterhub secretKeyRef)',
    ]);
  });
});
