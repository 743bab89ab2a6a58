import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { EvaluationProgress, EvaluationReply, EvaluationRequest, EvaluationStarted } from './evaluationWorker';
import { describeMemoryLimit, RawResults } from './policyEngine';
import { attachPrints } from './policyPrints';
import { packageOfRule } from './ruleEntrypoints';

export interface IsolationLimits {
  /**
   * Wall-clock limit of the evaluation, in milliseconds (default 5000), counted from when the worker has loaded the policy: a
   * worker thread's cold start, loading the policy and the inputs sent before the evaluation are not the policy's time.
   */
  timeoutMs?: number;
  /**
   * How long the worker may take to start on the job (thread start-up, inputs queued before it), in milliseconds
   * (default 300000). Only a broken or starved machine reaches it; it exists so nothing waits forever.
   */
  startLimitMs?: number;
  /** Old-generation heap limit of the worker (JavaScript side), in MiB (default 256). */
  maxMemoryMb?: number;
  /** Cap of the policy's wasm memory, in MiB (default 256). */
  maxWasmMemoryMb?: number;
  /** Cancels for the caller only: the job still finishes (or hits its limits) in the worker, which stays warm. */
  signal?: AbortSignal;
  /**
   * Cancelling a running job terminates the worker instead (an ad-hoc query whose text changed is never worth
   * finishing, and a runaway one would hold the worker up to its time limit). The worker's inputs go with it.
   */
  stopOnCancel?: boolean;
  /** Called when the worker starts on the job (its time limit starts then). */
  onStarted?: () => void;
}

export interface EvaluationJob {
  wasm: Uint8Array;
  data: Record<string, unknown>;
  /** Cap of the policy's wasm memory, MiB (default MAX_MEMORY_MIB). */
  maxWasmMemoryMb?: number;
  /**
   * One input per report, each with its own evaluation time (ISO 8601). The worker keeps inputs it was sent, keyed by
   * object identity: passing the same input object again (the extension does while a policy is edited) sends nothing.
   */
  inputs: { input: object; evaluationTime: string }[];
  /** The documents (packages, slash form) to evaluate; default every one of the module. */
  documents?: string[];
}

/**
 * Why an isolated evaluation did not produce results; `kind` lets the caller word the PolicyProblem. The message says
 * what stopped it ("stopped by the time limit (5 s)") without the rule; `rule` is the wasm entrypoint
 * (`<package>/<rule>`) that was running, when known, and `entrypoint` its package.
 */
export class IsolatedEvaluationError extends Error {
  constructor(
    readonly kind: 'timeout' | 'memory' | 'aborted' | 'failed',
    message: string,
    readonly entrypoint?: string,
    readonly rule?: string,
  ) {
    super(message);
  }
}

/** The worker script: next to this module in the test build (out/), next to the bundle (dist/) otherwise. */
function workerScript(): string {
  const candidates = [join(__dirname, 'evaluationWorker.js'), join(__dirname, '..', '..', '..', 'dist', 'evaluationWorker.js')];
  const found = candidates.find((path) => existsSync(path));
  if (!found) throw new IsolatedEvaluationError('failed', `the policy evaluation worker is missing (looked for ${candidates.join(', ')})`);
  return found;
}

/** Inputs kept in the worker, in bytes of JSON; older ones are dropped past this (five 5,000-user reports fit). */
const MAX_STORED_INPUT_BYTES = 64 * 1024 * 1024;

/**
 * One evaluation worker thread kept warm between jobs. It is terminated, and a new one started by the next job, when a
 * job overruns its time limit or the worker dies (out of memory): a runaway policy never leaves state behind. A
 * cancelled job (the caller's signal) is answered at once but not killed: it finishes in the worker, still under its
 * time limit, and its results are dropped, so the worker keeps the inputs it holds (a 5,000-user report is ~14 MB to
 * send and parse again), unless the job asks for `stopOnCancel`. Jobs run one at a time, in order; a job cancelled
 * before it started is skipped. `evaluateIsolated` keeps one per heap limit for the policies; a caller whose jobs are
 * stopped on cancel (queries) keeps its own, so the policies' worker keeps its inputs.
 */
export class IsolatedEvaluator {
  private worker: Worker | undefined;
  /** Worker threads started so far: a job after a terminated worker runs in a new one. */
  private started = 0;
  /** Input object -> id; ids stored in the current worker, oldest first, with their sizes. */
  private readonly ids = new WeakMap<object, number>();
  private stored = new Map<number, number>();
  private storedBytes = 0;
  private nextId = 1;
  private queue: Promise<unknown> = Promise.resolve();
  /** An input nobody holds any more (a closed report, the previous report of a batch) is dropped from the worker too. */
  private readonly finalizer = new FinalizationRegistry<number>((id) => this.forget(id));

  constructor(private readonly maxMemoryMb = 256) {}

  /** How many inputs the worker holds now. */
  get storedInputs(): number {
    return this.stored.size;
  }

  /** How many worker threads this evaluator has started (diagnostics and tests). */
  get workersStarted(): number {
    return this.started;
  }

  /** Terminates the worker (the next job starts a new one). */
  dispose(): void {
    if (this.worker) this.stop(this.worker);
  }

  run(job: EvaluationJob, limits: IsolationLimits): Promise<RawResults[]> {
    const { signal } = limits;
    const next = this.queue.then(() => {
      if (signal?.aborted) throw cancelled();
      return this.evaluate(job, limits);
    });
    // The queue waits for the worker's real answer, cancelled or not: the worker's replies carry no job id.
    this.queue = next.catch(() => undefined);
    if (!signal) return next;
    if (signal.aborted) return Promise.reject(cancelled());
    return new Promise<RawResults[]>((resolve, reject) => {
      const onAbort = () => reject(cancelled());
      signal.addEventListener('abort', onAbort, { once: true });
      next.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
    });
  }

  private evaluate(job: EvaluationJob, limits: IsolationLimits): Promise<RawResults[]> {
    const timeoutMs = limits.timeoutMs ?? 5000;
    const worker = this.ensureWorker();
    const cancelStops = limits.stopOnCancel ? limits.signal : undefined;
    return new Promise((resolve, reject) => {
      let settled = false;
      const onCancel = () => finish(() => reject(cancelled()), true);
      /** The rule the worker last said it started: where a stopped evaluation was. */
      let running: string | undefined;
      const stopped = (kind: 'timeout' | 'memory', message: string) => new IsolatedEvaluationError(kind, message, running && (packageOfRule(running) ?? running), running);
      const finish = (action: () => void, stop: boolean) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        worker.off('message', onMessage).off('error', onError).off('exit', onExit);
        cancelStops?.removeEventListener('abort', onCancel);
        if (stop) this.stop(worker);
        action();
      };
      const startLimitMs = limits.startLimitMs ?? 300_000;
      let timer = setTimeout(
        () => finish(() => reject(new IsolatedEvaluationError('failed', `the evaluation worker did not start within ${formatSeconds(startLimitMs)}`)), true),
        startLimitMs,
      );
      const onMessage = (reply: EvaluationReply | EvaluationStarted | EvaluationProgress) => {
        if ('running' in reply) {
          running = reply.running;
          return;
        }
        if ('started' in reply) {
          limits.onStarted?.();
          clearTimeout(timer);
          timer = setTimeout(
            () => finish(() => reject(stopped('timeout', `stopped by the time limit (${formatSeconds(timeoutMs)})`)), true),
            timeoutMs,
          );
          return;
        }
        if (reply.ok) finish(() => resolve(withPrints(reply)), false);
        else if (reply.memoryLimitMib !== undefined) {
          finish(() => reject(new IsolatedEvaluationError('memory', describeMemoryLimit(reply.memoryLimitMib!), reply.entrypoint, reply.rule)), false);
        } else finish(() => reject(new IsolatedEvaluationError('failed', reply.detail ?? reply.message, reply.entrypoint, reply.rule)), false);
      };
      const onError = (error: Error & { code?: string }) =>
        finish(
          () =>
            reject(
              error.code === 'ERR_WORKER_OUT_OF_MEMORY'
                ? stopped('memory', `stopped by the ${this.maxMemoryMb} MiB worker memory limit`)
                : new IsolatedEvaluationError('failed', error.message),
            ),
          true,
        );
      const onExit = (code: number) =>
        finish(() => reject(new IsolatedEvaluationError('failed', `the evaluation worker stopped (exit code ${code})`)), true);
      worker.on('message', onMessage).on('error', onError).on('exit', onExit);
      if (cancelStops) {
        if (cancelStops.aborted) return onCancel();
        cancelStops.addEventListener('abort', onCancel, { once: true });
      }
      try {
        const pinned = new Set<number>();
        const inputs = job.inputs.map(({ input, evaluationTime }) => ({ id: this.send(worker, input, pinned), evaluationTime }));
        this.post(worker, { kind: 'evaluate', wasm: job.wasm, data: job.data, maxWasmMemoryMb: limits.maxWasmMemoryMb ?? job.maxWasmMemoryMb, inputs, documents: job.documents });
      } catch (error) {
        finish(() => reject(new IsolatedEvaluationError('failed', error instanceof Error ? error.message : String(error))), true);
      }
    });
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    this.started++;
    const worker = new Worker(workerScript(), { resourceLimits: { maxOldGenerationSizeMb: this.maxMemoryMb, maxYoungGenerationSizeMb: 32 } });
    // An idle warm worker must not keep the CLI (or a test run) alive.
    worker.unref();
    // A worker that dies between jobs is simply replaced by the next job.
    worker.on('error', () => this.stop(worker));
    worker.on('exit', () => this.stop(worker));
    this.worker = worker;
    return worker;
  }

  private stop(worker: Worker): void {
    if (this.worker !== worker) return;
    this.worker = undefined;
    this.stored = new Map();
    this.storedBytes = 0;
    void worker.terminate();
  }

  /**
   * The id of an input in the worker, sending it (as JSON, serialised once) when the worker does not hold it yet.
   * Inputs of the current job (`pinned`) are never dropped to make room, whatever their size.
   */
  private send(worker: Worker, input: object, pinned: Set<number>): number {
    let id = this.ids.get(input);
    if (id !== undefined) pinned.add(id);
    if (id !== undefined && this.stored.has(id)) {
      // Most recently used last.
      const size = this.stored.get(id)!;
      this.stored.delete(id);
      this.stored.set(id, size);
      return id;
    }
    if (id === undefined) {
      id = this.nextId++;
      this.ids.set(input, id);
      this.finalizer.register(input, id);
    }
    pinned.add(id);
    const json = new TextEncoder().encode(JSON.stringify(input));
    this.post(worker, { kind: 'store', id, json });
    this.stored.set(id, json.byteLength);
    this.storedBytes += json.byteLength;
    const forget: number[] = [];
    for (const [oldId, size] of this.stored) {
      if (this.storedBytes <= MAX_STORED_INPUT_BYTES) break;
      if (pinned.has(oldId)) continue;
      forget.push(oldId);
      this.stored.delete(oldId);
      this.storedBytes -= size;
    }
    if (forget.length > 0) this.post(worker, { kind: 'forget', ids: forget });
    return id;
  }

  private forget(id: number): void {
    const size = this.stored.get(id);
    if (size === undefined) return;
    this.stored.delete(id);
    this.storedBytes -= size;
    if (this.worker) this.post(this.worker, { kind: 'forget', ids: [id] });
  }

  private post(worker: Worker, request: EvaluationRequest): void {
    worker.postMessage(request);
  }
}

const evaluators = new Map<number, IsolatedEvaluator>();

/**
 * Evaluates a compiled policy in a worker thread with a time and memory limit; the worker is terminated on overrun,
 * never on cancellation (`limits.signal` answers the caller at once; the job finishes and is dropped).
 * The worker is kept between calls (one per heap limit), holding the inputs it has seen.
 */
export function evaluateIsolated(job: EvaluationJob, limits: IsolationLimits = {}): Promise<RawResults[]> {
  const maxMemoryMb = limits.maxMemoryMb ?? 256;
  let evaluator = evaluators.get(maxMemoryMb);
  if (!evaluator) {
    evaluator = new IsolatedEvaluator(maxMemoryMb);
    evaluators.set(maxMemoryMb, evaluator);
  }
  return evaluator.run(job, limits);
}

/** How many inputs the warm worker for this heap limit holds (diagnostics and tests). */
export function storedInputCount(maxMemoryMb = 256): number {
  return evaluators.get(maxMemoryMb)?.storedInputs ?? 0;
}

/** The results of a reply with each input's prints attached again (printsOf reads them). */
function withPrints(reply: Extract<EvaluationReply, { ok: true }>): RawResults[] {
  return reply.results.map((results, index) => attachPrints(results, reply.prints?.[index]));
}

function cancelled(): IsolatedEvaluationError {
  return new IsolatedEvaluationError('aborted', 'evaluation cancelled');
}

function formatSeconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(3))} s`;
}
