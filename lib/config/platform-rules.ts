/**
 * Every semantic rule of the platform config, in the order they run after the schema check. The rules live
 * with their domain (`lib/<domain>/config-rules.ts`); this list is the one place that gathers them, so
 * `rules.ts` never imports a domain back.
 */
import { AZURE_RULES } from '../azure/config-rules';
import { CORE_RULES } from '../core/config-rules';
import { QUOTA_FIT_RULES } from '../core/quota-fit';
import { DATA_PROCESSING_RULES } from '../data-processing/config-rules';
import { GITOPS_RULES } from '../gitops/config-rules';
import { MODEL_RULES } from '../models/config-rules';
import { SERVING_RULES } from '../serving/config-rules';
import { STREAMING_RULES } from '../streaming/config-rules';
import { NOTEBOOKS_RULES } from '../notebooks/config-rules';
import { TRAINING_RULES } from '../training/config-rules';
import { ConfigRule } from './rules';

/** Every semantic rule, run in this order after the schema check passed. */
export const CONFIG_RULES: readonly ConfigRule[] = [
  ...CORE_RULES,
  ...DATA_PROCESSING_RULES,
  ...TRAINING_RULES,
  ...GITOPS_RULES,
  ...SERVING_RULES,
  ...STREAMING_RULES,
  ...NOTEBOOKS_RULES,
  ...AZURE_RULES,
  ...MODEL_RULES,
  ...QUOTA_FIT_RULES,
];
