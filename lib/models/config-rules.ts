/**
 * Semantic rules of the platform-level models: the clusters, job and storage account a declaration names exist,
 * nothing else claims the same serving entry or output variable, the identities that need a role have one,
 * and every storage account a role assignment is scoped to has a known subscription. The serving and training
 * rules check the expanded entries themselves (reported at the declaration's lines).
 */
import type { ConfigRule, RuleViolation } from '../config/rules';
import type { PlatformConfig } from '../config/schema';
import { servingStorageUri, trainingOutputUrl } from './config';
import { isExpandedModel, outputEnvOf } from './expand';
import { storageRoleNeeds, storageSubscription } from './role-assignments';

const known = (keys: readonly string[]) => keys.length > 0 ? keys.slice().sort().join(', ') : 'none';

function modelRule(check: (name: string, model: NonNullable<PlatformConfig['models']>[string], config: PlatformConfig) => RuleViolation[]): ConfigRule {
  return (config) => Object.entries(config.models ?? {}).flatMap(([name, model]) => check(name, model, config));
}

/** (For a served model the serving rules already report it, at models.<name>.artifacts.) */
const storageAccountDeclared = modelRule((name, model, config) => model.serving || config.azure.storageAccounts[model.artifacts.storageAccount] ? [] : [{
  path: ['models', name, 'artifacts', 'storageAccount'],
  message: `storage account '${model.artifacts.storageAccount}' is not under azure.storageAccounts (known: ${known(Object.keys(config.azure.storageAccounts))}); declare it there so its role assignments can be scoped`,
}]);

const servedWhereServingRuns = modelRule((name, model, config) => {
  const served = model.serving;
  if (!served) return [];
  const at = ['models', name, 'serving'];
  const cluster = config.clusters[served.cluster];
  if (!cluster) return [{ path: [...at, 'cluster'], message: `cluster '${served.cluster}' is not under clusters (known: ${known(Object.keys(config.clusters))})` }];
  if (!cluster.serving) return [{ path: [...at, 'cluster'], message: `cluster '${served.cluster}' has no serving section; add clusters.${served.cluster}.serving (with kserve) and clusters.${served.cluster}.routing, or serve the model on a cluster that has one` }];
  const entry = cluster.serving.models?.[name];
  const violations: RuleViolation[] = [];
  if (entry && !isExpandedModel(entry, model)) {
    violations.push({ path: ['clusters', served.cluster, 'serving', 'models', name], message: `model '${name}' is also declared under models.${name}; remove this entry (the serving entry is derived from models.${name}) or rename one of them` });
  }
  if (served.identity === undefined) {
    violations.push({ path: at, message: `a served model needs 'identity' to read ${servingStorageUri(model.artifacts)} (it gets Storage Blob Data Reader on the container); add identity: <key under identities>` });
  }
  return violations;
});

const producedByATrainingJob = modelRule((name, model, config) => {
  const producer = model.training;
  if (!producer) return [];
  const at = ['models', name, 'training'];
  const cluster = config.clusters[producer.cluster];
  if (!cluster) return [{ path: [...at, 'cluster'], message: `cluster '${producer.cluster}' is not under clusters (known: ${known(Object.keys(config.clusters))})` }];
  const training = cluster.training;
  if (!training) return [{ path: [...at, 'cluster'], message: `cluster '${producer.cluster}' has no training section, so no job can produce model '${name}'` }];
  const job = training.jobs[producer.job];
  if (!job) return [{ path: [...at, 'job'], message: `job '${producer.job}' is not under clusters.${producer.cluster}.training.jobs (known: ${known(Object.keys(training.jobs))})` }];
  const violations: RuleViolation[] = [];
  if (training.identity === undefined) {
    violations.push({ path: at, message: `the training section of cluster '${producer.cluster}' has no identity, so job '${producer.job}' cannot write model '${name}'; set clusters.${producer.cluster}.training.identity (it gets Storage Blob Data Contributor on the container)` });
  }
  const account = config.azure.storageAccounts[model.artifacts.storageAccount];
  const variable = outputEnvOf(model);
  const written = job.env?.[variable];
  if (account && written !== undefined) {
    const expected = trainingOutputUrl(model.artifacts, account.hierarchicalNamespace ?? false);
    if (written !== expected) {
      violations.push({
        path: ['clusters', producer.cluster, 'training', 'jobs', producer.job, 'env', variable],
        message: `job '${producer.job}' writes model '${name}' to ${written}, but models.${name}.artifacts says ${expected}; remove this entry (it is set from models.${name}) or fix the declaration`,
      });
    }
  }
  return violations;
});

/** Role assignment scopes need the storage account's subscription: its own, or the one all clusters share. */
const storageSubscriptionKnown: ConfigRule = (config) => {
  const scoped = [...new Set(storageRoleNeeds(config).map((need) => need.storageAccount))].sort();
  return scoped.filter((name) => config.azure.storageAccounts[name] && storageSubscription(config, name) === undefined).map((name) => ({
    path: ['azure', 'storageAccounts', name],
    message: `the clusters are in several subscriptions; set subscriptionId to the one that holds storage account '${name}' (its role assignments are scoped to it)`,
  }));
};

/** The model rules, listed in lib/config/platform-rules.ts. */
export const MODEL_RULES: readonly ConfigRule[] = [
  storageAccountDeclared,
  servedWhereServingRuns,
  producedByATrainingJob,
  storageSubscriptionKnown,
];
