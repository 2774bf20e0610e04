/**
 * Semantic rules of the data-processing section: references to namespaces, node pools, identities and shared
 * volumes, Pod Security levels, and HDFS replication against the number of nodes that hold blocks.
 */
import { parseQuantity } from '../core/quantity';
import { removedApiServerCidrsMessage } from '../core/api-server-config';
import type { ConfigRule, RuleViolation } from '../config/rules';
import type { ClusterConfig, PlatformConfig } from '../config/schema';
import type { ConfigPath } from '../config/yaml-positions';
import type { DataProcessingConfig } from './config';
import { workloadFeasibility } from '../core/feasibility';
import { MANAGED_SPARK_CONF, SparkApplicationType, sparkPodMemoryMiB } from './spark-job';
import { managedCoreSite, managedHdfsSite } from './hdfs-config';

type SectionCheck = (section: DataProcessingConfig, path: ConfigPath, cluster: ClusterConfig, config: PlatformConfig) => RuleViolation[];

/** Runs `check` on every cluster that has a data-processing section (own loop: importing `perCluster` would be circular). */
function perSection(check: SectionCheck): ConfigRule {
  return (config) => Object.entries(config.clusters).flatMap(([name, cluster]) =>
    cluster.dataProcessing ? check(cluster.dataProcessing, ['clusters', name, 'dataProcessing'], cluster, config) : []);
}

const hdfsNamespaceIsPrivileged = perSection((section, path, cluster) => {
  if (!section.hdfs) return [];
  const ns = cluster.namespaces[section.hdfs.namespace];
  const at = [...path, 'hdfs', 'namespace'];
  if (!ns) return [{ path: at, message: `namespace '${section.hdfs.namespace}' is not under namespaces; add it there with podSecurity level privileged` }];
  if (ns.podSecurity?.level !== 'privileged') {
    return [{ path: at, message: `namespace '${section.hdfs.namespace}' runs HDFS datanodes with hostNetwork and hostPath, which only the Pod Security level 'privileged' admits; set namespaces.${section.hdfs.namespace}.podSecurity.level: privileged with a reason` }];
  }
  return [];
});

const sparkNamespacesAreNotPrivileged = perSection((section, path, cluster) =>
  Object.keys(section.spark.namespaces).flatMap((name) => {
    const at = [...path, 'spark', 'namespaces', name];
    const ns = cluster.namespaces[name];
    if (!ns) return [{ path: at, message: `namespace '${name}' is not under namespaces; add it there (Spark runs at Pod Security level restricted)` }];
    if (name === section.hdfs?.namespace || ns.podSecurity?.level === 'privileged') {
      return [{ path: at, message: `Spark namespace '${name}' must not be privileged (only the HDFS namespace is); use a namespace with level restricted` }];
    }
    return [];
  }));

const nodePoolsFit = perSection((section, path, cluster) => {
  const violations: RuleViolation[] = [];
  const pools = [...(section.hdfs ? [['hdfs', section.hdfs.nodePool] as const] : []), ['spark', section.spark.nodePool] as const];
  for (const [what, poolName] of pools) {
    const pool = cluster.nodePools[poolName];
    const at = [...path, what, 'nodePool'];
    if (!pool) {
      violations.push({ path: at, message: `node pool '${poolName}' is not under nodePools; use one of: ${Object.keys(cluster.nodePools).join(', ')}` });
    } else if (pool.mode === 'System' || pool.gpusPerNode !== undefined) {
      violations.push({ path: at, message: `node pool '${poolName}' is a ${pool.mode === 'System' ? 'System' : 'GPU'} pool; HDFS and Spark run on a User pool without GPUs` });
    }
  }
  const hdfsPool = section.hdfs && cluster.nodePools[section.hdfs.nodePool];
  const replication = section.hdfs?.replication ?? 3;
  if (section.hdfs && hdfsPool && replication > hdfsPool.minCount) {
    violations.push({
      path: [...path, 'hdfs', 'replication'],
      message: `replication (${replication}) is larger than the ${hdfsPool.minCount} node(s) pool '${section.hdfs.nodePool}' keeps at minimum (one datanode per node); lower it or raise the pool's minCount`,
    });
  }
  // Durability: datanodes keep blocks in hostPath directories on the node's local (temp / ephemeral OS) disk, which
  // is lost with the node. Cluster autoscaler scale-down removes under-used nodes (DaemonSet pods do not keep a node
  // alive), so several nodes and all replicas of a block can go at once. The HDFS pool is therefore fixed-size.
  if (section.hdfs && hdfsPool && hdfsPool.minCount !== hdfsPool.maxCount) {
    violations.push({
      path: [...path, 'hdfs', 'nodePool'],
      message: `pool '${section.hdfs.nodePool}' autoscales (minCount ${hdfsPool.minCount}, maxCount ${hdfsPool.maxCount}), but HDFS datanodes keep their blocks on the nodes' local disks, which a scale-down deletes with the node; make the HDFS pool fixed-size (minCount = maxCount) or give HDFS its own fixed-size pool (docs/data-processing.md)`,
    });
  }
  return violations;
});

const sparkIdentityExists = perSection((section, path, _cluster, config) => {
  const identity = section.spark.identity;
  if (identity === undefined || config.identities[identity]) return [];
  return [{ path: [...path, 'spark', 'identity'], message: `identity '${identity}' is not under the top-level identities; use one of: ${Object.keys(config.identities).join(', ')}` }];
});

const jobsReferToKnownThings = perSection((section, path) =>
  Object.entries(section.jobs ?? {}).flatMap(([name, job]) => {
    const at = [...path, 'jobs', name];
    const violations: RuleViolation[] = [];
    if (!section.spark.namespaces[job.namespace]) {
      violations.push({ path: [...at, 'namespace'], message: `'${job.namespace}' is not a Spark namespace; use one of: ${Object.keys(section.spark.namespaces).join(', ')}` });
    }
    if (job.azureStorage && !section.spark.identity) {
      violations.push({ path: [...at, 'azureStorage'], message: 'a job that uses Azure Storage needs spark.identity (Workload Identity); set it or remove azureStorage' });
    }
    if ((job.type === 'Scala' || job.type === 'Java') && !job.mainClass) {
      violations.push({ path: [...at, 'mainClass'], message: `a ${job.type} job needs a mainClass` });
    }
    for (const volume of Object.keys(job.volumes ?? {})) {
      const shared = section.sharedVolumes?.volumes[volume];
      if (!shared) {
        violations.push({ path: [...at, 'volumes', volume], message: `shared volume '${volume}' is not under sharedVolumes.volumes` });
      } else if (shared.namespace !== job.namespace) {
        violations.push({ path: [...at, 'volumes', volume], message: `shared volume '${volume}' is in namespace '${shared.namespace}', but the job runs in '${job.namespace}'; a pod can only mount claims of its own namespace` });
      }
    }
    return violations;
  }));

/** Azure Files premium shares are provisioned in steps of 1GiB with a minimum of 100GiB. */
const PREMIUM_MINIMUM_BYTES = 100 * 2 ** 30;

const sharedVolumesFit = perSection((section, path, cluster) => {
  const shared = section.sharedVolumes;
  if (!shared) return [];
  const premium = shared.storageClass.skuName.startsWith('Premium');
  const violations: RuleViolation[] = [];
  if (shared.storageClass.protocol === 'nfs' && !premium) {
    violations.push({ path: [...path, 'sharedVolumes', 'storageClass', 'protocol'], message: `Azure Files NFS shares need a Premium SKU (found ${shared.storageClass.skuName}); use Premium_LRS or Premium_ZRS, or protocol smb` });
  }
  for (const [name, volume] of Object.entries(shared.volumes)) {
    const at = [...path, 'sharedVolumes', 'volumes', name];
    if (!cluster.namespaces[volume.namespace]) {
      violations.push({ path: [...at, 'namespace'], message: `namespace '${volume.namespace}' is not under namespaces` });
    }
    if (premium && parseQuantity(volume.size) < PREMIUM_MINIMUM_BYTES) {
      violations.push({ path: [...at, 'size'], message: `a ${shared.storageClass.skuName} file share is at least 100Gi (found ${volume.size}); raise the size or use a Standard SKU` });
    }
  }
  return violations;
});

/** Each Spark job alone (driver plus executors) fits the LimitRange maximum, the quota and the Spark pool. */
const jobsFit = perSection((section, path, cluster) => Object.entries(section.jobs ?? {}).flatMap(([name, job]) => {
  const at = [...path, 'jobs', name];
  const pod = (cores: number, memory: string) => {
    const bytes = sparkPodMemoryMiB(job.type as SparkApplicationType, memory) * 2 ** 20;
    return { request: { cpu: cores, memory: bytes }, limit: { cpu: cores, memory: bytes } };
  };
  return workloadFeasibility(cluster, path.slice(0, 2), job.namespace, `Spark job '${name}'`, at, [
    { what: `the driver pod (${job.driver.cores} cores, ${job.driver.memory} heap plus Spark's memory overhead)`, count: 1, ...pod(job.driver.cores, job.driver.memory), at: [...at, 'driver'], pool: section.spark.nodePool },
    { what: `an executor pod (${job.executor.cores} cores, ${job.executor.memory} heap plus Spark's memory overhead)`, count: job.executor.instances, ...pod(job.executor.cores, job.executor.memory), at: [...at, 'executor'], pool: section.spark.nodePool },
  ]);
}));

/** Without `hdfs`, nothing serves hdfs:// (and the node CIDRs are only needed by HDFS). */
const hdfsIsThereWhenUsed = perSection((section, path) => {
  if (section.hdfs) {
    return section.network.nodeCidrs ? [] : [{ path: [...path, 'network', 'nodeCidrs'], message: 'HDFS runs on node addresses (hostNetwork), so its network policies need network.nodeCidrs (the AKS node subnet); add it' }];
  }
  return Object.entries(section.jobs ?? {}).filter(([, job]) => job.mainApplicationFile.startsWith('hdfs://')).map(([name]) => ({
    path: [...path, 'jobs', name, 'mainApplicationFile'],
    message: 'the application file is on HDFS, but the section has no hdfs block; put it in the image (local://) or on Azure Storage (abfss://), or add hdfs',
  }));
});

/** A namespace named in uiAccessFrom gets an egress rule, so it must be one this config manages. */
const uiCallersAreDeclared = perSection((section, path, cluster) => Object.entries(section.spark.namespaces).flatMap(([name, ns]) =>
  (ns.uiAccessFrom?.namespaces ?? []).flatMap((caller, index) => cluster.namespaces[caller] ? [] : [{
    path: [...path, 'spark', 'namespaces', name, 'uiAccessFrom', 'namespaces', index],
    message: `namespace '${caller}' is not under namespaces: its pods would be let in, but nothing lets them out (their egress rule is generated only for declared namespaces); declare it under namespaces`,
  }])));

/** Properties HdfsCluster sets itself (lib/data-processing/hdfs-config.ts); the names do not depend on the inputs. */
const MANAGED_SITE = (() => {
  const inputs = { defaultFs: '', nameNodeHost: '', replication: 1, dataDirectoryCount: 1, coreSite: {}, hdfsSite: {} };
  return { coreSite: Object.keys(managedCoreSite(inputs)), hdfsSite: Object.keys(managedHdfsSite(inputs)) };
})();

/** The checks HdfsCluster makes on its props, at config time. */
const hdfsFitsItsConstruct = perSection((section, path) => {
  const hdfs = section.hdfs;
  if (!hdfs) return [];
  const at = [...path, 'hdfs'];
  const violations: RuleViolation[] = [];
  if (parseQuantity(hdfs.nameNode.storageSize) < 2 ** 30) {
    violations.push({ path: [...at, 'nameNode', 'storageSize'], message: `${hdfs.nameNode.storageSize} is below 1Gi; namenode metadata and edit logs need room, use at least 1Gi` });
  }
  const dirs = hdfs.dataNodes.dataDirectories;
  dirs.forEach((dir, index) => {
    if (!/^\/[^\s]*[^/\s]$/.test(dir)) violations.push({ path: [...at, 'dataNodes', 'dataDirectories', index], message: `"${dir}" must be an absolute directory path other than /, without a trailing slash` });
    else if (dirs.indexOf(dir) !== index) violations.push({ path: [...at, 'dataNodes', 'dataDirectories', index], message: `"${dir}" is listed twice; each node directory holds its own blocks` });
  });
  for (const file of ['coreSite', 'hdfsSite'] as const) {
    for (const key of Object.keys(hdfs[file] ?? {})) {
      if (MANAGED_SITE[file].includes(key)) {
        violations.push({ path: [...at, file, key], message: `${key} is set by the platform (from replication, dataNodes, the namespace and clusterDomain); remove it and use the matching setting` });
      }
    }
  }
  return violations;
});

/** The checks SparkJob and SharedVolume make on their props, at config time. */
const jobsAndVolumesFitTheirConstructs = perSection((section, path) => {
  const violations: RuleViolation[] = [];
  for (const [name, job] of Object.entries(section.jobs ?? {})) {
    const at = [...path, 'jobs', name];
    for (const key of Object.keys(job.sparkConf ?? {})) {
      if (MANAGED_SPARK_CONF.includes(key)) violations.push({ path: [...at, 'sparkConf', key], message: `${key} is fixed by the platform so the namespace's NetworkPolicies match the driver's ports; remove it` });
    }
    const seen = new Map<string, string>();
    for (const [volume, mount] of Object.entries(job.volumes ?? {})) {
      const mountPath = mount.mountPath ?? section.sharedVolumes?.volumes[volume]?.mountPath;
      if (mountPath === undefined) continue;
      const other = seen.get(mountPath);
      if (other !== undefined) violations.push({ path: [...at, 'volumes', volume], message: `mounts at ${mountPath}, where volume '${other}' is mounted too; give one of them another mountPath` });
      seen.set(mountPath, volume);
    }
  }
  for (const [name, volume] of Object.entries(section.sharedVolumes?.volumes ?? {})) {
    const at = [...path, 'sharedVolumes', 'volumes', name];
    if (volume.mountPath === '/') violations.push({ path: [...at, 'mountPath'], message: 'a volume cannot be mounted over the root directory; use a path such as /mnt/lookup-tables' });
    if (parseQuantity(volume.size) <= 0) violations.push({ path: [...at, 'size'], message: `${volume.size} is not a positive size; use a value such as 100Gi` });
  }
  return violations;
});

/** Every rule of the data-processing section, in the order they run. */
/** `network.apiServerCidrs` was removed: the API server is reached by port (lib/core apiServerEgressRule). */
const apiServerCidrsRemoved = perSection((section, path) => section.network.apiServerCidrs === undefined ? [] : [{
  path: [...path, 'network', 'apiServerCidrs'],
  message: removedApiServerCidrsMessage('Spark drivers (and notebooks submitting Spark jobs)'),
}]);

export const DATA_PROCESSING_RULES: readonly ConfigRule[] = [
  apiServerCidrsRemoved,
  hdfsNamespaceIsPrivileged,
  sparkNamespacesAreNotPrivileged,
  nodePoolsFit,
  sparkIdentityExists,
  jobsReferToKnownThings,
  sharedVolumesFit,
  jobsFit,
  hdfsIsThereWhenUsed,
  uiCallersAreDeclared,
  hdfsFitsItsConstruct,
  jobsAndVolumesFitTheirConstructs,
];
