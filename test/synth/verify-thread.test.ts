/**
 * The verifier thread (lib/synth/verify-thread.ts): the bundled synth serves verification on a thread of its own,
 * and its verdicts are exactly those of the verifier in the caller's thread, in submission order; a thread that
 * never serves falls back to verifying in the caller's thread.
 */
import * as fs from 'fs';
import * as path from 'path';
import { PLATFORM_COMPOSITIONS } from '../../charts';
import { ManifestJson } from '../../lib/synth/cluster-context';
import { renderEnvironments } from '../../lib/synth/synthesize';
import { IN_THREAD_VERIFIER, VerifierThread } from '../../lib/synth/verify-thread';
import { VerifiedCluster } from '../../lib/verify';
import { useBundledCli } from '../bundle';
import { exampleEnvironment } from '../util';

const cli = useBundledCli('verify-thread-');

/** The example's clusters, plus a copy of each with faults (every NetworkPolicy and ServiceAccount dropped). */
function clusters(): VerifiedCluster[] {
  const rendered = renderEnvironments([exampleEnvironment()], PLATFORM_COMPOSITIONS, undefined, true).verified;
  const broken = rendered.map((c) => ({
    facts: c.facts,
    folders: c.folders.map((f) => ({ folder: f.folder, manifests: f.manifests.filter((m: ManifestJson) => m.kind !== 'NetworkPolicy' && m.kind !== 'ServiceAccount') })),
  }));
  return [...rendered, ...broken];
}

const verdicts = (verifier: { submit: typeof IN_THREAD_VERIFIER.submit }, of: VerifiedCluster[]) => {
  const pending = of.map((c) => verifier.submit(c));
  return pending.map((get) => JSON.stringify(get().result));
};

test('the bundled synth verifies on its thread exactly as in the caller\'s thread, in order', () => {
  const all = clusters();
  const expected = verdicts(IN_THREAD_VERIFIER, all);
  expect(expected.filter((v) => JSON.parse(v).faults.length > 0).length).toBeGreaterThanOrEqual(3);
  const thread = new VerifierThread(cli.bundle);
  try {
    expect(verdicts(thread, all)).toEqual(expected);
  } finally {
    thread.close();
  }
});

test('a thread that never serves: the clusters are verified in the caller\'s thread, same verdicts', () => {
  const idle = path.join(cli.work, 'idle.js');
  fs.writeFileSync(idle, 'setTimeout(() => {}, 60000);\n');
  const all = clusters().slice(0, 2);
  const thread = new VerifierThread(idle, { startMs: 300 });
  const started = Date.now();
  try {
    expect(verdicts(thread, all)).toEqual(verdicts(IN_THREAD_VERIFIER, all));
  } finally {
    thread.close();
  }
  expect(Date.now() - started).toBeLessThan(20_000);
});
