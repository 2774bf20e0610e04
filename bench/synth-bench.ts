/**
 * Synthesis benchmark (`make bench`): our `make synth` path against the default cdk8s path (`npx cdk8s synth`
 * with ts-node), on the example config and on a generated config about 100 times larger, plus the
 * `kubectl kustomize` time of the largest output folder. Prints wall time, peak memory and ratios against the
 * targets. Needs GNU time (/usr/bin/time) for peak memory; without it memory is reported as n/a.
 *
 * Usage: node build/bench/synth-bench.js [--factor N] [--runs N] [--skip-cdk8s]
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import * as yaml from 'js-yaml';
import { loadEnvironment } from '../lib/config/load';
import { scaleConfig } from './scale-config';

interface Measurement { readonly seconds: number; readonly peakMiB?: number; readonly stdout?: string }

const argv = process.argv.slice(2);
const numberArg = (name: string, fallback: number) => {
  const i = argv.indexOf(name);
  return i >= 0 ? Number(argv[i + 1]) : fallback;
};
const FACTOR = numberArg('--factor', 100);
const RUNS = numberArg('--runs', 3);
const SKIP_CDK8S = argv.includes('--skip-cdk8s');
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
  return { seconds, peakMiB, stdout: result.stdout };
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

function main(): void {
  fs.mkdirSync(WORK, { recursive: true });
  const exampleText = fs.readFileSync('config/example.yaml', 'utf8');
  const exampleDir = writeConfigs(path.join(WORK, 'config-example'), new Map([['example', exampleText]]));
  const large = scaleConfig(loadEnvironment('config/example.yaml').config, { copies: FACTOR, extraNamespaces: 300 });
  const largeDir = writeConfigs(path.join(WORK, `config-x${FACTOR}`),
    new Map([...large].map(([name, config]) => [name, yaml.dump(config, { noRefs: true, lineWidth: -1 })])));

  const results: Record<string, { ours: Measurement; cdk8s?: Measurement; objects: number; largest: { folder: string; objects: number } }> = {};
  for (const [label, configDir, runs] of [['example', exampleDir, RUNS], [`x${FACTOR}`, largeDir, 1]] as const) {
    const outDir = path.join(WORK, `dist-${label}`);
    const ours = repeat(runs, () => measure('make', ['-s', 'synth', `CONFIG_DIR=${configDir}`, `OUT_DIR=${outDir}`]));
    const cdk8s = SKIP_CDK8S ? undefined : repeat(runs, () => measure('npx', ['cdk8s', 'synth', '--output', path.join(WORK, `cdk8s-${label}`)], {
      PLATFORM_CONFIG_DIR: configDir, CDK8S_CHECK_UPGRADE: 'false',
    }));
    const count = countObjects(outDir);
    results[label] = { ours, cdk8s, objects: count.objects, largest: { folder: path.relative(WORK, count.largestFolder), objects: count.largestCount } };
  }

  const verifierMs = (m: Measurement) => Number(/\(verifier ([0-9]+) ms/.exec(m.stdout ?? '')?.[1] ?? NaN);
  const largest = results[`x${FACTOR}`].largest;
  const kustomize = measure('kubectl', ['kustomize', path.join(WORK, largest.folder)]);

  console.log(`\nSynthesis benchmark (${RUNS} runs on the example, median; 1 run on the large config)\n`);
  console.log('config     objects   make synth              npx cdk8s synth         speed-up  target');
  for (const [label, r] of Object.entries(results)) {
    const ratio = r.cdk8s ? r.cdk8s.seconds / r.ours.seconds : undefined;
    const target = label === 'example' ? 6 : 2;
    const verdict = ratio === undefined ? 'n/a' : `${ratio >= target ? 'PASS' : 'FAIL'} (>= ${target}x)`;
    console.log(`${label.padEnd(10)} ${String(r.objects).padStart(7)}   ${fmt(r.ours)}   ${fmt(r.cdk8s)}   ${ratio === undefined ? '     n/a' : `${ratio.toFixed(1).padStart(6)}x`}  ${verdict}`);
  }
  const small = verifierMs(results.example.ours);
  const big = verifierMs(results[`x${FACTOR}`].ours);
  console.log(`\nverifier inside make synth: example ${small} ms (${small <= 300 ? 'PASS' : 'FAIL'} <= 300 ms), x${FACTOR} ${big} ms for ${results[`x${FACTOR}`].objects} objects`
    + ` (${(big / results[`x${FACTOR}`].objects).toFixed(3)} ms/object vs ${(small / results.example.objects).toFixed(3)} ms/object on the example)`);
  console.log(`\nkubectl kustomize of the largest folder (${largest.folder}, ${largest.objects} objects): ${fmt(kustomize)}  ${kustomize.seconds <= 2 ? 'PASS' : 'FAIL'} (<= 2 s)`);
  fs.writeFileSync(path.join(WORK, 'results.json'), `${JSON.stringify({ factor: FACTOR, runs: RUNS, results, verifierMs: { example: small, large: big }, kustomize: { ...largest, ...kustomize } }, null, 2)}\n`);
}

main();
