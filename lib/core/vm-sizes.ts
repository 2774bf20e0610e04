/**
 * vCPUs and memory of the Azure VM sizes node pools use, to tell at config time that a pod can never fit a node.
 * Values from the Azure VM size documentation (learn.microsoft.com/azure/virtual-machines/sizes: Dsv5, Ddsv5,
 * Esv5, Edsv5, Fsv2, NCads_A100_v4, NCasT4_v3, NVadsA10_v5 series). A node's allocatable is lower still (AKS
 * reserves CPU and memory for the kubelet and the OS), so these are upper bounds: a pod larger than this
 * never fits; a pod below it may still not. Sizes not listed are not checked.
 */
export interface VmSize {
  readonly vcpus: number;
  readonly memoryGiB: number;
}

/** GiB of memory per vCPU of the general-purpose series whose size name gives the vCPU count. */
const MEMORY_PER_VCPU: readonly { readonly series: RegExp; readonly gibPerVcpu: number }[] = [
  { series: /^Standard_D([0-9]+)(a|l)?d?s?_v[3-6]$/, gibPerVcpu: 4 },
  { series: /^Standard_E([0-9]+)a?d?s?_v[3-6]$/, gibPerVcpu: 8 },
  { series: /^Standard_F([0-9]+)s_v2$/, gibPerVcpu: 2 },
];

/** Sizes whose memory is not a multiple of their vCPUs. */
const LISTED: Readonly<Record<string, VmSize>> = {
  Standard_NC24ads_A100_v4: { vcpus: 24, memoryGiB: 220 },
  Standard_NC48ads_A100_v4: { vcpus: 48, memoryGiB: 440 },
  Standard_NC96ads_A100_v4: { vcpus: 96, memoryGiB: 880 },
  Standard_NC4as_T4_v3: { vcpus: 4, memoryGiB: 28 },
  Standard_NC8as_T4_v3: { vcpus: 8, memoryGiB: 56 },
  Standard_NC16as_T4_v3: { vcpus: 16, memoryGiB: 110 },
  Standard_NC64as_T4_v3: { vcpus: 64, memoryGiB: 440 },
  Standard_NV36ads_A10_v5: { vcpus: 36, memoryGiB: 440 },
};

/** The capacity of `vmSize`, or undefined when the size is not known here. */
export function vmSize(name: string): VmSize | undefined {
  if (LISTED[name]) return LISTED[name];
  for (const { series, gibPerVcpu } of MEMORY_PER_VCPU) {
    const match = series.exec(name);
    if (match) return { vcpus: Number(match[1]), memoryGiB: Number(match[1]) * gibPerVcpu };
  }
  return undefined;
}
