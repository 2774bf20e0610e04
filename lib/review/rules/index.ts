/** The risk rules of the dist/ review, in report order. */
import { RiskRule } from '../types';
import { fluxOrderingRule } from './flux-ordering';
import { immutableFieldsRule } from './immutable-fields';
import { networkExposureRule } from './network-exposure';
import { podSecurityRule } from './pod-security';
import { pruneDeletionRule } from './prune-deletion';
import { quotaUsageRule } from './quota-usage';
import { rbacWideningRule } from './rbac-widening';
import { chartVersionRule, imageChangeRule } from './version-changes';

export const RISK_RULES: readonly RiskRule[] = [
  pruneDeletionRule,
  immutableFieldsRule,
  imageChangeRule,
  chartVersionRule,
  rbacWideningRule,
  podSecurityRule,
  networkExposureRule,
  quotaUsageRule,
  fluxOrderingRule,
];
