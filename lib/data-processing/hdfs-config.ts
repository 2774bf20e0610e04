/** Hadoop 3 ports and the `core-site.xml` / `hdfs-site.xml` files of an `HdfsCluster`. */
import { createHash } from 'crypto';

/** Hadoop 3 ports (the namenode RPC port went back to 8020 in 3.0.1, HDFS-12990). */
export const HDFS_PORTS = {
  /** Namenode RPC, the port of `fs.defaultFS`. */
  nameNodeRpc: 8020,
  /** Namenode web UI and WebHDFS. */
  nameNodeHttp: 9870,
  /** Datanode block transfer (`dfs.datanode.address`). */
  dataNodeData: 9866,
  /** Datanode web UI (`dfs.datanode.http.address`). */
  dataNodeHttp: 9864,
  /** Datanode IPC (`dfs.datanode.ipc.address`). */
  dataNodeIpc: 9867,
} as const;

/** Mount point of the namenode metadata volume. */
export const NAME_VOLUME_MOUNT = '/hadoop/dfs/name';
/**
 * The namenode's name directory: a sub-directory of the volume that only `-format` creates, so a fresh volume
 * (which may hold `lost+found`) counts as empty and `-nonInteractive` never meets an existing directory.
 */
export const NAME_DIR = `${NAME_VOLUME_MOUNT}/data`;
/** Mount path of the `index`th datanode data directory inside the container. */
export const dataDirMountPath = (index: number) => `/hadoop/dfs/data${index}`;

/** What the site files are rendered from. */
export interface HdfsSiteInputs {
  readonly defaultFs: string;
  readonly nameNodeHost: string;
  readonly replication: number;
  readonly dataDirectoryCount: number;
  readonly coreSite: { readonly [name: string]: string };
  readonly hdfsSite: { readonly [name: string]: string };
}

/** Properties the construct sets itself; user properties may not override them. */
export function managedCoreSite(inputs: HdfsSiteInputs): Record<string, string> {
  return { 'fs.defaultFS': inputs.defaultFs };
}

/** Managed `hdfs-site.xml` properties. */
export function managedHdfsSite(inputs: HdfsSiteInputs): Record<string, string> {
  const dataDirs = Array.from({ length: inputs.dataDirectoryCount }, (_, i) => `file://${dataDirMountPath(i)}`);
  return {
    'dfs.replication': String(inputs.replication),
    'dfs.namenode.name.dir': `file://${NAME_DIR}`,
    'dfs.datanode.data.dir': dataDirs.join(','),
    'dfs.namenode.rpc-address': `${inputs.nameNodeHost}:${HDFS_PORTS.nameNodeRpc}`,
    'dfs.namenode.http-address': `${inputs.nameNodeHost}:${HDFS_PORTS.nameNodeHttp}`,
    'dfs.namenode.rpc-bind-host': '0.0.0.0',
    'dfs.namenode.http-bind-host': '0.0.0.0',
    'dfs.datanode.address': `0.0.0.0:${HDFS_PORTS.dataNodeData}`,
    'dfs.datanode.http.address': `0.0.0.0:${HDFS_PORTS.dataNodeHttp}`,
    'dfs.datanode.ipc.address': `0.0.0.0:${HDFS_PORTS.dataNodeIpc}`,
    // Datanodes register with node addresses (hostNetwork) that have no reverse DNS entry.
    'dfs.namenode.datanode.registration.ip-hostname-check': 'false',
    'dfs.client.use.datanode.hostname': 'false',
    'dfs.datanode.use.datanode.hostname': 'false',
  };
}

/** A Hadoop configuration file: properties sorted by name, values XML-escaped. */
export function renderHadoopXml(properties: { readonly [name: string]: string }): string {
  const body = Object.keys(properties).sort().map((name) =>
    `  <property>\n    <name>${escapeXml(name)}</name>\n    <value>${escapeXml(properties[name])}</value>\n  </property>\n`).join('');
  return `<?xml version="1.0" encoding="UTF-8"?>\n<configuration>\n${body}</configuration>\n`;
}

/** The two site files, managed properties merged over the user's. */
export function renderSiteFiles(inputs: HdfsSiteInputs): { 'core-site.xml': string; 'hdfs-site.xml': string } {
  return {
    'core-site.xml': renderHadoopXml({ ...inputs.coreSite, ...managedCoreSite(inputs) }),
    'hdfs-site.xml': renderHadoopXml({ ...inputs.hdfsSite, ...managedHdfsSite(inputs) }),
  };
}

/** SHA-256 of the files, for the pod annotation that restarts pods when the configuration changes. */
export function configChecksum(files: { readonly [name: string]: string }): string {
  const hash = createHash('sha256');
  for (const name of Object.keys(files).sort()) hash.update(`${name}\0${files[name]}\0`);
  return hash.digest('hex');
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
