import { Worker } from 'node:worker_threads';
import { PolicyProblem } from '../model';
import { CompilerAssetOptions, CompilerAssets, locateCompilerAssets } from './compilerAssets';
import type { CompilerWorkerData, CompilerWorkerProgress, CompilerWorkerReply, CompilerWorkerStartReply } from './compilerWorker';
import { CompileRequest, CompileResult, PolicyAnnotation, RegoCompiler, RegoModule, RuleLocation } from './regoCompiler';
import type { InputProjection } from '../engine/inputProjection';

export interface EmbeddedCompilerOptions extends CompilerAssetOptions {
  /** Longest one compilation may take (default 10 s). */
  timeLimitMs?: number;
  /**
   * Longest the compiler may take to start (default 60 s): loading 40 MB of wasm takes about 0.2-1 s on an idle
   * machine, but much longer on a loaded one, and must not eat into the first compilation's time limit.
   */
  startLimitMs?: number;
  /**
   * Memory bound for the compiler, in MB (default 1024). The worker's JavaScript heap is capped by V8's resource limits;
   * Go's heap lives in wasm linear memory, which V8 does not count: Go gets it as a soft limit (GOMEMLIMIT), and a
   * compiler whose memory grew past it is replaced before the next call (wasm memory never shrinks).
   */
  memoryLimitMb?: number;
}

/**
 * Raised when the caller's AbortSignal fires. The caller is answered at once, but the compiler is kept: a compilation
 * already running finishes (still bounded by its time limit) and its result is dropped, so the next call finds the
 * compiler warm instead of paying its cold start (seconds) again. A request still queued is skipped.
 */
export class CompilationAbortedError extends Error {
  constructor() {
    super('compilation aborted');
    this.name = 'AbortError';
  }
}

interface Pending {
  resolve(reply: CompilerWorkerReply): void;
  reject(error: Error): void;
  progress?: (json: string) => void;
}

interface CompilerResponse {
  ok: boolean;
  entrypoints?: string[];
  annotations?: PolicyAnnotation[];
  rules?: RuleLocation[];
  projection?: InputProjection;
  errors?: PolicyProblem[];
}

const DEFAULT_TIME_LIMIT_MS = 10_000;
const DEFAULT_START_LIMIT_MS = 60_000;
const DEFAULT_MEMORY_LIMIT_MB = 1024;

/**
 * OPA's Rego-to-wasm compiler, built to WebAssembly from compiler/ and run in a worker thread of this process: no opa
 * binary, no child process. Loaded lazily on the first compile, then kept warm; compilations run one at a time.
 */
export class EmbeddedCompiler implements RegoCompiler {
  private readonly timeLimitMs: number;
  private readonly startLimitMs: number;
  private readonly memoryLimitMb: number;
  private started: Promise<void> | undefined;
  private rejectStart: ((error: Error) => void) | undefined;
  private assets: CompilerAssets | undefined;
  private worker: Worker | undefined;
  private workerMemoryBytes = 0;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private queue: Promise<unknown> = Promise.resolve();
  private disposed = false;

  constructor(private readonly options: EmbeddedCompilerOptions = {}) {
    this.timeLimitMs = options.timeLimitMs ?? DEFAULT_TIME_LIMIT_MS;
    this.startLimitMs = options.startLimitMs ?? DEFAULT_START_LIMIT_MS;
    this.memoryLimitMb = options.memoryLimitMb ?? DEFAULT_MEMORY_LIMIT_MB;
  }

  compile(request: CompileRequest): Promise<CompileResult> {
    const { signal } = request;
    const run = this.queue.then(() => {
      if (signal?.aborted) throw new CompilationAbortedError();
      return this.compileNow(request);
    });
    // The queue waits for the worker's real answer, abandoned or not: the worker runs one request at a time.
    this.queue = run.catch(() => undefined);
    return abandonOnAbort(run, signal);
  }

  dispose(): void {
    this.disposed = true;
    this.stopWorker(new Error('the compiler was disposed'));
  }

  private async compileNow(request: CompileRequest): Promise<CompileResult> {
    const body = JSON.stringify({ modules: request.modules, entrypoints: request.entrypoints ?? [], schema: request.schema ?? true });
    const outcome = await this.exchange(request.modules, body, 'compilation');
    if ('error' in outcome) return { ok: false, errors: [outcome.error] };
    const { reply } = outcome;
    const response = JSON.parse(reply.json) as CompilerResponse;
    if (!response.ok || !reply.wasm) {
      return { ok: false, errors: response.errors?.length ? response.errors : [problem(request.modules, 'the Rego compiler returned no result', 'compiler_failure')] };
    }
    return {
      ok: true,
      wasm: reply.wasm,
      entrypoints: response.entrypoints ?? [],
      annotations: response.annotations ?? [],
      rules: response.rules ?? [],
      ...(response.projection ? { projection: response.projection } : {}),
    };
  }

  /**
   * Runs any other request of the compiler ({"op": "check" | "format" | "test" | "builtins"}) on the same warm
   * instance, one at a time with compilations. Resolves with the response JSON text, or a located problem when the
   * compiler failed, hit its time or memory limit.
   */
  request(
    modules: RegoModule[],
    body: object,
    options: { signal?: AbortSignal; timeLimitMs?: number; what?: string; onProgress?: (json: string) => void } = {},
  ): Promise<{ json: string } | { error: PolicyProblem }> {
    const { signal } = options;
    const run = this.queue.then(async () => {
      if (signal?.aborted) throw new CompilationAbortedError();
      const outcome = await this.exchange(modules, JSON.stringify(body), options.what ?? 'the request', options.timeLimitMs, options.onProgress);
      return 'error' in outcome ? outcome : { json: outcome.reply.json };
    });
    this.queue = run.catch(() => undefined);
    return abandonOnAbort(run, signal);
  }

  private async exchange(
    modules: RegoModule[],
    body: string,
    what: string,
    timeLimitMs: number = this.timeLimitMs,
    onProgress?: (json: string) => void,
  ): Promise<{ reply: Extract<CompilerWorkerReply, { json: string }> } | { error: PolicyProblem }> {
    if (this.disposed) throw new Error('the compiler was disposed');
    const subject = describeModules(modules);
    const worker = this.ensureWorker();
    try {
      await this.waitForStart();
    } catch (error) {
      return { error: problem(modules, `the Rego compiler could not start: ${error instanceof Error ? error.message : String(error)}`, 'compiler_failure') };
    }
    const id = this.nextId++;

    let timer: NodeJS.Timeout | undefined;
    try {
      const reply = await new Promise<CompilerWorkerReply>((resolve, reject) => {
        this.pending.set(id, { resolve, reject, progress: onProgress });
        // Runaway protection, whether or not the caller is still waiting: the only thing that terminates a busy worker.
        timer = setTimeout(() => {
          this.stopWorker(new TimeLimitError(`${what} of ${subject} timed out after ${formatSeconds(timeLimitMs)}`));
        }, timeLimitMs);
        worker.postMessage({ id, request: body });
      });
      if ('failure' in reply) {
        this.stopWorker(new Error(reply.failure));
        return { error: problem(modules, `the Rego compiler failed on ${subject}: ${reply.failure}`, 'compiler_failure') };
      }
      this.workerMemoryBytes = reply.memoryBytes;
      return { reply };
    } catch (error) {
      if (error instanceof TimeLimitError) return { error: problem(modules, error.message, 'timeout') };
      if (error instanceof MemoryLimitError) return { error: problem(modules, `${what} of ${subject} ${error.message}`, 'out_of_memory') };
      throw error;
    } finally {
      clearTimeout(timer);
      this.pending.delete(id);
      // Go's memory only grows: past the limit, start the next compilation on a fresh instance.
      if (this.workerMemoryBytes > this.memoryLimitMb * 1024 * 1024) this.stopWorker(new Error('compiler recycled'));
    }
  }

  /** Start-up has its own limit, so a slow first load (a busy machine) does not count against the compile's. */
  private async waitForStart(): Promise<void> {
    const started = this.started;
    if (!started) throw new Error('the compiler worker is gone');
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        started,
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => {
            const error = new Error(`it did not start within ${formatSeconds(this.startLimitMs)}`);
            this.stopWorker(error);
            reject(error);
          }, this.startLimitMs);
        }),
      ]);
    } finally {
      clearTimeout(timer);
    }
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    this.assets ??= locateCompilerAssets(this.options);
    const workerData: CompilerWorkerData = {
      wasm: this.assets.wasm,
      wasmExec: this.assets.wasmExec,
      goMemoryLimitMb: Math.max(64, Math.floor(this.memoryLimitMb * 0.75)),
      schema: this.assets.schema,
    };
    const worker = new Worker(this.assets.worker, {
      workerData,
      resourceLimits: { maxOldGenerationSizeMb: 256, maxYoungGenerationSizeMb: 32, stackSizeMb: 8 },
    });
    worker.unref();
    let announceStart: { resolve(): void; reject(error: Error): void } | undefined;
    this.started = new Promise<void>((resolve, reject) => (announceStart = { resolve, reject }));
    this.started.catch(() => undefined);
    this.rejectStart = (error) => announceStart?.reject(error);
    worker.on('message', (reply: CompilerWorkerReply | CompilerWorkerStartReply | CompilerWorkerProgress) => {
      if ('progress' in reply) this.pending.get(reply.id)?.progress?.(reply.progress);
      else if (reply.id !== 0) this.pending.get(reply.id)?.resolve(reply as CompilerWorkerReply);
      else if ('failure' in reply) announceStart?.reject(new Error(reply.failure));
      else announceStart?.resolve();
    });
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
    this.rejectStart?.(reason);
    this.rejectStart = undefined;
    this.started = undefined;
    this.workerMemoryBytes = 0;
    for (const [, pending] of this.pending) pending.reject(reason);
    this.pending.clear();
    if (worker) void worker.terminate();
  }
}

class TimeLimitError extends Error {}

/**
 * The caller's view of a queued request: rejected with CompilationAbortedError as soon as the signal fires, otherwise
 * settled like `run`. `run` itself goes on (the caller's answer is dropped), so the worker is never killed for an abort.
 */
function abandonOnAbort<T>(run: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return run;
  if (signal.aborted) return Promise.reject(new CompilationAbortedError());
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new CompilationAbortedError());
    signal.addEventListener('abort', onAbort, { once: true });
    run.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
class MemoryLimitError extends Error {}

function describeModules(modules: RegoModule[]): string {
  const files = modules.map((module) => module.file);
  if (files.length === 0) return 'no modules';
  return files.length === 1 ? files[0] : `${files[0]} (and ${files.length - 1} more)`;
}

function formatSeconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(ms < 1000 ? 3 : 1)} s`;
}

function problem(modules: RegoModule[], message: string, code: string): PolicyProblem {
  return { file: modules[0]?.file ?? '', line: 0, column: 0, message, code };
}

/** The embedded compiler with default options: what the CLI and the extension use unless told otherwise. */
export function createEmbeddedCompiler(options: EmbeddedCompilerOptions = {}): RegoCompiler {
  return new EmbeddedCompiler(options);
}
