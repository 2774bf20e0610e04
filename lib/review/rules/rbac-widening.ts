/**
 * RBAC widened: a Role/ClusterRole granting something its previous version did not (a verb, resource, API group,
 * resource name or '*'), and bindings gaining subjects or pointing at the built-in admin roles. Permissions are
 * compared as (apiGroup, resource, verb, resourceName) grants; a previous grant with '*' or without resourceNames
 * covers the new one (Kubernetes RBAC is purely additive: rbac.authorization.k8s.io/v1 PolicyRule semantics).
 * Strimzi KafkaUser ACLs are compared the same way (allow entries, kafka.strimzi.io KafkaUserAuthorizationSimple).
 */
import { compareText } from '../../core/sort';
import { isJsonObject, JsonValue } from '../../validation/json';
import { canonicalJson } from '../../validation/json';
import { getPath, ManifestObject, ObjectChange, Risk, RiskRule } from '../types';

const RULE = 'rbac-widened';
const RBAC_GROUP = 'rbac.authorization.k8s.io';

interface Grant { readonly group: string; readonly resource: string; readonly verb: string; readonly name: string }

/** Grants that let a subject escalate or read credentials. */
const SENSITIVE_RESOURCES = new Set(['secrets', 'pods/exec', 'pods/attach', 'serviceaccounts/token', 'nodes/proxy', 'roles', 'clusterroles', 'rolebindings', 'clusterrolebindings']);
const SENSITIVE_VERBS = new Set(['escalate', 'bind', 'impersonate']);
const ADMIN_ROLES = new Set(['cluster-admin', 'admin', 'edit']);

function strings(value: JsonValue | undefined): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

function grants(role: ManifestObject | undefined): Grant[] {
  const rules = role?.obj.rules;
  if (!Array.isArray(rules)) return [];
  return rules.filter(isJsonObject).flatMap((rule) => {
    const verbs = strings(rule.verbs);
    const urls = strings(rule.nonResourceURLs).map((url) => ({ group: '(url)', resource: url }));
    const names = strings(rule.resourceNames);
    const resources = strings(rule.apiGroups).flatMap((group) => strings(rule.resources).map((resource) => ({ group, resource })));
    return [...resources, ...urls].flatMap(({ group, resource }) => verbs.flatMap((verb) =>
      (names.length === 0 ? ['*'] : names).map((name) => ({ group, resource, verb, name }))));
  });
}

function covers(old: Grant, grant: Grant): boolean {
  const match = (a: string, b: string): boolean => a === '*' || a === b;
  return match(old.group, grant.group) && match(old.resource, grant.resource) && match(old.verb, grant.verb) && match(old.name, grant.name);
}

function describe(grant: Grant): string {
  const resource = grant.group === '(url)' ? grant.resource : `${grant.group === '' ? '' : `${grant.group}/`}${grant.resource}`;
  return `${grant.verb} ${resource}${grant.name === '*' ? '' : `[${grant.name}]`}`;
}

function sensitive(grant: Grant): boolean {
  return grant.group === '*' || grant.resource === '*' || grant.verb === '*' || SENSITIVE_RESOURCES.has(grant.resource) || SENSITIVE_VERBS.has(grant.verb);
}

function list(items: readonly string[]): string {
  const unique = [...new Set(items)].sort(compareText);
  return unique.length <= 4 ? unique.join(', ') : `${unique.slice(0, 4).join(', ')} and ${unique.length - 4} more`;
}

function roleRisks(change: ObjectChange): Risk[] {
  const before = grants(change.base);
  const added = grants(change.head).filter((g) => !before.some((old) => covers(old, g)));
  const aggregation = change.type === 'changed' && canonicalJson(change.base?.obj.aggregationRule ?? null) !== canonicalJson(change.head?.obj.aggregationRule ?? null);
  const risks: Risk[] = [];
  if (added.length > 0) {
    const risky = added.filter(sensitive);
    if (change.type === 'added') {
      risks.push({
        level: risky.length > 0 ? 'warning' : 'info', rule: RULE,
        reason: risky.length > 0 ? `new role grants ${list(risky.map(describe))} (wildcards or escalation-prone access)` : `new role grants ${list(added.map(describe))}`,
      });
    } else {
      risks.push({
        level: risky.length > 0 ? 'danger' : 'warning', rule: RULE,
        reason: `grants more: ${list(added.map(describe))}${risky.length > 0 ? ' (wildcards or escalation-prone access)' : ''}`,
      });
    }
  }
  if (aggregation) risks.push({ level: 'warning', rule: RULE, reason: 'aggregationRule changed: the role aggregates other ClusterRoles\' rules' });
  return risks;
}

function subjectKeys(binding: ManifestObject | undefined): string[] {
  const subjects = binding?.obj.subjects;
  if (!Array.isArray(subjects)) return [];
  return subjects.filter(isJsonObject).map((s) => `${String(s.kind)} ${s.namespace === undefined ? '' : `${String(s.namespace)}/`}${String(s.name)}`);
}

function bindingRisks(change: ObjectChange): Risk[] {
  const head = change.head;
  if (head === undefined) return [];
  const risks: Risk[] = [];
  const roleName = getPath(head.obj, ['roleRef', 'name']);
  const roleKind = getPath(head.obj, ['roleRef', 'kind']);
  const before = subjectKeys(change.base);
  const newSubjects = subjectKeys(head).filter((s) => !before.includes(s));
  if (roleKind === 'ClusterRole' && typeof roleName === 'string' && ADMIN_ROLES.has(roleName)
    && (change.type === 'added' || newSubjects.length > 0 || getPath(change.base?.obj, ['roleRef', 'name']) !== roleName)) {
    risks.push({ level: 'danger', rule: RULE, reason: `binds the built-in ClusterRole ${roleName} to ${list(subjectKeys(head))}` });
  } else if (change.type === 'changed' && newSubjects.length > 0) {
    risks.push({ level: 'warning', rule: RULE, reason: `${String(roleKind)} ${String(roleName)} granted to new subjects: ${list(newSubjects)}` });
  }
  return risks;
}

/**
 * Strimzi KafkaUser ACLs (spec.authorization.acls, type simple): allow entries as (resource type, name, pattern,
 * operation, host) grants; a literal `*` name, a prefix pattern or operation All are the wide ones.
 */
function kafkaAcls(user: ManifestObject | undefined): string[] {
  const acls = user === undefined ? undefined : getPath(user.obj, ['spec', 'authorization', 'acls']);
  if (!Array.isArray(acls)) return [];
  return acls.filter(isJsonObject).filter((acl) => (acl.type ?? 'allow') === 'allow').flatMap((acl) => {
    const resource = isJsonObject(acl.resource) ? acl.resource : {};
    const operations = [...strings(acl.operations), ...(typeof acl.operation === 'string' ? [acl.operation] : [])];
    const target = `${String(resource.type)} ${String(resource.patternType ?? 'literal') === 'prefix' ? `${String(resource.name ?? '*')}*` : String(resource.name ?? '*')}`;
    return operations.map((operation) => `${operation} ${target}${acl.host === undefined || acl.host === '*' ? '' : ` from ${String(acl.host)}`}`);
  });
}

function kafkaUserRisks(change: ObjectChange): Risk[] {
  if (change.type !== 'changed') return [];
  const before = new Set(kafkaAcls(change.base));
  const added = kafkaAcls(change.head).filter((acl) => !before.has(acl));
  if (added.length === 0) return [];
  const wide = added.filter((acl) => acl.startsWith('All ') || / \*$/.test(acl) || /\*$/.test(acl.split(' ')[2] ?? ''));
  return [{ level: wide.length > 0 ? 'danger' : 'warning', rule: RULE, reason: `Kafka ACLs grant more: ${list(added)}${wide.length > 0 ? ' (wildcard, prefix or All)' : ''}` }];
}

export const rbacWideningRule: RiskRule = {
  id: RULE,
  summary: 'a Role/ClusterRole (or a Strimzi KafkaUser\'s ACLs) grants more (verbs, resources, API groups, names; danger with \'*\' or escalation-prone access), a binding gains subjects or binds cluster-admin/admin/edit',
  check(change: ObjectChange): Risk[] {
    if (change.ref.group === 'kafka.strimzi.io' && change.ref.kind === 'KafkaUser') return kafkaUserRisks(change);
    if (change.ref.group !== RBAC_GROUP || change.type === 'removed') return [];
    if (change.ref.kind === 'Role' || change.ref.kind === 'ClusterRole') return roleRisks(change);
    if (change.ref.kind === 'RoleBinding' || change.ref.kind === 'ClusterRoleBinding') return bindingRisks(change);
    return [];
  },
};
