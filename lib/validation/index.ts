/**
 * Strict validation of generated manifests against upstream Kubernetes and CRD schemas
 * (the schemas are generated into imports/schemas by lib/cli/import-schemas.ts).
 */
export type { SchemaIssue } from './issues';
export { formatIssues } from './issues';
export type { SourcedObject } from './manifest-validator';
export { ManifestValidator } from './manifest-validator';
export { parseManifestText, readManifestFolder } from './manifest-reader';
export { findSchemasDir } from './schemas-dir';
export { findSecrets, findSecretsInAll } from './secret-scan';
