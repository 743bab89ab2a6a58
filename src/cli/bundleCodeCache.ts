/**
 * Loads the CLI bundle (dist/cli.js) through a V8 code cache kept in the user cache directory, and starts it; this is
 * dist/cliLauncher.js, which bin/credcheck runs. Compiling the ~1 MB bundle was the largest single cost of a short run
 * (`check` on a 50-user report, issue 18); with the cache V8 deserialises the bytecode of the bundle's top level and of
 * every function the first run compiled instead of compiling them again.
 *
 * Why a vm.Script with `cachedData`: Node 20 has neither module.enableCompileCache (Node 22.1) nor a usable startup
 * snapshot (`--snapshot-blob` must be given to node itself, and building one with the bundle loaded aborts on Node
 * 20.20); a WebAssembly module cannot be serialised either. This is the mechanism v8-compile-cache used, without that
 * package (unmaintained, and it patches Module.prototype._compile for every module).
 *
 * One file per bundle, named by the SHA-256 of the bundle's text, Node's version, options and architecture: V8 checks only
 * the source's length, its own version and its flags, so a rebuilt bundle of the same length must never meet the old
 * cache. The file starts with the SHA-256 of the data, checked before V8 sees it (V8's release builds do not checksum
 * a code cache), is written to a fresh temporary name and renamed (concurrent runs never see half a file), and at most
 * KEPT_PER_BUNDLE files per bundle name stay. The folder is created private (0700), and one that another user could
 * write to is not used. Anything that goes wrong with the cache only costs the time it would have saved: the bundle is
 * then compiled as usual.
 */
import { isAscii } from 'node:buffer';
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import Module from 'node:module';
import { homedir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { Script } from 'node:vm';

/** Cache files kept per bundle name (other builds, other Node versions); older ones are removed. */
export const KEPT_PER_BUNDLE = 4;
const DIGEST_BYTES = 32;

/** What became of the code cache on load: none yet, used, or present but unusable (and replaced on save). */
export type CodeCacheStatus = 'off' | 'unsafe' | 'missing' | 'accepted' | 'rejected' | 'corrupt';

export interface LoadedBundle {
  readonly exports: unknown;
  readonly status: CodeCacheStatus;
  /** The cache file of this bundle, or undefined when caching is off. */
  readonly cacheFile: string | undefined;
  /**
   * Writes the code cache when the load found none to use; call it after the run, so that the functions the run
   * compiled are in it. Never throws: returns whether a file was written.
   */
  saveCodeCache(): boolean;
}

/**
 * The code cache folder: CREDCHECK_CACHE_DIR (`off` disables it), else $XDG_CACHE_HOME/credcheck, else
 * ~/.cache/credcheck, each with `v8` under it (the same root as the compiled-policy cache).
 */
export function codeCacheDirectory(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const configured = env.CREDCHECK_CACHE_DIR;
  if (configured === 'off') return undefined;
  if (configured) return join(configured, 'v8');
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'credcheck', 'v8');
}

/**
 * Requires a CommonJS file (a bundle: its own `require`s resolve from its folder) through the code cache in
 * `cacheDirectory` (undefined: no cache). The bundle must not use `import()`: scripts/build.mjs compiles it to require.
 */
export function loadBundle(file: string, cacheDirectory: string | undefined): LoadedBundle {
  const bytes = readFileSync(file);
  // An ASCII bundle (esbuild escapes what is not) decodes much faster as latin1, to the same string.
  const source = isAscii(bytes) ? bytes.toString('latin1') : bytes.toString('utf8');
  const safe = cacheDirectory !== undefined && isPrivateFolder(cacheDirectory);
  const cacheFile = cacheDirectory === undefined ? undefined : join(cacheDirectory, `${basename(file)}-${cacheKey(bytes)}.bin`);
  const found = cacheFile === undefined || !safe ? undefined : readCodeCache(cacheFile);
  const script = new Script(Module.wrap(source), { filename: file, ...(found?.data ? { cachedData: found.data } : {}) });
  let status: CodeCacheStatus = cacheFile === undefined ? 'off' : !safe ? 'unsafe' : (found?.status ?? 'missing');
  if (status === 'accepted' && script.cachedDataRejected) status = 'rejected';

  const bundle = new Module(file, module);
  bundle.filename = file;
  bundle.paths = (Module as unknown as { _nodeModulePaths(from: string): string[] })._nodeModulePaths(dirname(file));
  const wrapper = script.runInThisContext() as (exports: unknown, require: NodeJS.Require, module: Module, filename: string, dirname: string) => void;
  wrapper.call(bundle.exports, bundle.exports, Module.createRequire(file), bundle, file, dirname(file));
  bundle.loaded = true;

  return {
    exports: bundle.exports,
    status,
    cacheFile,
    saveCodeCache: () =>
      cacheFile !== undefined && status !== 'accepted' && status !== 'unsafe' ? writeCodeCache(cacheFile, () => script.createCachedData()) : false,
  };
}

/**
 * Runs the CLI bundle beside this file with the arguments, as bin/credcheck did: its exit code, or 2 with the error on
 * stderr. The cache is written after the run (the output is already out).
 */
export function launch(argv: string[], env: NodeJS.ProcessEnv = process.env): void {
  const bundle = loadBundle(join(__dirname, 'cli.js'), codeCacheDirectory(env));
  const { main } = bundle.exports as { main(args: string[]): Promise<number> };
  main(argv).then(
    (code) => {
      process.exitCode = code;
      bundle.saveCodeCache();
    },
    (error: unknown) => {
      process.stderr.write(`credcheck: ${String(error)}\n`);
      process.exitCode = 2;
    },
  );
}

/** V8 rejects a cache made under other flags: runs with other node options keep their own file instead of trading one. */
function cacheKey(bytes: Buffer): string {
  const runtime = [process.version, process.arch, ...process.execArgv, process.env.NODE_OPTIONS ?? ''].join('\0');
  return createHash('sha256').update(runtime).update('\0').update(bytes).digest('hex').slice(0, 32);
}

/**
 * Whether the cache folder is one only this user can write (or is not there yet: it is then created so). V8 runs the
 * bytecode it is given, and the digest only catches damage, not a replaced file: a folder another user can write to
 * (a shared CREDCHECK_CACHE_DIR, a folder made in /tmp by someone else) is not used at all.
 */
function isPrivateFolder(folder: string): boolean {
  let stats;
  try {
    stats = statSync(folder);
  } catch {
    return true;
  }
  if (!stats.isDirectory()) return false;
  if (process.platform === 'win32') return true; // no POSIX modes; the folder is under the user's profile by default
  return stats.uid === process.getuid?.() && (stats.mode & 0o022) === 0;
}

function readCodeCache(cacheFile: string): { status: CodeCacheStatus; data?: Buffer } {
  let content: Buffer;
  try {
    content = readFileSync(cacheFile);
  } catch {
    return { status: 'missing' };
  }
  const data = content.subarray(DIGEST_BYTES);
  if (content.length <= DIGEST_BYTES || !createHash('sha256').update(data).digest().equals(content.subarray(0, DIGEST_BYTES))) return { status: 'corrupt' };
  return { status: 'accepted', data };
}

function writeCodeCache(cacheFile: string, createData: () => Buffer): boolean {
  const folder = dirname(cacheFile);
  const temporary = `${cacheFile}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  let descriptor: number | undefined;
  try {
    mkdirSync(folder, { recursive: true, mode: 0o700 });
    // Opened before the data is made: where the folder cannot be written, no run pays for serialising.
    descriptor = openSync(temporary, 'wx', 0o600);
    const data = createData();
    writeSync(descriptor, createHash('sha256').update(data).digest());
    writeSync(descriptor, data);
    closeSync(descriptor);
    descriptor = undefined;
    renameSync(temporary, cacheFile);
  } catch {
    try {
      if (descriptor !== undefined) closeSync(descriptor);
      rmSync(temporary, { force: true });
    } catch {
      // The folder is not there or not a folder: there is no temporary file either.
    }
    return false;
  }
  removeOldCaches(folder, basename(cacheFile).replace(/-[0-9a-f]+\.bin$/, ''));
  return true;
}

/**
 * Keeps the KEPT_PER_BUNDLE newest cache files of one bundle name, and removes temporary files a killed run left
 * (older than an hour: a run that is writing one now is not disturbed).
 */
function removeOldCaches(folder: string, bundleName: string): void {
  try {
    const files = readdirSync(folder)
      .filter((name) => name.startsWith(`${bundleName}-`))
      .map((name) => ({ name, path: join(folder, name), modified: statSync(join(folder, name)).mtimeMs }))
      .sort((a, b) => b.modified - a.modified);
    const caches = files.filter((file) => /-[0-9a-f]+\.bin$/.test(file.name));
    const leftovers = files.filter((file) => file.name.endsWith('.tmp') && Date.now() - file.modified > 3_600_000);
    for (const old of [...caches.slice(KEPT_PER_BUNDLE), ...leftovers]) rmSync(old.path, { force: true });
  } catch {
    // Another run removed a file first: what is left is still bounded the next time.
  }
}
