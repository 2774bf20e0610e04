/** Azure identities for pods: Workload Identity (and the deprecated aad-pod-identity mode). */
export * from './pod-identity-binding';
export * from './chart-service-account-identity';
