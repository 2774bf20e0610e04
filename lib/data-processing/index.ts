/** Data processing (config key `dataProcessing`): HDFS, Spark RBAC and jobs, shared volumes. */
export * from './hdfs-cluster';
export * from './spark-rbac';
export * from './spark-job';
export * from './shared-volume';
export * from './azure-files-storage-class';
