import * as path from 'path';

/** Repository root (the folder holding imports/schemas). */
export const REPO_ROOT = path.resolve(__dirname, '../..');
/** The shared data folder cloned beside the repository (k8s-schemas, crds, crd-schemas, reference). */
export const SHARED_DIR = path.resolve(__dirname, '../../../shared');
/** Committed generated schemas. */
export const SCHEMAS_DIR = path.join(REPO_ROOT, 'imports', 'schemas');
/** Upstream example manifests used as a calibration set. */
export const EXAMPLES_DIR = path.join(SHARED_DIR, 'reference', 'upstream-examples');
