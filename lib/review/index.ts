/** Pull-request review of generated YAML: object-level diff of dist/ between a git ref and the working tree, with risk rules. */
export * from './types';
export { GitError } from './dist-source';
export { compareObjectSets, reviewDist } from './review';
export type { ReviewOptions } from './review';
export { buildObjectSet, describeObject, objectKey } from './object-set';
export { diffFields, shortValue } from './field-diff';
export { COMMENT_MARKER, formatReport, highestRisk, REPORT_FORMATS } from './report-format';
export type { ReportFormat } from './report-format';
export { RISK_RULES } from './rules';
