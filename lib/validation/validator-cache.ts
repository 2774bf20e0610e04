/**
 * Compiled ajv validators kept between processes. Compiling a large schema costs 0.1-1 s (ajv generates and
 * optimizes the code of every subschema), and `make test` compiles the same schemas in many processes: the config
 * validator in each jest test file that checks an invalid config, the upstream schemas in each validation test
 * file, then again in `make validate`.
 *
 * When the environment variable {@link VALIDATOR_CACHE_ENV} names a folder (jest.config.js and the Makefile set
 * it), a validator is compiled once with ajv's standalone code generation (`ajv/dist/standalone`, the same
 * generated code as `compile`, serialized) and written there under the SHA-256 of everything that decides it: the
 * ajv version, the ajv options, the schemas (the caller's key); later processes load that code instead of
 * compiling. A schema change gives a new key, so a cached validator is never stale. Without the variable
 * (`make synth`, the CLIs by default) validators are compiled as usual and nothing is written.
 */
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import Ajv, { _, Options, ValidateFunction } from 'ajv';
import standaloneCode from 'ajv/dist/standalone';

/** The environment variable naming the cache folder. */
export const VALIDATOR_CACHE_ENV = 'ML_PLATFORM_VALIDATOR_CACHE';

/** Cached files unused (unchanged) for this long are removed when a new one is written. */
const MAX_AGE_MS = 7 * 24 * 3600 * 1000;

const AJV_VERSION: string = require('ajv/package.json').version;

/** Compiles validators of one ajv configuration, through the cache folder when there is one. */
export class ValidatorCache {
  /** The cache of the folder in {@link VALIDATOR_CACHE_ENV}, or a pass-through one when it is not set. */
  static fromEnvironment(options: Options): ValidatorCache {
    const dir = process.env[VALIDATOR_CACHE_ENV];
    return new ValidatorCache(options, dir ? path.resolve(dir) : undefined);
  }

  /** The ajv instance to add schemas to and compile with (standalone code generation on when caching). */
  public readonly ajv: Ajv;
  private readonly prefix: string;

  private constructor(private readonly options: Options, private readonly dir: string | undefined) {
    // Custom formats are reached through the `formats` parameter of the loaded code (see `load`).
    this.ajv = new Ajv(dir ? { ...options, code: { ...options.code, source: true, formats: _`formats` } } : options);
    const { formats, ...rest } = options;
    this.prefix = JSON.stringify({ ajv: AJV_VERSION, options: rest, formats: Object.keys(formats ?? {}).sort() });
  }

  /** True when validators are cached in a folder. */
  get enabled(): boolean {
    return this.dir !== undefined;
  }

  /**
   * The validator `compile` returns (compiled with {@link ajv}), or the cached code of it when `key` was compiled
   * before. `key` must identify everything the validator depends on besides the ajv version and options: the
   * schema itself (its text, or a hash of it) and every schema it can reference.
   */
  validator(key: string, compile: () => ValidateFunction | undefined): ValidateFunction | undefined {
    if (!this.dir) return compile();
    const file = path.join(this.dir, `${crypto.createHash('sha256').update(this.prefix).update('\0').update(key).digest('hex')}.js`);
    const cached = this.load(file);
    if (cached) return cached;
    const validate = compile();
    if (validate) this.store(file, standaloneCode(this.ajv, validate));
    return validate;
  }

  private load(file: string): ValidateFunction | undefined {
    let code: string;
    try {
      code = fs.readFileSync(file, 'utf8');
    } catch {
      return undefined;
    }
    try {
      const module = { exports: {} as unknown };
      // Standalone code is a CommonJS module that requires ajv's runtime helpers (ajv/dist/runtime/*).
      new Function('module', 'exports', 'require', 'formats', code)(module, module.exports, require, this.options.formats ?? {});
      return typeof module.exports === 'function' ? (module.exports as ValidateFunction) : undefined;
    } catch {
      return undefined; // a damaged file: compile again (and overwrite it)
    }
  }

  private store(file: string, code: string): void {
    try {
      fs.mkdirSync(this.dir!, { recursive: true });
      // Written under a unique name, then renamed: parallel jest workers never read a half-written file.
      const temporary = `${file}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`;
      fs.writeFileSync(temporary, code);
      fs.renameSync(temporary, file);
      this.prune();
    } catch {
      // The cache is only a speed-up: a read-only or full disk must not fail validation.
    }
  }

  private prune(): void {
    const now = Date.now();
    for (const name of fs.readdirSync(this.dir!)) {
      const file = path.join(this.dir!, name);
      try {
        if (now - fs.statSync(file).mtimeMs > MAX_AGE_MS) fs.rmSync(file, { force: true });
      } catch {
        // removed by another process meanwhile
      }
    }
  }
}

/** SHA-256 of texts, to build cache keys from large schemas. */
export function contentHash(...texts: readonly string[]): string {
  const hash = crypto.createHash('sha256');
  for (const text of texts) hash.update(text).update('\0');
  return hash.digest('hex');
}
