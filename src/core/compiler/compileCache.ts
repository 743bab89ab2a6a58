/**
 * Compiled policies and queries cached on disk, so a re-run of `credcheck check --policy` or of the same query never
 * starts the embedded compiler (40 MB of wasm, 1-2.5 s to start in a fresh process).
 *
 * Key: SHA-256 of the compiler build (capabilities.json's `build`, the hash of compiler.wasm), the input schema it
 * type-checks against, and the request (modules, entrypoints, schema flag). OPA's compile errors (`rego_*`) are cached
 * too: they are as deterministic as the wasm; a stopped or crashed compile is not. Entries live in the user cache directory (CREDCHECK_CACHE_DIR, else
 * $XDG_CACHE_HOME/credcheck, else ~/.cache/credcheck; `CREDCHECK_CACHE_DIR=off` disables the cache), one file each,
 * written to a random temporary name with O_EXCL and renamed, so concurrent runs never read half an entry; an entry
 * that does not parse or whose wasm does not match its recorded hash is a miss (and is replaced). The folder is kept
 * under MAX_CACHE_BYTES by removing the least recently used entries.
 */
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { CompileRequest, CompileResult, RegoCompiler } from './regoCompiler';

export const MAX_CACHE_BYTES = 64 * 1024 * 1024;
const FORMAT = 'credcheck-compiled/1';

/** The cache folder from the environment, or undefined when caching is off. */
export function compileCacheDir(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const configured = env.CREDCHECK_CACHE_DIR;
  if (configured === 'off') return undefined;
  if (configured) return join(configured, 'compiled');
  const base = env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(base, 'credcheck', 'compiled');
}

interface Entry {
  format: string;
  result: Omit<Extract<CompileResult, { ok: true }>, 'wasm'> & { ok: true; wasmSha256: string } | Extract<CompileResult, { ok: false }>;
}

/** What the key of a compiler build is made of: its build hash and the schema it checks input against. */
export interface CompilerIdentity {
  build: string;
  schema: string;
}

/**
 * A RegoCompiler that answers from the disk cache and asks `inner` (created on the first miss only) otherwise.
 * An opa binary compiler is never wrapped: its version is not part of the key.
 */
export class CachedCompiler implements RegoCompiler {
  private inner: RegoCompiler | undefined;
  /** Hits and misses of this instance, for tests and benchmarks. */
  readonly stats = { hits: 0, misses: 0 };

  constructor(
    private readonly createInner: () => RegoCompiler,
    private readonly dir: string,
    private readonly identity: CompilerIdentity,
    private readonly maxBytes = MAX_CACHE_BYTES,
  ) {}

  async compile(request: CompileRequest): Promise<CompileResult> {
    const key = this.keyOf(request);
    const cached = this.read(key);
    if (cached) {
      this.stats.hits++;
      return cached;
    }
    this.stats.misses++;
    this.inner ??= this.createInner();
    const result = await this.inner.compile(request);
    // Only what the sources decide is kept: a compile that was stopped (time limit, crash, abort) is asked again.
    if (!request.signal?.aborted && (result.ok || result.errors.every((error) => error.code?.startsWith('rego_')))) this.write(key, result);
    return result;
  }

  dispose(): void {
    this.inner?.dispose();
  }

  private keyOf(request: CompileRequest): string {
    const hash = createHash('sha256');
    hash.update(JSON.stringify([FORMAT, this.identity.build, this.identity.schema, request.modules.map((m) => [m.file, m.source]), request.entrypoints ?? null, request.schema ?? true]));
    return hash.digest('hex');
  }

  private read(key: string): CompileResult | undefined {
    const path = join(this.dir, `${key}.bin`);
    let bytes: Buffer;
    try {
      bytes = readFileSync(path);
    } catch {
      return undefined;
    }
    try {
      // One file: the JSON header's length (4 bytes, big-endian), the header, then the wasm.
      const headerLength = bytes.readUInt32BE(0);
      const entry = JSON.parse(bytes.subarray(4, 4 + headerLength).toString('utf8')) as Entry;
      if (entry.format !== FORMAT) return undefined;
      const now = new Date();
      utimesSync(path, now, now);
      if (!entry.result.ok) return entry.result;
      const wasm = new Uint8Array(bytes.subarray(4 + headerLength));
      if (createHash('sha256').update(wasm).digest('hex') !== entry.result.wasmSha256) return undefined;
      const { wasmSha256: _hash, ...rest } = entry.result;
      return { ...rest, wasm };
    } catch {
      return undefined; // corrupt: compiled again and replaced
    }
  }

  private write(key: string, result: CompileResult): void {
    try {
      mkdirSync(this.dir, { recursive: true, mode: 0o700 });
      const header: Entry = {
        format: FORMAT,
        result: result.ok ? { ...withoutWasm(result), ok: true, wasmSha256: createHash('sha256').update(result.wasm).digest('hex') } : result,
      };
      const json = Buffer.from(JSON.stringify(header), 'utf8');
      const length = Buffer.alloc(4);
      length.writeUInt32BE(json.byteLength, 0);
      const temporary = join(this.dir, `.${key}.${randomBytes(8).toString('hex')}.tmp`);
      const fd = openSync(temporary, 'wx', 0o600);
      try {
        writeSync(fd, length);
        writeSync(fd, json);
        if (result.ok) writeSync(fd, result.wasm);
      } finally {
        closeSync(fd);
      }
      renameSync(temporary, join(this.dir, `${key}.bin`));
      this.prune();
    } catch {
      // A cache that cannot be written (read-only home, full disk) costs only speed.
    }
  }

  /** Least recently used entries out until the folder is under MAX_CACHE_BYTES (stale temporaries too). */
  private prune(): void {
    const entries = readdirSync(this.dir).flatMap((name) => {
      try {
        const stat = statSync(join(this.dir, name));
        return [{ name, size: stat.size, used: stat.mtimeMs }];
      } catch {
        return [];
      }
    });
    let total = entries.reduce((sum, entry) => sum + entry.size, 0);
    if (total <= this.maxBytes) return;
    for (const entry of entries.sort((a, b) => a.used - b.used)) {
      if (total <= this.maxBytes * 0.75) break;
      rmSync(join(this.dir, entry.name), { force: true });
      total -= entry.size;
    }
  }
}

function withoutWasm(result: Extract<CompileResult, { ok: true }>): Omit<Extract<CompileResult, { ok: true }>, 'wasm'> {
  const { wasm: _wasm, ...rest } = result;
  return rest;
}
