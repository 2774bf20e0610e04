/** Training (config key `training`): PyTorchJobs on the GPU pool. */
export * from './pytorch-job';
export * from './pytorch-init-template';
