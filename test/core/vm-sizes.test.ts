import { allocatable, vmSize } from '../../lib/core/vm-sizes';

// Expected values: learn.microsoft.com VM size series pages (see lib/core/vm-sizes.ts).
describe('vmSize', () => {
  test.each([
    ['Standard_D4s_v5', 4, 16],
    ['Standard_D8s_v5', 8, 32],
    ['Standard_D96as_v5', 96, 384],
    ['Standard_D192s_v6', 192, 768],
    ['Standard_D4ls_v5', 4, 8],
    ['Standard_D16lds_v5', 16, 32],
    ['Standard_D96ls_v6', 96, 192],
    ['Standard_E4ds_v5', 4, 32],
    ['Standard_E8ds_v5', 8, 64],
    ['Standard_E48s_v3', 48, 384],
    ['Standard_E64s_v3', 64, 432],
    ['Standard_E64_v3', 64, 432],
    ['Standard_E64ds_v4', 64, 504],
    ['Standard_E64s_v5', 64, 512],
    ['Standard_E96ads_v5', 96, 672],
    ['Standard_E128s_v6', 128, 1024],
    ['Standard_F72s_v2', 72, 144],
    ['Standard_NC24ads_A100_v4', 24, 220],
    ['Standard_NC16as_T4_v3', 16, 110],
  ])('%s has %i vCPUs and %i GiB', (name, vcpus, memoryGiB) => {
    expect(vmSize(name)).toMatchObject({ vcpus, memoryGiB });
  });

  test.each(['Standard_E80is_v4', 'Standard_E96as_v4', 'Standard_E104is_v5', 'Standard_D64ps_v5', 'Standard_B2ms'])(
    '%s is not known (not guessed from its series)', (name) => {
      expect(vmSize(name)).toBeUndefined();
    });
});

describe('GPUs and allocatable', () => {
  test.each<[string, number]>([['Standard_NC24ads_A100_v4', 1], ['Standard_NC96ads_A100_v4', 4], ['Standard_NC24s_v3', 4], ['Standard_D8s_v5', 0]])('%s has %i GPU(s)', (name, gpus) => {
    expect(allocatable(vmSize(name)!).gpus).toBe(gpus);
  });

  test('allocatable is below the VM size by the AKS reservations (Standard_D8s_v5: 180m CPU; the larger memory reservation)', () => {
    const node = allocatable(vmSize('Standard_D8s_v5')!);
    expect(node.cpu).toBeCloseTo(7.82);
    // the larger of: before 1.29, 25 % of 4 GiB + 20 % of 4 + 10 % of 8 + 6 % of the other 16 = 3.56 GiB plus 750 MiB
    // eviction; from 1.29, 20 MiB x 250 pods + 50 MiB plus 100 MiB eviction = 5,150 MiB
    expect(node.memory).toBe(32 * 2 ** 30 - 5150 * 2 ** 20);
  });
});
