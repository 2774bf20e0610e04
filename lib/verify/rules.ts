/** Every rule of the verifier, in the order faults are listed. Add a rule here (and its tests). */
import { admissionRule } from './admission-rule';
import { applyOrderRule } from './apply-order-rule';
import { gitopsLifecycleRule } from './gitops-lifecycle-rule';
import { quotaFitRule } from './quota-fit-rule';
import { schedulingRule } from './scheduling-rule';
import { VerifyRule } from './types';

export const VERIFY_RULES: readonly VerifyRule[] = [
  applyOrderRule,
  admissionRule,
  quotaFitRule,
  schedulingRule,
  // networkFlowRule (lib/verify/network-flows.ts) joins this list once the example passes it: on the merge of
  // 2026-11-29 it still reported 30 faults on the example (undeclared ingress, Strimzi pods not in its pod model).
  gitopsLifecycleRule,
];
