/**
 * Model storage URIs as KServe's storage initializer reads them (kserve_storage/storage.py and the default
 * ClusterStorageContainer). Checked at synth time so a URI the initializer cannot download fails here, not in
 * a crash-looping pod.
 */

/** Result of checking a storage URI: undefined when KServe can read it, else why not (and the fix). */
export type StorageUriProblem = string | undefined;

const ACCOUNT = '([a-z0-9]{3,24})';
const CONTAINER = '([a-z0-9](?:[a-z0-9]|-(?=[a-z0-9])){2,62})';

/** Forms KServe reads, each with a short name for messages. */
const READABLE: readonly { readonly name: string; readonly pattern: RegExp }[] = [
  { name: 'Azure Blob', pattern: new RegExp(`^https://${ACCOUNT}\\.blob\\.core\\.windows\\.net/${CONTAINER}(/[^?#]*)?$`) },
  { name: 'Azure Blob (DNS zone endpoint)', pattern: new RegExp(`^https://${ACCOUNT}\\.z[0-9]{2}\\.blob\\.storage\\.azure\\.net/${CONTAINER}(/[^?#]*)?$`) },
  { name: 'Azure Files', pattern: new RegExp(`^https://${ACCOUNT}\\.file\\.core\\.windows\\.net/${CONTAINER}(/[^?#]*)?$`) },
  { name: 'PersistentVolumeClaim', pattern: /^pvc:\/\/[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?(\/[^?#]*)?$/ },
  { name: 'S3', pattern: /^s3:\/\/[a-z0-9][-a-z0-9.]{1,61}[a-z0-9](\/.*)?$/ },
  { name: 'Google Cloud Storage', pattern: /^gs:\/\/[a-z0-9][-a-z0-9_.]{1,61}[a-z0-9](\/.*)?$/ },
  { name: 'HDFS', pattern: /^(hdfs|webhdfs):\/\/[^\s/]+(\/.*)?$/ },
  { name: 'Hugging Face Hub', pattern: /^hf:\/\/[A-Za-z0-9][-A-Za-z0-9_.]*\/[A-Za-z0-9][-A-Za-z0-9_.]*(:[^\s]+)?$/ },
  { name: 'OCI model car', pattern: /^oci:\/\/[^\s]+$/ },
];

/** The blob-endpoint URI for an ADLS Gen2 (dfs) or wasbs URI, or undefined when `uri` is neither. */
export function blobEquivalent(uri: string): string | undefined {
  const abfs = /^abfss?:\/\/([^@/]+)@([a-z0-9]{3,24})\.dfs\.core\.windows\.net(\/.*)?$/.exec(uri);
  if (abfs) return `https://${abfs[2]}.blob.core.windows.net/${abfs[1]}${trimSlash(abfs[3])}`;
  const dfs = /^https?:\/\/([a-z0-9]{3,24})\.dfs\.core\.windows\.net\/([^/]+)(\/.*)?$/.exec(uri);
  if (dfs) return `https://${dfs[1]}.blob.core.windows.net/${dfs[2]}${trimSlash(dfs[3])}`;
  const wasb = /^wasbs?:\/\/([^@/]+)@([a-z0-9]{3,24})\.blob\.core\.windows\.net(\/.*)?$/.exec(uri);
  if (wasb) return `https://${wasb[2]}.blob.core.windows.net/${wasb[1]}${trimSlash(wasb[3])}`;
  return undefined;
}

function trimSlash(path: string | undefined): string {
  return path && path !== '/' ? path.replace(/\/+$/, '') : '';
}

/**
 * Why KServe cannot read `uri`, with the fix, or undefined when it can. ADLS Gen2 accounts are read through
 * their blob endpoint: the storage initializer has no abfss:// or dfs.core.windows.net handler and would treat
 * a dfs URL as a plain HTTP download, which fails for a directory.
 */
export function storageUriProblem(uri: string): StorageUriProblem {
  const blob = blobEquivalent(uri);
  if (blob) {
    return `is not a form KServe's storage initializer reads (no abfss://, wasbs:// or dfs.core.windows.net handler); use the blob endpoint of the same account: ${blob}`;
  }
  const scheme = /^(s3|gs|hf):\/\//.exec(uri)?.[1];
  if (scheme) {
    // The storage initializer reads these with AWS, Google or Hugging Face credentials from a Secret or the
    // ServiceAccount; pods of this platform have only their Azure identity (Workload Identity) and no such Secrets.
    const cloud = { s3: 'Amazon S3', gs: 'Google Cloud Storage', hf: 'the Hugging Face Hub' }[scheme];
    return `reads from ${cloud}, but pods of this platform only have Azure identities (no AWS, Google or Hugging Face credentials); copy the model to Azure Blob Storage and use https://<account>.blob.core.windows.net/<container>/<path>`;
  }
  if (READABLE.some(({ pattern }) => pattern.test(uri))) return undefined;
  if (/^https:\/\/[^/]+\.(core\.windows\.net|storage\.azure\.net)(\/|$)/i.test(uri)) {
    return `is not a valid Azure Storage URI; use https://<account>.blob.core.windows.net/<container>/<path> with a lowercase account (3 to 24 letters and digits) and container (3 to 63 lowercase letters, digits and '-')`;
  }
  if (/^http:\/\//.test(uri)) return `is plain http; use https (KServe downloads a single file from an https:// URL)`;
  if (/^https:\/\/[^\s/]+\/[^\s]+$/.test(uri)) return undefined; // a single file over https
  return `is not a storage URI KServe reads; use https://<account>.blob.core.windows.net/<container>/<path>, pvc://<claim>/<path>, hdfs://, webhdfs:// or oci://`;
}

/** The storage account and container of an Azure Blob URI, or undefined for other schemes. */
export function azureBlobLocation(uri: string): { readonly account: string; readonly container: string } | undefined {
  const match = READABLE[0].pattern.exec(uri) ?? READABLE[1].pattern.exec(uri);
  return match ? { account: match[1], container: match[2] } : undefined;
}
