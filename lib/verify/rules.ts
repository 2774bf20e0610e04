/** Every rule of the verifier, in the order faults are listed. Add a rule here (and its tests). */
import { admissionRule } from './admission-rule';
import { applyOrderRule } from './apply-order-rule';
import { gitopsLifecycleRule } from './gitops-lifecycle-rule';
import { networkFlowRule } from './network-flows';
import { quotaFitRule } from './quota-fit-rule';
import { schedulingRule } from './scheduling-rule';
import { VerifyRule } from './types';

export const VERIFY_RULES: readonly VerifyRule[] = [
  applyOrderRule,
  admissionRule,
  quotaFitRule,
  schedulingRule,
  networkFlowRule,
  gitopsLifecycleRule,
];
