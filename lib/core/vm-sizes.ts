/**
 * vCPUs and memory of the Azure VM sizes node pools use, to tell at config time that a pod can never fit a node.
 * Values from the Azure VM size documentation (learn.microsoft.com/azure/virtual-machines/sizes, series pages
 * Dsv5, Ddsv5, Dasv5, Dlsv5, Dldsv5, Dsv6, Dlsv6, Ev3/Esv3, Ev4/Edsv4, Ev5/Esv5, Eadsv5, Esv6/Edsv6, Fsv2,
 * NCads_A100_v4, NCasT4_v3, NVadsA10_v5), cross-checked against the per-size table generated from the Azure
 * resource SKUs in microsoft/aspire src/Aspire.Hosting.Azure.Kubernetes/AksNodeVmSizes.cs (aspire.dev reference
 * pages `standard<series>`). A node's allocatable is lower still (AKS reserves CPU and memory for the kubelet and
 * the OS), so these are upper bounds: a pod larger than this never fits; a pod below it may still not. Sizes not
 * listed and not matched by a series rule below are not checked.
 */
export interface VmSize {
  readonly vcpus: number;
  readonly memoryGiB: number;
  /** NVIDIA GPUs per node. @default 0 */
  readonly gpus?: number;
}

/**
 * GiB of memory per vCPU of the series whose size name gives the vCPU count, up to `maxVcpus` (larger sizes of the
 * same series are irregular: they are in LISTED or not checked).
 * - D (v3-v6, with a/d/s): 4 GiB per vCPU (e.g. D4s_v5 4/16, D96as_v5 96/384, D192s_v6 192/768).
 * - Dl (Dlsv5, Dldsv5, Dlsv6, Dldsv6): 2 GiB per vCPU (e.g. D4ls_v5 4/8, D96lds_v6 96/192).
 * - E (v3-v6, with a/d/s) up to 48 vCPUs: 8 GiB per vCPU (E48s_v3, E48ds_v4, E48ads_v5 all 384). The 64-vCPU and
 *   larger sizes are not 8 x vCPU (E64s_v3 432, E64ds_v4 504), hence the limit.
 * - F (Fsv2): 2 GiB per vCPU (F72s_v2 72/144).
 */
const MEMORY_PER_VCPU: readonly { readonly series: RegExp; readonly gibPerVcpu: number; readonly maxVcpus: number }[] = [
  { series: /^Standard_D([0-9]+)a?d?s?_v[3-6]$/, gibPerVcpu: 4, maxVcpus: 192 },
  { series: /^Standard_D([0-9]+)ld?s_v[56]$/, gibPerVcpu: 2, maxVcpus: 128 },
  { series: /^Standard_E([0-9]+)a?d?s?_v[3-6]$/, gibPerVcpu: 8, maxVcpus: 48 },
  { series: /^Standard_F([0-9]+)s_v2$/, gibPerVcpu: 2, maxVcpus: 72 },
];

/** Sizes whose memory is not their vCPUs times their series' ratio. */
const LISTED: Readonly<Record<string, VmSize>> = {
  // Ev3/Esv3: the 64-vCPU sizes have 432 GiB.
  Standard_E64_v3: { vcpus: 64, memoryGiB: 432 },
  Standard_E64s_v3: { vcpus: 64, memoryGiB: 432 },
  // Ev4, Edv4, Esv4, Edsv4: the 64-vCPU sizes have 504 GiB.
  Standard_E64_v4: { vcpus: 64, memoryGiB: 504 },
  Standard_E64d_v4: { vcpus: 64, memoryGiB: 504 },
  Standard_E64s_v4: { vcpus: 64, memoryGiB: 504 },
  Standard_E64ds_v4: { vcpus: 64, memoryGiB: 504 },
  // Ev5, Esv5, Edv5, Edsv5, Easv5, Eadsv5: 64 vCPUs have 512 GiB, 96 vCPUs have 672 GiB.
  Standard_E64_v5: { vcpus: 64, memoryGiB: 512 },
  Standard_E64s_v5: { vcpus: 64, memoryGiB: 512 },
  Standard_E64ds_v5: { vcpus: 64, memoryGiB: 512 },
  Standard_E64as_v5: { vcpus: 64, memoryGiB: 512 },
  Standard_E64ads_v5: { vcpus: 64, memoryGiB: 512 },
  Standard_E96_v5: { vcpus: 96, memoryGiB: 672 },
  Standard_E96s_v5: { vcpus: 96, memoryGiB: 672 },
  Standard_E96ds_v5: { vcpus: 96, memoryGiB: 672 },
  Standard_E96as_v5: { vcpus: 96, memoryGiB: 672 },
  Standard_E96ads_v5: { vcpus: 96, memoryGiB: 672 },
  // Esv6/Edsv6: 128 vCPUs have 1024 GiB.
  Standard_E128s_v6: { vcpus: 128, memoryGiB: 1024 },
  Standard_E128ds_v6: { vcpus: 128, memoryGiB: 1024 },
  // GPU sizes (NCads_A100_v4, NCv3, NCasT4_v3, NVadsA10_v5 series pages).
  Standard_NC24ads_A100_v4: { vcpus: 24, memoryGiB: 220, gpus: 1 },
  Standard_NC48ads_A100_v4: { vcpus: 48, memoryGiB: 440, gpus: 2 },
  Standard_NC96ads_A100_v4: { vcpus: 96, memoryGiB: 880, gpus: 4 },
  Standard_NC6s_v3: { vcpus: 6, memoryGiB: 112, gpus: 1 },
  Standard_NC12s_v3: { vcpus: 12, memoryGiB: 224, gpus: 2 },
  Standard_NC24s_v3: { vcpus: 24, memoryGiB: 448, gpus: 4 },
  Standard_NC4as_T4_v3: { vcpus: 4, memoryGiB: 28, gpus: 1 },
  Standard_NC8as_T4_v3: { vcpus: 8, memoryGiB: 56, gpus: 1 },
  Standard_NC16as_T4_v3: { vcpus: 16, memoryGiB: 110, gpus: 1 },
  Standard_NC64as_T4_v3: { vcpus: 64, memoryGiB: 440, gpus: 4 },
  Standard_NV36ads_A10_v5: { vcpus: 36, memoryGiB: 440, gpus: 1 },
};

/** The capacity of `vmSize`, or undefined when the size is not known here. */
export function vmSize(name: string): VmSize | undefined {
  if (LISTED[name]) return LISTED[name];
  for (const { series, gibPerVcpu, maxVcpus } of MEMORY_PER_VCPU) {
    const match = series.exec(name);
    if (!match) continue;
    const vcpus = Number(match[1]);
    return vcpus <= maxVcpus ? { vcpus, memoryGiB: vcpus * gibPerVcpu } : undefined;
  }
  return undefined;
}

/** CPU AKS reserves for the kubelet, by vCPU count (millicores). */
const CPU_RESERVED_M: readonly [number, number][] = [[1, 60], [2, 100], [4, 140], [8, 180], [16, 260], [32, 420], [64, 740]];

/**
 * Allocatable CPU (cores), memory (bytes) and GPUs of one node. Memory: the larger of the two AKS
 * reservations (before 1.29: 25 % of the first 4 GiB, 20 % of the next 4, 10 % of the next 8, 6 % of the next
 * 112, 2 % above, plus a 750 MiB eviction threshold; from 1.29: 20 MiB per pod at 250 pods plus 50 MiB, plus
 * 100 MiB), so a pod that fits here fits on either.
 */
export function allocatable(size: VmSize): { cpu: number; memory: number; gpus: number } {
  const cpuReserved = (CPU_RESERVED_M.find(([cores]) => size.vcpus <= cores) ?? [0, 740 + 20 * (size.vcpus - 64)])[1];
  const gib = size.memoryGiB;
  const bands: [number, number][] = [[4, 0.25], [4, 0.2], [8, 0.1], [112, 0.06], [Infinity, 0.02]];
  let left = gib;
  let regressive = 0;
  for (const [band, rate] of bands) {
    const used = Math.min(left, band);
    regressive += used * rate;
    left -= used;
    if (left <= 0) break;
  }
  const oldReserved = regressive * 2 ** 30 + 750 * 2 ** 20;
  const newReserved = (20 * 250 + 50 + 100) * 2 ** 20;
  return { cpu: size.vcpus - cpuReserved / 1000, memory: gib * 2 ** 30 - Math.max(oldReserved, newReserved), gpus: size.gpus ?? 0 };
}
