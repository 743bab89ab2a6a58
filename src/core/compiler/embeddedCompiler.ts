import { Worker } from 'node:worker_threads';
import { PolicyProblem } from '../model';
import { CompilerAssetOptions, CompilerAssets, locateCompilerAssets } from './compilerAssets';
import type { CompilerWorkerData, CompilerWorkerReply } from './compilerWorker';
import { CompileRequest, CompileResult, PolicyAnnotation, RegoCompiler, RuleLocation } from './regoCompiler';

export interface EmbeddedCompilerOptions extends CompilerAssetOptions {
  /** Longest one compilation may take, start-up of a fresh compiler included (default 10 s). */
  timeLimitMs?: number;
  /**
   * Memory bound for the compiler, in MB (default 1024). The worker's JavaScript heap is capped by V8's resource limits;
   * Go's heap lives in wasm linear memory, which V8 does not count: Go gets it as a soft limit (GOMEMLIMIT), and a
   * compiler whose memory grew past it is replaced before the next call (wasm memory never shrinks).
   */
  memoryLimitMb?: number;
}

/** Raised when the caller's AbortSignal fires; the compiler is discarded and the next call starts a fresh one. */
export class CompilationAbortedError extends Error {
  constructor() {
    super('compilation aborted');
    this.name = 'AbortError';
  }
}

interface Pending {
  resolve(reply: CompilerWorkerReply): void;
  reject(error: Error): void;
}

interface CompilerResponse {
  ok: boolean;
  entrypoints?: string[];
  annotations?: PolicyAnnotation[];
  rules?: RuleLocation[];
  errors?: PolicyProblem[];
}

const DEFAULT_TIME_LIMIT_MS = 10_000;
const DEFAULT_MEMORY_LIMIT_MB = 1024;

/**
 * OPA's Rego-to-wasm compiler, built to WebAssembly from compiler/ and run in a worker thread of this process: no opa
 * binary, no child process. Loaded lazily on the first compile, then kept warm; compilations run one at a time.
 */
export class EmbeddedCompiler implements RegoCompiler {
  private readonly timeLimitMs: number;
  private readonly memoryLimitMb: number;
  private assets: CompilerAssets | undefined;
  private worker: Worker | undefined;
  private workerMemoryBytes = 0;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private queue: Promise<unknown> = Promise.resolve();
  private disposed = false;

  constructor(private readonly options: EmbeddedCompilerOptions = {}) {
    this.timeLimitMs = options.timeLimitMs ?? DEFAULT_TIME_LIMIT_MS;
    this.memoryLimitMb = options.memoryLimitMb ?? DEFAULT_MEMORY_LIMIT_MB;
  }

  compile(request: CompileRequest): Promise<CompileResult> {
    const run = this.queue.then(() => this.compileNow(request));
    this.queue = run.catch(() => undefined);
    return run;
  }

  dispose(): void {
    this.disposed = true;
    this.stopWorker(new Error('the compiler was disposed'));
  }

  private async compileNow(request: CompileRequest): Promise<CompileResult> {
    if (this.disposed) throw new Error('the compiler was disposed');
    const { signal } = request;
    if (signal?.aborted) throw new CompilationAbortedError();
    const subject = describeModules(request);
    const worker = this.ensureWorker();
    const id = this.nextId++;
    const body = JSON.stringify({ modules: request.modules, entrypoints: request.entrypoints ?? [] });

    let timer: NodeJS.Timeout | undefined;
    let onAbort: (() => void) | undefined;
    try {
      const reply = await new Promise<CompilerWorkerReply>((resolve, reject) => {
        this.pending.set(id, { resolve, reject });
        timer = setTimeout(() => {
          this.stopWorker(new TimeLimitError(`compilation of ${subject} timed out after ${formatSeconds(this.timeLimitMs)}`));
        }, this.timeLimitMs);
        onAbort = () => this.stopWorker(new CompilationAbortedError());
        signal?.addEventListener('abort', onAbort, { once: true });
        worker.postMessage({ id, request: body });
      });
      if ('failure' in reply) {
        this.stopWorker(new Error(reply.failure));
        return failure(request, `the Rego compiler failed on ${subject}: ${reply.failure}`, 'compiler_failure');
      }
      this.workerMemoryBytes = reply.memoryBytes;
      const response = JSON.parse(reply.json) as CompilerResponse;
      if (!response.ok || !reply.wasm) {
        return { ok: false, errors: response.errors?.length ? response.errors : [problem(request, 'the Rego compiler returned no result', 'compiler_failure')] };
      }
      return {
        ok: true,
        wasm: reply.wasm,
        entrypoints: response.entrypoints ?? [],
        annotations: response.annotations ?? [],
        rules: response.rules ?? [],
      };
    } catch (error) {
      if (error instanceof TimeLimitError) return failure(request, error.message, 'timeout');
      if (error instanceof MemoryLimitError) return failure(request, `compilation of ${subject} ${error.message}`, 'out_of_memory');
      throw error;
    } finally {
      clearTimeout(timer);
      this.pending.delete(id);
      if (onAbort) signal?.removeEventListener('abort', onAbort);
      // Go's memory only grows: past the limit, start the next compilation on a fresh instance.
      if (this.workerMemoryBytes > this.memoryLimitMb * 1024 * 1024) this.stopWorker(new Error('compiler recycled'));
    }
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    this.assets ??= locateCompilerAssets(this.options);
    const workerData: CompilerWorkerData = {
      wasm: this.assets.wasm,
      wasmExec: this.assets.wasmExec,
      goMemoryLimitMb: Math.max(64, Math.floor(this.memoryLimitMb * 0.75)),
    };
    const worker = new Worker(this.assets.worker, {
      workerData,
      resourceLimits: { maxOldGenerationSizeMb: 256, maxYoungGenerationSizeMb: 32, stackSizeMb: 8 },
    });
    worker.unref();
    worker.on('message', (reply: CompilerWorkerReply) => this.pending.get(reply.id)?.resolve(reply));
    worker.on('error', (error: Error & { code?: string }) => {
      const reason = error.code === 'ERR_WORKER_OUT_OF_MEMORY' ? new MemoryLimitError(`ran out of memory (limit ${this.memoryLimitMb} MB)`) : error;
      if (this.worker === worker) this.stopWorker(reason);
    });
    worker.on('exit', (code) => {
      if (this.worker === worker) this.stopWorker(new Error(`the compiler worker exited with code ${code}`));
    });
    this.worker = worker;
    this.workerMemoryBytes = 0;
    return worker;
  }

  /** Terminates the worker (the only way to interrupt a running Go call) and fails whatever was waiting on it. */
  private stopWorker(reason: Error): void {
    const worker = this.worker;
    this.worker = undefined;
    this.workerMemoryBytes = 0;
    for (const [, pending] of this.pending) pending.reject(reason);
    this.pending.clear();
    if (worker) void worker.terminate();
  }
}

class TimeLimitError extends Error {}
class MemoryLimitError extends Error {}

function describeModules(request: CompileRequest): string {
  const files = request.modules.map((module) => module.file);
  if (files.length === 0) return 'no modules';
  return files.length === 1 ? files[0] : `${files[0]} (and ${files.length - 1} more)`;
}

function formatSeconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(ms < 1000 ? 3 : 1)} s`;
}

function problem(request: CompileRequest, message: string, code: string): PolicyProblem {
  return { file: request.modules[0]?.file ?? '', line: 0, column: 0, message, code };
}

function failure(request: CompileRequest, message: string, code: string): CompileResult {
  return { ok: false, errors: [problem(request, message, code)] };
}

/** The embedded compiler with default options: what the CLI and the extension use unless told otherwise. */
export function createEmbeddedCompiler(options: EmbeddedCompilerOptions = {}): RegoCompiler {
  return new EmbeddedCompiler(options);
}
