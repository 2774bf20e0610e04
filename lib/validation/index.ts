/**
 * Strict validation of generated manifests against upstream Kubernetes and CRD schemas
 * (the schemas are generated into imports/schemas by lib/cli/import-schemas.ts).
 */
export type { SchemaIssue } from './issues';
export { formatIssues } from './issues';
export type { SourcedObject } from './manifest-validator';
export type { ValidateAllOptions } from './manifest-validator';
export { ManifestValidator } from './manifest-validator';
export type { InstalledVersionsFile, InstalledOperatorRecord } from './installed-versions';
export { INSTALLED_VERSIONS_FILE, InstalledVersionsLookup, crdSetsOf } from './installed-versions';
export type { CrdSchemaSet } from './crd-sets';
export { CRD_SCHEMA_SETS, crdSetId, crdSetVersions } from './crd-sets';
export type { InstalledCrdSets } from './schema-registry';
export { parseManifestText, readManifestFolder } from './manifest-reader';
export { findSchemasDir } from './schemas-dir';
export { findSecrets, findSecretsInAll } from './secret-scan';
