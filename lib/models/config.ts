/**
 * Platform-level models (config key `models`): a model declared once, with where its artifacts live, which
 * training job writes them and where they are served. The training job's output location and the serving
 * InferenceService's `storageUri` are both derived from the one declaration (see `expand.ts`).
 */
import { MODEL_FORMATS, MODEL_PROPERTIES } from '../serving/config';
import { Closed, DnsLabel, NameMap, Pattern, StringEnum, Type, Static } from '../config/schema-helpers';

/** Blob container names: 3 to 63 lowercase letters, digits and single hyphens, starting with a letter or digit. */
export const CONTAINER_NAME_PATTERN = '^(?=.{3,63}$)[a-z0-9]+(-[a-z0-9]+)*$';

/** KServe limits InferenceService names to 45 characters (its generated object names must stay DNS labels). */
export const SHARED_MODEL_NAME_PATTERN = '^[a-z]([-a-z0-9]{0,43}[a-z0-9])?$';

export const ModelArtifactsSchema = Closed({
  storageAccount: Pattern('^[a-z0-9]{3,24}$', 'storage account that holds the model (a key under azure.storageAccounts)'),
  container: Pattern(CONTAINER_NAME_PATTERN, 'blob container of the model (3 to 63 lowercase letters, digits and single hyphens)'),
  path: Pattern('^[^/\\s]([^\\s]*[^/\\s])?$', 'path prefix of the model inside the container, without leading or trailing /, such as iris/triton'),
  version: Type.Optional(Pattern('^[A-Za-z0-9][-A-Za-z0-9._]{0,62}$', 'version folder under path: the training job writes there and serving reads from there; "latest" is a plain folder the job overwrites. Default: latest')),
}, { description: 'where the model artifacts live: <container>/<path>/<version>/ in the storage account' });

export const ModelTrainingSchema = Closed({
  cluster: DnsLabel('cluster (under clusters) whose training section runs the job'),
  job: Pattern('^[a-z]([-a-z0-9]{0,48}[a-z0-9])?$', 'job (under clusters.<cluster>.training.jobs) that writes the model'),
  outputEnv: Type.Optional(Pattern('^[A-Za-z_][A-Za-z0-9_]*$', 'environment variable of the job that receives the output location. Default: MODEL_OUTPUT_URL')),
}, { description: 'the training job that produces the model; it gets the output location and its identity gets Storage Blob Data Contributor on the container' });

const { storageUri: _storageUri, format: _format, ...servedProperties } = MODEL_PROPERTIES;

export const ModelServingSchema = Closed({
  cluster: DnsLabel('cluster (under clusters) whose serving section serves the model'),
  ...servedProperties,
}, { description: 'where the model is served: the InferenceService, as under serving.models but without storageUri and format; its identity gets Storage Blob Data Reader on the container' });

export const SharedModelSchema = Closed({
  description: Type.Optional(Type.String({ description: 'what the model is' })),
  format: StringEnum(MODEL_FORMATS, 'model format (predictor.model.modelFormat.name)'),
  artifacts: ModelArtifactsSchema,
  training: Type.Optional(ModelTrainingSchema),
  serving: Type.Optional(ModelServingSchema),
}, { description: 'a model declared once for the whole platform' });

export const SharedModelsSchema = NameMap(SharedModelSchema, SHARED_MODEL_NAME_PATTERN,
  'model names (a lowercase letter, then lowercase letters, digits or \'-\', at most 45 characters: KServe\'s InferenceService limit)');

export type SharedModelConfig = Static<typeof SharedModelSchema>;
export type ModelArtifactsConfig = Static<typeof ModelArtifactsSchema>;

/** Default environment variable that receives a model's output location. */
export const DEFAULT_OUTPUT_ENV = 'MODEL_OUTPUT_URL';
/** Default version folder. */
export const DEFAULT_MODEL_VERSION = 'latest';

/** Path of the artifacts inside their container, `<path>/<version>`. */
export function artifactPath(artifacts: ModelArtifactsConfig): string {
  return `${artifacts.path}/${artifacts.version ?? DEFAULT_MODEL_VERSION}`;
}

/**
 * Where the training job writes: `abfss://` on ADLS Gen2 accounts (the Hadoop ABFS driver and the Azure SDK's
 * Data Lake client), else the blob URL; with a trailing slash, as a folder.
 */
export function trainingOutputUrl(artifacts: ModelArtifactsConfig, hierarchicalNamespace: boolean): string {
  const where = artifactPath(artifacts);
  return hierarchicalNamespace
    ? `abfss://${artifacts.container}@${artifacts.storageAccount}.dfs.core.windows.net/${where}/`
    : `https://${artifacts.storageAccount}.blob.core.windows.net/${artifacts.container}/${where}/`;
}

/**
 * Where KServe reads: the blob endpoint form, which KServe's storage initializer downloads with the pod's Azure
 * identity (it does not read `abfss://` or the `dfs` endpoint; see lib/serving/storage-uri.ts).
 */
export function servingStorageUri(artifacts: ModelArtifactsConfig): string {
  return `https://${artifacts.storageAccount}.blob.core.windows.net/${artifacts.container}/${artifactPath(artifacts)}`;
}
