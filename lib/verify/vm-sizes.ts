/**
 * The Azure VM sizes node pools may use, with what a node offers pods: vCPUs, memory and GPUs from the Azure
 * size tables (learn.microsoft.com/azure/virtual-machines/sizes: Dsv5, Edsv5, NCads A100 v4, NCv3, NCasT4_v3),
 * minus what AKS reserves (learn.microsoft.com/azure/aks/node-resource-reservations). A size missing here is a
 * scheduling fault: add its row rather than guess.
 */

/** One VM size. */
export interface VmSize {
  readonly vcpus: number;
  /** Memory in GiB. */
  readonly memoryGiB: number;
  readonly gpus: number;
}

export const VM_SIZES: Readonly<Record<string, VmSize>> = {
  Standard_D2s_v5: { vcpus: 2, memoryGiB: 8, gpus: 0 },
  Standard_D4s_v5: { vcpus: 4, memoryGiB: 16, gpus: 0 },
  Standard_D8s_v5: { vcpus: 8, memoryGiB: 32, gpus: 0 },
  Standard_D16s_v5: { vcpus: 16, memoryGiB: 64, gpus: 0 },
  Standard_D32s_v5: { vcpus: 32, memoryGiB: 128, gpus: 0 },
  Standard_D4ds_v5: { vcpus: 4, memoryGiB: 16, gpus: 0 },
  Standard_D8ds_v5: { vcpus: 8, memoryGiB: 32, gpus: 0 },
  Standard_D16ds_v5: { vcpus: 16, memoryGiB: 64, gpus: 0 },
  Standard_E4ds_v5: { vcpus: 4, memoryGiB: 32, gpus: 0 },
  Standard_E8ds_v5: { vcpus: 8, memoryGiB: 64, gpus: 0 },
  Standard_E16ds_v5: { vcpus: 16, memoryGiB: 128, gpus: 0 },
  Standard_E32ds_v5: { vcpus: 32, memoryGiB: 256, gpus: 0 },
  Standard_E64ds_v5: { vcpus: 64, memoryGiB: 512, gpus: 0 },
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
};

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
  return { cpu: size.vcpus - cpuReserved / 1000, memory: gib * 2 ** 30 - Math.max(oldReserved, newReserved), gpus: size.gpus };
}
