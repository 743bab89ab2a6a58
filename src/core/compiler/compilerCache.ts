import { createHash } from 'node:crypto';
import { CompileRequest, CompileResult, RegoCompiler } from './regoCompiler';

/** Errors that depend on the moment (time, memory, a crash), not on the sources: never cached. */
const TRANSIENT_CODES = new Set(['timeout', 'out_of_memory', 'compiler_failure', 'internal_error']);

/** Whether a compile error says the compilation could not finish, rather than that the sources are wrong. */
export function isTransientCompileError(error: { code?: string }): boolean {
  return error.code !== undefined && TRANSIENT_CODES.has(error.code);
}

/**
 * Caches compile results by a SHA-256 of the modules (file names and sources, in order) and entrypoints, so re-checking
 * unchanged user policies costs nothing. Compile errors are cached too: the same sources give the same errors.
 * Concurrent requests for the same content share one compilation.
 */
export class CompilerCache implements RegoCompiler {
  private readonly entries = new Map<string, Promise<CompileResult>>();

  constructor(
    private readonly compiler: RegoCompiler,
    private readonly maxEntries = 64,
  ) {}

  static key(request: CompileRequest): string {
    const hash = createHash('sha256');
    for (const module of request.modules) {
      // Length prefixes keep ("ab","c") and ("a","bc") apart.
      hash.update(`${Buffer.byteLength(module.file)}:${module.file}\n${Buffer.byteLength(module.source)}:${module.source}\n`);
    }
    hash.update(`entrypoints:${JSON.stringify(request.entrypoints ?? [])}`);
    return hash.digest('hex');
  }

  compile(request: CompileRequest): Promise<CompileResult> {
    const key = CompilerCache.key(request);
    const cached = this.entries.get(key);
    if (cached) {
      // Most recently used last, so eviction drops the oldest.
      this.entries.delete(key);
      this.entries.set(key, cached);
      return cached;
    }
    const result = this.compiler.compile(request);
    this.entries.set(key, result);
    result.then(
      (outcome) => {
        if (!outcome.ok && outcome.errors.some((error) => error.code && TRANSIENT_CODES.has(error.code))) this.forget(key, result);
      },
      () => this.forget(key, result),
    );
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
    return result;
  }

  get size(): number {
    return this.entries.size;
  }

  clear(): void {
    this.entries.clear();
  }

  dispose(): void {
    this.entries.clear();
    this.compiler.dispose();
  }

  private forget(key: string, result: Promise<CompileResult>): void {
    if (this.entries.get(key) === result) this.entries.delete(key);
  }
}
