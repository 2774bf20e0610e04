/**
 * The construct library, one folder per domain (named after its config section). Each folder's index exports
 * its public constructs; files not exported there are the folder's internal helpers.
 */
export * from './core';
export * from './identity';
export * from './data-processing';
export * from './training';
export * from './serving';
export * from './gitops';
export * from './streaming';
export * from './notebooks';
