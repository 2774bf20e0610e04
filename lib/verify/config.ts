/** Config of the day-one verifier: faults a cluster accepts on purpose (`clusters.<name>.acceptedFaults`). */
import { Closed, StringEnum, Type, Static } from '../config/schema-helpers';

/** Rule IDs, as faults name them (kept in sync with `VerifyRuleId` by a type check below). */
export const VERIFY_RULE_IDS = ['apply-order', 'admission', 'quota-fit', 'scheduling', 'network-flows', 'gitops-lifecycle'] as const;

export const AcceptedFaultSchema = Closed({
  rule: StringEnum(VERIFY_RULE_IDS, 'the verifier rule of the fault'),
  object: Type.String({
    pattern: '^[A-Z][A-Za-z0-9]*/([a-z0-9]([-a-z0-9]*[a-z0-9])?/)?[a-z0-9]([-a-z0-9.]*[a-z0-9])?$',
    description: 'the object at fault exactly as the fault names it: Kind/namespace/name, or Kind/name for cluster-scoped objects',
  }),
  reason: Type.String({ minLength: 20, description: 'why the platform team accepts the fault (listed on every run)' }),
}, { description: 'a verifier fault the platform team accepts on purpose' });

export const AcceptedFaultsSchema = Type.Array(AcceptedFaultSchema, {
  description: 'verifier faults accepted on purpose; each must match a fault (stale entries are errors) and is listed on every run',
});

export type AcceptedFaultConfig = Static<typeof AcceptedFaultSchema>;
