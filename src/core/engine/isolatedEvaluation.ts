import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { EvaluationJob, EvaluationReply } from './evaluationWorker';
import { RawResults } from './policyEngine';

export interface IsolationLimits {
  /** Wall-clock limit for the whole job, in milliseconds (default 5000). */
  timeoutMs?: number;
  /** Old-generation heap limit of the worker (JavaScript side), in MiB (default 256). */
  maxMemoryMb?: number;
  /** Cap of the policy's wasm memory, in MiB (default 256). */
  maxWasmMemoryMb?: number;
  signal?: AbortSignal;
}

/** Why an isolated evaluation did not produce results; `kind` lets the caller word the PolicyProblem. */
export class IsolatedEvaluationError extends Error {
  constructor(readonly kind: 'timeout' | 'memory' | 'aborted' | 'failed', message: string, readonly entrypoint?: string) {
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

/** Evaluates a compiled policy in a worker thread with a time and memory limit; the worker is terminated on overrun. */
export function evaluateIsolated(job: EvaluationJob, limits: IsolationLimits = {}): Promise<RawResults[]> {
  const timeoutMs = limits.timeoutMs ?? 5000;
  return new Promise((resolve, reject) => {
    if (limits.signal?.aborted) return reject(new IsolatedEvaluationError('aborted', 'evaluation cancelled'));
    const worker = new Worker(workerScript(), {
      workerData: { ...job, maxWasmMemoryMb: limits.maxWasmMemoryMb ?? job.maxWasmMemoryMb },
      resourceLimits: { maxOldGenerationSizeMb: limits.maxMemoryMb ?? 256, maxYoungGenerationSizeMb: 32 },
    });
    let settled = false;
    const finish = (action: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      limits.signal?.removeEventListener('abort', onAbort);
      void worker.terminate();
      action();
    };
    const timer = setTimeout(
      () => finish(() => reject(new IsolatedEvaluationError('timeout', `exceeded the ${formatSeconds(timeoutMs)} evaluation limit`))),
      timeoutMs,
    );
    const onAbort = () => finish(() => reject(new IsolatedEvaluationError('aborted', 'evaluation cancelled')));
    limits.signal?.addEventListener('abort', onAbort);
    worker.on('message', (reply: EvaluationReply) =>
      finish(() => (reply.ok ? resolve(reply.results) : reject(new IsolatedEvaluationError('failed', reply.message, reply.entrypoint)))),
    );
    worker.on('error', (error: Error & { code?: string }) =>
      finish(() =>
        reject(
          error.code === 'ERR_WORKER_OUT_OF_MEMORY'
            ? new IsolatedEvaluationError('memory', `exceeded the ${limits.maxMemoryMb ?? 256} MiB memory limit`)
            : new IsolatedEvaluationError('failed', error.message),
        ),
      ),
    );
    worker.on('exit', (code) => finish(() => reject(new IsolatedEvaluationError('failed', `the evaluation worker stopped (exit code ${code})`))));
  });
}

function formatSeconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(3))} s`;
}
