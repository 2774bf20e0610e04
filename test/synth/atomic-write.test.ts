/**
 * Issue 14, item 2: atomic replacement that tells the truth. Real permission scenarios where this machine allows
 * them, an injected fs failure where no real one can be made:
 * - a non-root user whose output has a read-only folder: real (as root the synth child runs as uid 65534, the
 *   permission bits then apply; as a non-root user it runs as that user);
 * - an immutable file in the output: real with `chattr +i` when the file system and capabilities allow it,
 *   otherwise the test says it is skipped;
 * - a read-only file system: a real read-only bind mount when `mount` is permitted (root with CAP_SYS_ADMIN),
 *   otherwise skipped;
 * - a failure after the swap (the previous tree cannot be removed) and of the second rename: injected
 *   (`jest.spyOn(fs, ...)`), because the pre-swap check makes them unreachable with real permissions.
 * Kills: a child synth SIGKILLed at random points, then the next run must sweep every leftover.
 */
import { ChildProcess, spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { buildSync } from 'esbuild';
import { PLATFORM_COMPOSITIONS } from '../../charts';
import { ConfigError } from '../../lib/config/issues';
import { openOutput, OutputWriteError, readTree, TreeFileOps, writeTree, writeTreeAtomically } from '../../lib/synth/atomic-write';
import { acquireOutputLock, isProcessAlive } from '../../lib/synth/output-lock';
import { diffTrees, synthesize } from '../../lib/synth/synthesize';
import { EXAMPLE_CONFIG, REPO_ROOT } from '../util';

const exampleText = fs.readFileSync(EXAMPLE_CONFIG, 'utf8');
const IS_ROOT = process.getuid?.() === 0;
const NOBODY = 65534;
let work: string;
let bundle: string;

beforeAll(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'atomic-write-'));
  fs.chmodSync(work, 0o755); // the uid-65534 child must reach the bundle and its own folders
  bundle = path.join(work, 'main.js');
  buildSync({ entryPoints: [path.join(REPO_ROOT, 'main.ts')], bundle: true, platform: 'node', target: 'node20', outfile: bundle, logLevel: 'error' });
});
afterAll(() => {
  spawnSync('chattr', ['-R', '-i', work]);
  fs.rmSync(work, { recursive: true, force: true });
});

let counter = 0;
/** A fresh folder under the work folder, readable by everyone (and owned by uid 65534 when `forNobody`). */
function folder(name: string, forNobody = false): string {
  const dir = path.join(work, `${name}-${counter++}`);
  fs.mkdirSync(dir, { mode: 0o755 });
  fs.chmodSync(dir, 0o755);
  if (forNobody && IS_ROOT) fs.chownSync(dir, NOBODY, NOBODY);
  return dir;
}

function configDir(text = exampleText): string {
  const dir = folder('config');
  fs.writeFileSync(path.join(dir, 'example.yaml'), text, { mode: 0o644 });
  return dir;
}

/** A second config that gives a different tree (one more namespace). */
const changedText = exampleText.replace('      airflow: {}', '      airflow: {}\n      scratch: {}');

function runSynth(config: string, out: string, asNobody = false) {
  return spawnSync('node', [bundle, '--config', config, '--out', out], {
    encoding: 'utf8', timeout: 60_000, ...(asNobody && IS_ROOT ? { uid: NOBODY, gid: NOBODY } : {}),
  });
}

/** Names beside the output folder that a run leaves behind (staging, previous, lock). */
function leftovers(parent: string): string[] {
  return fs.readdirSync(parent).filter((name) => name.startsWith('.'));
}

/** A pid that is certainly not alive: a child that has exited. */
function deadPid(): number {
  const child = spawnSync('node', ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  const pid = Number(child.stdout);
  expect(isProcessAlive(pid)).toBe(false);
  return pid;
}

/** Whether `chattr +i` works here (decided at collection time, before the work folder exists). */
function canChattr(): boolean {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chattr-probe-'));
  const probe = path.join(dir, 'probe');
  fs.writeFileSync(probe, '');
  const set = spawnSync('chattr', ['+i', probe]);
  spawnSync('chattr', ['-i', probe]);
  fs.rmSync(dir, { recursive: true, force: true });
  return set.status === 0;
}

describe('a previous output that cannot be replaced: nothing is swapped, and the message says so', () => {
  test(`a non-root user whose output holds a read-only folder (real permissions, ${IS_ROOT ? 'child runs as uid 65534' : 'as this user'})`, () => {
    // GIVEN an output written by the user, one of whose folders the user made read-only
    const parent = folder('out', true);
    const out = path.join(parent, 'dist');
    const first = runSynth(configDir(), out, true);
    expect([first.status, first.stderr]).toEqual([0, '']);
    const before = readTree(out);
    fs.chmodSync(path.join(out, 'example', 'training'), 0o555);
    try {
      // WHEN the user synthesizes a changed config
      const result = runSynth(configDir(changedText), out, true);
      // THEN the run fails before the swap, says nothing was written, and that is true
      expect(result.status).toBe(1);
      expect(result.stderr).toContain(`cannot replace the output: ${path.join(out, 'example', 'training')}: permission denied; nothing was swapped`);
      expect(result.stderr).toContain('Nothing was written: ');
      expect(diffTrees(before, readTree(out))).toEqual([]);
      expect(leftovers(parent)).toEqual([]);
    } finally {
      fs.chmodSync(path.join(out, 'example', 'training'), 0o755);
    }
  });

  const chattr = canChattr();
  (chattr ? test : test.skip)(`an immutable file in the output, as root (real: chattr +i${chattr ? '' : ' is not available here, skipped'})`, () => {
    const parent = folder('out');
    const out = path.join(parent, 'dist');
    expect(runSynth(configDir(), out).status).toBe(0);
    const before = readTree(out);
    const pinned = path.join(out, 'README.md');
    expect(spawnSync('chattr', ['+i', pinned]).status).toBe(0);
    try {
      const result = runSynth(configDir(changedText), out);
      expect(result.status).toBe(1);
      expect(result.stderr).toContain(`cannot replace the output: ${pinned}: operation not permitted`);
      expect(result.stderr).toContain('Nothing was written');
      expect(diffTrees(before, readTree(out))).toEqual([]);
      expect(leftovers(parent)).toEqual([]);
    } finally {
      spawnSync('chattr', ['-i', pinned]);
    }
  });

  test('a read-only file system (real read-only bind mount where mount is permitted)', () => {
    const parent = folder('out');
    const out = path.join(parent, 'dist');
    expect(runSynth(configDir(), out).status).toBe(0);
    const before = readTree(out);
    const mounted = spawnSync('mount', ['--bind', '-o', 'ro', parent, parent], { encoding: 'utf8' });
    if (mounted.status !== 0) {
      console.warn(`read-only bind mount not permitted here (${mounted.stderr.trim()}); the read-only case is covered by the permission test only`);
      return;
    }
    try {
      const result = runSynth(configDir(changedText), out);
      expect(result.status).toBe(1);
      expect(result.stderr).toContain(`cannot write ${parent}, the folder that holds the output: is on a read-only file system`);
      expect(result.stderr).toContain('Nothing was written');
      expect(result.stderr).not.toMatch(/ENOENT|\n\s+at /);
      expect(diffTrees(before, readTree(out))).toEqual([]);
    } finally {
      spawnSync('umount', [parent]);
    }
    expect(leftovers(parent)).toEqual([]);
  });
});

const REAL_OPS: TreeFileOps = {
  writeFileSync: (file, data) => fs.writeFileSync(file, data),
  mkdirSync: (dir, options) => fs.mkdirSync(dir, options),
  renameSync: (from, to) => fs.renameSync(from, to),
  rmSync: (target, options) => fs.rmSync(target, options),
};

describe('failures the pre-swap check cannot foresee (injected fs failures)', () => {
  const tree = (text: string) => new Map([['README.md', text], ['a/b.yaml', `kind: ${text}\n`]]);

  test('the previous output cannot be removed after the swap: the error says the new output is in place', () => {
    const parent = folder('out');
    const out = path.join(parent, 'dist');
    writeTreeAtomically(out, tree('old'));
    const fileOps: TreeFileOps = {
      ...REAL_OPS,
      rmSync: (target, options) => {
        if (target.includes('.dist-previous-')) throw Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' });
        fs.rmSync(target, options);
      },
    };
    let error: unknown;
    try {
      writeTreeAtomically(out, tree('new'), { fileOps });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(OutputWriteError);
    expect((error as OutputWriteError).replaced).toBe(true);
    expect((error as Error).message).toMatch(/now holds the new output, but the previous output could not be removed from .*\.dist-previous-\d+: permission denied/);
    expect(readTree(out).get('README.md')).toBe('new');
    // AND the next run removes that leftover (its pid is ours, and we are not writing it any more)
    writeTreeAtomically(out, tree('newer'));
    expect(leftovers(parent)).toEqual([]);
  });

  test('the new tree cannot be moved in: the previous output is put back, nothing is left aside', () => {
    const parent = folder('out');
    const out = path.join(parent, 'dist');
    writeTreeAtomically(out, tree('old'));
    const fileOps: TreeFileOps = {
      ...REAL_OPS,
      renameSync: (from, to) => {
        if (from.includes('.dist-staging-')) throw Object.assign(new Error('ENOSPC'), { code: 'ENOSPC' });
        fs.renameSync(from, to);
      },
    };
    expect(() => writeTreeAtomically(out, tree('new'), { fileOps })).toThrow(/cannot move the new output into .*: no space left on the device/);
    expect(readTree(out).get('README.md')).toBe('old');
    expect(leftovers(parent)).toEqual([]);
  });

  test('a full disk while writing the new tree: the staging folder is removed, the output unchanged', () => {
    const parent = folder('out');
    const out = path.join(parent, 'dist');
    writeTreeAtomically(out, tree('old'));
    const fileOps: TreeFileOps = {
      ...REAL_OPS,
      writeFileSync: (file, data) => {
        if (file.endsWith('b.yaml')) throw Object.assign(new Error('ENOSPC'), { code: 'ENOSPC' });
        fs.writeFileSync(file, data);
      },
    };
    let error: unknown;
    try {
      writeTreeAtomically(out, tree('new'), { fileOps });
    } catch (caught) {
      error = caught;
    }
    expect((error as OutputWriteError).replaced).toBe(false);
    expect((error as Error).message).toMatch(/cannot write the new output next to .*: .*b\.yaml: no space left on the device/);
    expect(readTree(out).get('README.md')).toBe('old');
    expect(leftovers(parent)).toEqual([]);
  });
});

describe('failures of the writer thread (real file system)', () => {
  test('a file that cannot be created: the first failure is reported with its path, the output is unchanged, nothing is left aside', () => {
    const parent = folder('out');
    const out = path.join(parent, 'dist');
    writeTreeAtomically(out, new Map([['README.md', 'old']]));
    // `a` is both a file and a folder: whichever writer thread comes second gets a real error from the kernel
    let error: unknown;
    try {
      writeTreeAtomically(out, new Map([['README.md', 'new'], ['a', 'file'], ['a/b.yaml', 'kind: B\n']]));
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(OutputWriteError);
    expect((error as OutputWriteError).replaced).toBe(false);
    expect((error as Error).message).toMatch(/cannot write the new output next to .*dist: .*\/a(\/b\.yaml)?: (a part of the path is not a folder|already exists, and is not a folder where one is needed|is a folder, not a file)$/);
    expect(readTree(out)).toEqual(new Map([['README.md', 'old']]));
    expect(leftovers(parent)).toEqual([]);
  });

  test('files added in batches are all written, unchanged ones linked from the previous output', () => {
    const parent = folder('out');
    const out = path.join(parent, 'dist');
    writeTreeAtomically(out, new Map([['README.md', 'same'], ['x/old.yaml', 'old']]));
    const inode = fs.statSync(path.join(out, 'README.md')).ino;
    const update = openOutput(out);
    update.add([['README.md', 'same']]);
    update.add(Array.from({ length: 300 }, (_, i) => [`f${i % 7}/o${i}.yaml`, `n: ${i}\n`] as const));
    update.commit();
    const tree = readTree(out);
    expect(tree.size).toBe(301);
    expect(tree.get('f3/o10.yaml')).toBe('n: 10\n');
    expect(tree.has('x/old.yaml')).toBe(false);
    expect(fs.statSync(path.join(out, 'README.md')).ino).toBe(inode);
    expect(leftovers(parent)).toEqual([]);
  });

  test('abort drops what was written aside and frees the lock', () => {
    const parent = folder('out');
    const out = path.join(parent, 'dist');
    const update = openOutput(out);
    update.add([['README.md', 'never']]);
    update.abort();
    expect(fs.existsSync(out)).toBe(false);
    expect(leftovers(parent)).toEqual([]);
    writeTreeAtomically(out, new Map([['README.md', 'new']]), { lockWaitMs: 300 });
    expect(readTree(out).get('README.md')).toBe('new');
  });
});

describe('leftovers of killed runs', () => {
  test('staging and previous folders of dead runs are removed; those of a live run are kept', () => {
    const parent = folder('out');
    const out = path.join(parent, 'dist');
    writeTree(out, new Map([['README.md', 'old']]));
    const dead = deadPid();
    const live = process.ppid; // our parent process: alive, and not us
    for (const name of [`.dist-staging-${dead}`, `.dist-previous-${dead}`, `.dist.lock.${dead}`, `.dist-staging-${live}`]) writeTree(path.join(parent, name), new Map([['x', 'y']]));
    const swept: string[] = [];
    writeTreeAtomically(out, new Map([['README.md', 'new']]), { onSweep: (what) => swept.push(what) });
    expect(leftovers(parent)).toEqual([`.dist-staging-${live}`]);
    expect(swept).toHaveLength(3);
    expect(readTree(out).get('README.md')).toBe('new');
  });

  test('a run killed between its two renames: its previous output is put back before anything else', () => {
    const parent = folder('out');
    const out = path.join(parent, 'dist');
    const dead = deadPid();
    writeTree(path.join(parent, `.dist-previous-${dead}`), new Map([['README.md', 'previous']]));
    writeTree(path.join(parent, `.dist-staging-${dead}`), new Map([['README.md', 'half']]));
    const swept: string[] = [];
    // a check-mode reader would see no output here; the next writer restores, then replaces
    writeTreeAtomically(out, new Map([['README.md', 'new']]), { onSweep: (what) => swept.push(what) });
    expect(swept[0]).toMatch(/^restored .*dist from \.dist-previous-\d+/);
    expect(readTree(out).get('README.md')).toBe('new');
    expect(leftovers(parent)).toEqual([]);
  });

  test('a live run holds the lock: the next run waits, then fails naming it, and removes nothing of it', () => {
    const parent = folder('out');
    const out = path.join(parent, 'dist');
    const holder = spawn('node', ['-e', 'setTimeout(() => {}, 30000)']);
    try {
      fs.writeFileSync(path.join(parent, '.dist.lock'), `${holder.pid}\n`);
      writeTree(path.join(parent, `.dist-staging-${holder.pid}`), new Map([['x', 'being written']]));
      expect(() => writeTreeAtomically(out, new Map([['README.md', 'new']]), { lockWaitMs: 300 }))
        .toThrow(new RegExp(`another run \\(pid ${holder.pid}\\) is writing .*dist`));
      expect(leftovers(parent).sort()).toEqual(['.dist-staging-' + holder.pid, '.dist.lock'].sort());
      expect(fs.existsSync(out)).toBe(false);
    } finally {
      holder.kill('SIGKILL');
    }
  });

  test('the lock of a dead run is taken over', () => {
    const parent = folder('out');
    fs.writeFileSync(path.join(parent, '.dist.lock'), `${deadPid()}\n`);
    const lock = acquireOutputLock(parent, 'dist', 1000);
    expect(fs.readFileSync(path.join(parent, '.dist.lock'), 'utf8')).toBe(`${process.pid}\n`);
    lock.release();
    expect(leftovers(parent)).toEqual([]);
  });

  test('a child synth SIGKILLed at random points: the output is always the old or the new tree, and the next run leaves nothing behind', async () => {
    const parent = folder('out');
    const out = path.join(parent, 'dist');
    // 400 more namespaces: about 2,200 files, so that writing the tree takes long enough to be killed in
    const extra = Array.from({ length: 400 }, (_, i) => `      team-${i}: {}\n`).join('');
    // (and the folders its platform layer needs then: 2,000 objects, clusters.<name>.layerFolders)
    const bigger = (text: string) => text.replace('      airflow: {}', `${extra}      airflow: {}`).replace('\n  data-processing:\n', '\n  data-processing:\n    layerFolders: { platform: 8 }\n');
    const configs = [configDir(bigger(exampleText)), configDir(bigger(changedText))];
    const started = Date.now();
    expect(runSynth(configs[0], out).status).toBe(0);
    const duration = Date.now() - started;
    const trees = [readTree(out)];
    expect(runSynth(configs[1], out).status).toBe(0);
    trees.push(readTree(out));
    expect(diffTrees(trees[0], trees[1]).length).toBeGreaterThan(0);
    const kills = 6;
    let sawLeftovers = 0;
    for (let i = 0; i < kills; i++) {
      const child: ChildProcess = spawn('node', [bundle, '--config', configs[i % 2], '--out', out], { stdio: 'ignore' });
      const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
      if (i % 2 === 0) {
        // anywhere in the run: loading, rendering, writing, swapping
        await new Promise((resolve) => setTimeout(resolve, Math.round(duration * Math.random())));
      } else {
        // while the new tree is being written: a random moment after its staging folder appears
        const staging = path.join(parent, `.dist-staging-${child.pid}`);
        const deadline = Date.now() + 60_000;
        while (!fs.existsSync(staging) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 2));
        await new Promise((resolve) => setTimeout(resolve, Math.round(30 * Math.random())));
      }
      child.kill('SIGKILL');
      await exited;
      const now = readTree(out);
      expect(diffTrees(now, trees[0]).length === 0 || diffTrees(now, trees[1]).length === 0).toBe(true);
      if (leftovers(parent).some((name) => /^\.dist-(staging|previous)-/.test(name))) sawLeftovers++;
    }
    expect(sawLeftovers).toBeGreaterThan(0); // the kills did hit the write: there was something to sweep
    // WHEN a normal run follows
    const before = leftovers(parent);
    const result = runSynth(configs[0], out);
    // THEN it succeeds, notes what it swept, and nothing is left beside the output
    expect(result.status).toBe(0);
    expect(leftovers(parent)).toEqual([]);
    expect(diffTrees(readTree(out), trees[0])).toEqual([]);
    for (const name of before.filter((n) => /^\.dist-(staging|previous)-/.test(n))) expect(result.stderr).toContain(`note: removed ${name} (left by an interrupted run)`);
  }, 180_000);

  test('two runs at once into the same output: both succeed, one tree wins whole, nothing is left behind', async () => {
    const parent = folder('out');
    const out = path.join(parent, 'dist');
    const configs = [configDir(), configDir(changedText)];
    const runs = configs.map((config) => new Promise<number>((resolve) => {
      spawn('node', [bundle, '--config', config, '--out', out], { stdio: 'ignore' }).on('exit', (code) => resolve(code ?? -1));
    }));
    expect(await Promise.all(runs)).toEqual([0, 0]);
    const expected = configs.map((config, i) => {
      const alone = path.join(folder(`alone-${i}`), 'dist');
      synthesize({ configDir: config, outDir: alone, compositions: PLATFORM_COMPOSITIONS });
      return readTree(alone);
    });
    const tree = readTree(out);
    expect(expected.some((whole) => diffTrees(whole, tree).length === 0)).toBe(true);
    expect(leftovers(parent)).toEqual([]);
  }, 60_000);
});

describe('nothing to render is an error that writes nothing', () => {
  test('a config folder without environments', () => {
    const parent = folder('out');
    const out = path.join(parent, 'dist');
    writeTree(out, new Map([['README.md', 'old']]));
    const result = runSynth(folder('empty-config'), out);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/no environment: the config folder has no \*\.yaml file/);
    expect(result.stderr).toContain('Nothing was written');
    expect(readTree(out)).toEqual(new Map([['README.md', 'old']]));
  });

  test('an environment without clusters', () => {
    const out = path.join(folder('out'), 'dist');
    const text = 'azure: { tenantId: 00000000-0000-0000-0000-000000000001, containerRegistry: example.azurecr.io }\nidentities: {}\nclusters: {}\n';
    let error: unknown;
    try {
      synthesize({ configDir: configDir(text), outDir: out, compositions: PLATFORM_COMPOSITIONS });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(/example\.yaml:3: clusters: no cluster: an environment needs at least one cluster/);
    expect(fs.existsSync(out)).toBe(false);
  });
});
