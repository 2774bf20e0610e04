export * from './cluster-app';
export * from './cluster-context';
export * from './compositions';
export * from './layers';
