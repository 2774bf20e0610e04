/**
 * The platform config schema: one YAML file per environment under `config/`.
 *
 * Each feature owns a section module under `sections/`; this file only composes them. The JSON Schema
 * published for editors (`config/platform.schema.json`) is generated from `PlatformConfigSchema`.
 */
import { AzureClusterSchema, AzurePlatformSchema, IdentityModeSchema, IdentitySchema } from '../azure/config';
import { NamespaceDefaultsSchema, NamespacesSchema } from '../core/namespaces-config';
import { DataProcessingSchema } from '../data-processing/config';
import { AirflowSchema, GitOpsSchema, LayerFoldersSchema, OperatorsSchema } from '../gitops/config';
import { NodePoolsSchema } from '../core/node-pools-config';
import { SharedModelsSchema } from '../models/config';
import { RoutingSchema, ServingSchema } from '../serving/config';
import { StreamingSchema } from '../streaming/config';
import { NotebooksSchema } from '../notebooks/config';
import { TrainingSchema } from '../training/config';
import { AcceptedFaultsSchema } from '../verify/config';
import { Closed, DNS_LABEL_PATTERN, NameMap, Pattern, Type, Static } from './schema-helpers';

export const ClusterSchema = Closed({
  azure: AzureClusterSchema,
  kubernetesVersion: Pattern('^1\\.[0-9]{2}$', 'Kubernetes minor version of the AKS cluster, such as "1.31"'),
  clusterDomain: Type.Optional(Type.String({ pattern: '^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$', description: 'cluster DNS domain. Default: cluster.local' })),
  nodePools: NodePoolsSchema,
  namespaceDefaults: NamespaceDefaultsSchema,
  namespaces: NamespacesSchema,
  dataProcessing: Type.Optional(DataProcessingSchema),
  identityMode: Type.Optional(IdentityModeSchema),
  training: Type.Optional(TrainingSchema),
  operators: Type.Optional(OperatorsSchema),
  airflow: Type.Optional(AirflowSchema),
  layerFolders: Type.Optional(LayerFoldersSchema),
  routing: Type.Optional(RoutingSchema),
  serving: Type.Optional(ServingSchema),
  acceptedFaults: Type.Optional(AcceptedFaultsSchema),
  streaming: Type.Optional(StreamingSchema),
  notebooks: Type.Optional(NotebooksSchema),
}, { description: 'one AKS cluster and everything that runs on it' });

export const PlatformConfigSchema = Closed({
  $schema: Type.Optional(Type.String({ description: 'path of this JSON Schema, for editors' })),
  description: Type.Optional(Type.String({ description: 'free text about this environment' })),
  azure: AzurePlatformSchema,
  identities: NameMap(IdentitySchema, DNS_LABEL_PATTERN, 'identity names (DNS labels)'),
  clusters: NameMap(ClusterSchema, DNS_LABEL_PATTERN, 'cluster names (DNS labels)'),
  gitops: Type.Optional(GitOpsSchema),
  models: Type.Optional(SharedModelsSchema),
}, {
  $id: 'https://ml-platform-manifests.local/platform.schema.json',
  title: 'ML platform config',
  description: 'One environment of the ML platform on AKS: its clusters, namespaces, node pools and Azure details.',
});

export type PlatformConfig = Static<typeof PlatformConfigSchema>;
export type ClusterConfig = Static<typeof ClusterSchema>;
