/** Serving (config key `serving`): KServe models, microservices, MLflow, the shared gateway and routes. */
export * from './kserve-model';
export * from './http-microservice';
export * from './mlflow-tracking';
export * from './shared-gateway';
export * from './ingress-routes';
