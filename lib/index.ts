/** The construct library: one construct per file. */
export * from './namespace-baseline';
export * from './pod-identity-binding';
export * from './pytorch-job';
