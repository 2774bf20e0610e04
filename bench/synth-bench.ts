/**
 * Synthesis benchmark (`make bench`): our `make synth` path against the default cdk8s path (`npx cdk8s synth`
 * with ts-node), on the example config and on a generated config about 100 times larger, plus the
 * `kubectl kustomize` time of the largest output folder. Then the large case (`bench/large-platform.ts`): one
 * environment whose serving cluster runs 1,000 models and 200 microservices and whose data-processing cluster
 * runs 200 Spark jobs, timed against its targets (synth <= 3 s and within 10x the example; every folder builds
 * with kubectl kustomize in <= 1 s), validated strictly (`validate`), and checked like the example by
 * `test/synth/large-platform.test.ts` at full size (split order, Flux chain, Gateway API limits).
 * Prints wall time, peak memory and ratios against the targets. Needs GNU time (/usr/bin/time) for peak
 * memory; without it memory is reported as n/a.
 *
 * Usage: node build/bench/synth-bench.js [--factor N] [--runs N] [--skip-cdk8s] [--skip-x100]
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as yaml from 'js-yaml';
import { loadEnvironment } from '../lib/config/load';
import { LARGE_PLATFORM, largePlatform } from './large-platform';
import { scaleConfig } from './scale-config';

interface Measurement { readonly seconds: number; readonly peakMiB?: number }

const argv = process.argv.slice(2);
const numberArg = (name: string, fallback: number) => {
  const i = argv.indexOf(name);
  return i >= 0 ? Number(argv[i + 1]) : fallback;
};
const FACTOR = numberArg('--factor', 100);
const RUNS = numberArg('--runs', 3);
const SKIP_CDK8S = argv.includes('--skip-cdk8s');
const SKIP_X100 = argv.includes('--skip-x100');
const WORK = path.resolve('.bench');
const GNU_TIME = fs.existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;

/** Runs a command, returning wall time and peak resident memory of the process tree's largest process. */
function measure(command: string, args: string[], env: NodeJS.ProcessEnv = {}): Measurement {
  const timeFile = path.join(WORK, 'time.txt');
  const started = process.hrtime.bigint();
  const result = GNU_TIME
    ? spawnSync(GNU_TIME, ['-f', '%M', '-o', timeFile, command, ...args], { env: { ...process.env, ...env }, encoding: 'utf8', maxBuffer: 1 << 28 })
    : spawnSync(command, args, { env: { ...process.env, ...env }, encoding: 'utf8', maxBuffer: 1 << 28 });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (${result.status}):\n${result.stderr}`);
  const peakMiB = GNU_TIME ? Number(fs.readFileSync(timeFile, 'utf8').trim().split('\n').pop()) / 1024 : undefined;
  return { seconds, peakMiB };
}

function median(values: Measurement[]): Measurement {
  const sorted = [...values].sort((a, b) => a.seconds - b.seconds);
  return sorted[Math.floor(sorted.length / 2)];
}

function repeat(runs: number, fn: () => Measurement): Measurement {
  return median(Array.from({ length: runs }, fn));
}

/** Writes one config file per environment into a fresh folder. */
function writeConfigs(dir: string, environments: ReadonlyMap<string, string>): string {
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  for (const [name, text] of environments) fs.writeFileSync(path.join(dir, `${name}.yaml`), text);
  return dir;
}

function countObjects(dir: string): { objects: number; largestFolder: string; largestCount: number } {
  let objects = 0;
  let largestFolder = '';
  let largestCount = 0;
  const walk = (folder: string) => {
    const entries = fs.readdirSync(folder, { withFileTypes: true });
    const manifests = entries.filter((e) => e.isFile() && e.name.endsWith('.yaml') && e.name !== 'kustomization.yaml').length;
    objects += manifests;
    if (manifests > largestCount) { largestCount = manifests; largestFolder = folder; }
    entries.filter((e) => e.isDirectory()).forEach((e) => walk(path.join(folder, e.name)));
  };
  walk(dir);
  return { objects, largestFolder, largestCount };
}

const fmt = (m?: Measurement) => (m ? `${m.seconds.toFixed(2).padStart(7)} s ${m.peakMiB === undefined ? '    n/a' : `${m.peakMiB.toFixed(0).padStart(5)} MiB`}` : '   skipped');

/**
 * Earlier outputs are moved here before a timed run and removed after the last one. Removing them right before a
 * run would charge synth for the removal: on this machine's disk (ext4 without a journal), every file created in
 * the same block group during the next 30 s first scans past the inodes just freed (fs/ext4/ialloc.c
 * `recently_deleted`; lib/synth/background-writer.ts), 1.5 s more for the large case. `afterDelete` measures that
 * case on purpose.
 */
const TRASH = path.join(WORK, 'trash');
let trashed = 0;

/** `make synth` into an output folder that does not exist yet (every file written), timed. */
function coldSynth(configDir: string, outDir: string, afterDelete = false): Measurement {
  if (afterDelete) fs.rmSync(outDir, { recursive: true, force: true });
  else if (fs.existsSync(outDir)) {
    fs.mkdirSync(TRASH, { recursive: true });
    fs.renameSync(outDir, path.join(TRASH, `${path.basename(outDir)}-${trashed++}`));
  }
  return measure('make', ['-s', 'synth', `CONFIG_DIR=${configDir}`, `OUT_DIR=${outDir}`]);
}

/** Every folder holding a kustomization.yaml below `dir`. */
function kustomizationFolders(dir: string): string[] {
  const found: string[] = [];
  const walk = (folder: string) => {
    const entries = fs.readdirSync(folder, { withFileTypes: true });
    if (entries.some((e) => e.isFile() && e.name === 'kustomization.yaml')) found.push(folder);
    entries.filter((e) => e.isDirectory()).forEach((e) => walk(path.join(folder, e.name)));
  };
  walk(dir);
  return found.sort();
}

const verdict = (ok: boolean, target: string) => `${ok ? 'PASS' : 'FAIL'} (${target})`;

function main(): void {
  const loadBefore = os.loadavg()[0];
  fs.mkdirSync(WORK, { recursive: true });
  fs.rmSync(TRASH, { recursive: true, force: true });
  const exampleText = fs.readFileSync('config/example.yaml', 'utf8');
  const exampleDir = writeConfigs(path.join(WORK, 'config-example'), new Map([['example', exampleText]]));
  const exampleConfig = loadEnvironment('config/example.yaml').config;
  const cases: [string, string, number][] = [['example', exampleDir, RUNS]];
  if (!SKIP_X100) {
    const scaled = scaleConfig(exampleConfig, { copies: FACTOR, extraNamespaces: 300 });
    cases.push([`x${FACTOR}`, writeConfigs(path.join(WORK, `config-x${FACTOR}`),
      new Map([...scaled].map(([name, config]) => [name, yaml.dump(config, { noRefs: true, lineWidth: -1 })]))), 1]);
  }
  const largeDir = writeConfigs(path.join(WORK, 'config-large'), new Map([['large', yaml.dump(largePlatform(exampleConfig), { noRefs: true, lineWidth: -1 })]]));

  const results: Record<string, { ours: Measurement; cdk8s?: Measurement; objects: number; largest: { folder: string; objects: number } }> = {};
  for (const [label, configDir, runs] of cases) {
    const outDir = path.join(WORK, `dist-${label}`);
    const ours = repeat(runs, () => coldSynth(configDir, outDir));
    const cdk8s = SKIP_CDK8S ? undefined : repeat(runs, () => measure('npx', ['cdk8s', 'synth', '--output', path.join(WORK, `cdk8s-${label}`)], {
      PLATFORM_CONFIG_DIR: configDir, CDK8S_CHECK_UPGRADE: 'false',
    }));
    const count = countObjects(outDir);
    results[label] = { ours, cdk8s, objects: count.objects, largest: { folder: path.relative(WORK, count.largestFolder), objects: count.largestCount } };
  }

  // The large case: synth time, every folder's kustomize build, strict validity, the whole-output checks.
  const largeOut = path.join(WORK, 'dist-large');
  const large = repeat(RUNS, () => coldSynth(largeDir, largeOut));
  const largeAgain = repeat(RUNS, () => measure('make', ['-s', 'synth', `CONFIG_DIR=${largeDir}`, `OUT_DIR=${largeOut}`]));
  // Last of the timed runs: each removes the previous output first, which slows the runs after it (see TRASH).
  const largeAfterDelete = repeat(RUNS, () => coldSynth(largeDir, largeOut, true));
  fs.rmSync(TRASH, { recursive: true, force: true });
  const largeCount = countObjects(largeOut);
  const builds = kustomizationFolders(largeOut).map((folder) => ({ folder: path.relative(WORK, folder), ...measure('kubectl', ['kustomize', folder]) }));
  const slowest = [...builds].sort((a, b) => b.seconds - a.seconds)[0];
  const validate = spawnSync('node', ['build/cli/validate.js', largeOut], { encoding: 'utf8', maxBuffer: 1 << 28 });
  const checks = spawnSync('npx', ['jest', '--ci', 'test/synth/large-platform.test.ts'], { encoding: 'utf8', env: { ...process.env, LARGE_PLATFORM_SIZE: 'full' }, maxBuffer: 1 << 28 });

  console.log(`\nSynthesis benchmark (${RUNS} runs on the example and the large case, median; 1 run on x${FACTOR}; each into a new output folder, earlier outputs moved aside and removed after the timed runs)\n`);
  console.log('config     objects   make synth              npx cdk8s synth         speed-up  target');
  for (const [label, r] of Object.entries(results)) {
    const ratio = r.cdk8s ? r.cdk8s.seconds / r.ours.seconds : undefined;
    const target = label === 'example' ? 6 : 2;
    console.log(`${label.padEnd(10)} ${String(r.objects).padStart(7)}   ${fmt(r.ours)}   ${fmt(r.cdk8s)}   ${ratio === undefined ? '     n/a' : `${ratio.toFixed(1).padStart(6)}x`}  ${ratio === undefined ? 'n/a' : verdict(ratio >= target, `>= ${target}x`)}`);
  }
  if (results[`x${FACTOR}`]) {
    const largest = results[`x${FACTOR}`].largest;
    const kustomize = measure('kubectl', ['kustomize', path.join(WORK, largest.folder)]);
    console.log(`\nkubectl kustomize of the largest x${FACTOR} folder (${largest.folder}, ${largest.objects} objects): ${fmt(kustomize)}  ${verdict(kustomize.seconds <= 2, '<= 2 s')}`);
  }
  const exampleSeconds = results.example.ours.seconds;
  const size = `${LARGE_PLATFORM.models} models, ${LARGE_PLATFORM.microservices} microservices, ${LARGE_PLATFORM.sparkJobs} Spark jobs`;
  console.log(`\nLarge case (${size}; ${largeCount.objects} objects, ${builds.length} folders):`);
  console.log(`  make synth:            ${fmt(large)}  ${verdict(large.seconds <= 3, '<= 3 s')}; ${(large.seconds / exampleSeconds).toFixed(1)}x the example  ${verdict(large.seconds <= 10 * exampleSeconds, '<= 10x')}`);
  console.log(`  make synth again:      ${fmt(largeAgain)}  (output already there and unchanged: files are linked, not rewritten)`);
  console.log(`  right after rm -rf:    ${fmt(largeAfterDelete)}  (new folder, the previous output deleted just before: ext4 without a journal scans the freed inodes on every create)`);
  console.log(`  kubectl kustomize:     slowest folder ${slowest.folder} (${countObjects(path.join(WORK, slowest.folder)).objects} objects) ${fmt(slowest)}  ${verdict(slowest.seconds <= 1, 'every folder <= 1 s')}`);
  console.log(`  strict validation:     ${(validate.stdout + validate.stderr).trim().split('\n').pop()}  ${verdict(validate.status === 0, '0 problems')}`);
  console.log(`  whole-output checks:   ${(checks.stdout + checks.stderr).split('\n').find((l) => l.startsWith('Tests:'))?.trim() ?? 'no result'}  ${verdict(checks.status === 0, 'test/synth/large-platform.test.ts at full size')}`);
  const loadAfter = os.loadavg()[0];
  console.log(`\nLoad average (1 min) before and after: ${loadBefore.toFixed(1)}, ${loadAfter.toFixed(1)} on ${os.cpus().length} cores${Math.max(loadBefore, loadAfter) > os.cpus().length ? ': the machine was busy, times are inflated; measure again when it is quiet' : ''}`);
  fs.writeFileSync(path.join(WORK, 'results.json'), `${JSON.stringify({
    factor: FACTOR, runs: RUNS, load: [loadBefore, loadAfter], results,
    large: { size: LARGE_PLATFORM, objects: largeCount.objects, synth: large, synthAgain: largeAgain, synthAfterDelete: largeAfterDelete, builds, validateStatus: validate.status, checksStatus: checks.status },
  }, null, 2)}\n`);
  if (validate.status !== 0) console.error(validate.stdout + validate.stderr);
  if (checks.status !== 0) console.error(checks.stdout + checks.stderr);
}

main();
