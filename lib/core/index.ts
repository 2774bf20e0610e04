/** Core: the namespace baseline every namespace gets, and the helpers every domain shares (labels, quantities, node pools, security contexts, network policies; internal, not exported). */
export * from './namespace-baseline';
