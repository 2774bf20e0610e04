/**
 * Entry point of `make synth`: reads every environment in config/, writes dist/ (or, under `cdk8s synth`,
 * lets cdk8s write its default output). All logic lives in lib/synth; this file only parses arguments and hands it the compositions of charts/.
 */
import { PLATFORM_COMPOSITIONS } from './charts';
import { ConfigError } from './lib/config/issues';
import { OutputWriteError } from './lib/synth/atomic-write';
import { synthesizeWithCdk8s } from './lib/synth/cdk8s-compat';
import { synthesize } from './lib/synth/synthesize';
import { isVerifierThread, serveVerification } from './lib/synth/verify-thread';
import { VerifyError } from './lib/verify';

function main(argv: readonly string[]): number {
  const option = (name: string, fallback: string) => {
    const index = argv.indexOf(name);
    return index >= 0 && argv[index + 1] ? argv[index + 1] : fallback;
  };
  const configDir = option('--config', process.env.PLATFORM_CONFIG_DIR ?? 'config');
  if (process.env.CDK8S_OUTDIR) {
    synthesizeWithCdk8s(configDir, process.env.CDK8S_OUTDIR, PLATFORM_COMPOSITIONS);
    return 0;
  }
  const check = argv.includes('--check');
  const started = process.hrtime.bigint();
  const result = synthesize({
    configDir, outDir: option('--out', 'dist'), check, compositions: PLATFORM_COMPOSITIONS,
    onSweep: (what) => console.error(`note: ${what}`),
    // Bundled (build/main.js): this file also runs the verifier thread (below).
    verifierScript: __filename.endsWith('.js') ? __filename : undefined,
  });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (check && result.differences.length > 0) {
    console.error(`dist/ is out of date: ${result.differences.length} file(s) differ; run make synth\n  ${result.differences.slice(0, 20).join('\n  ')}`);
    return 1;
  }
  if (result.verifyReport) console.log(result.verifyReport);
  const verb = check ? 'checked' : 'wrote';
  console.log(`${verb} ${result.objects} objects in ${result.files} files for ${result.clusters} clusters of ${result.environments} environment(s) in ${ms.toFixed(0)} ms (verifier ${result.verifyMs.toFixed(0)} ms, 0 faults)`);
  return 0;
}

if (isVerifierThread()) {
  serveVerification();
} else {
  run(process.argv.slice(2));
}

/** Runs synth with `argv` and sets the exit code; every error is reported in words, saying what was written. */
function run(argv: string[]): void {
  const outIndex = argv.indexOf('--out');
  const outName = `${outIndex >= 0 && argv[outIndex + 1] ? argv[outIndex + 1] : 'dist'}/`;
  try {
    process.exitCode = main(argv);
  } catch (error) {
    if (error instanceof ConfigError || error instanceof VerifyError) {
      console.error(`${error.message}\n\nNothing was written: ${outName} is unchanged.`);
    } else if (error instanceof OutputWriteError) {
      // The error knows whether the swap happened: say exactly that.
      const state = error.replaced ? `${outName} holds the complete new output.` : `Nothing was written: ${outName} is unchanged.`;
      console.error(`synth failed: ${error.message}\n\n${state}`);
    } else {
      console.error(`synth failed: ${(error as Error).message}\n\nNothing was written: ${outName} is unchanged.`);
      if (process.env.DEBUG) console.error((error as Error).stack);
    }
    process.exitCode = 1;
  }
}
