/** Streaming (config key `streaming`): Kafka through Strimzi (KRaft), its topics, and per-client users with ACLs. */
export * from './kafka-cluster';
export * from './kafka-topic';
export * from './kafka-user';
export * from './spark-streaming-job';
