/**
 * Worker-thread entry that evaluates user policies, so a runaway policy (an endless comprehension, a memory bomb) can
 * be terminated by the host without taking the CLI or the extension host down. Bundled to dist/evaluationWorker.js.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { PolicyEngine, PolicyEvaluationError, RawResults } from './policyEngine';

export interface EvaluationJob {
  wasm: Uint8Array;
  data: Record<string, unknown>;
  /** Cap of the policy's wasm memory, MiB (default MAX_MEMORY_MIB). */
  maxWasmMemoryMb?: number;
  /** One input per report, each with its own evaluation time (ISO 8601). */
  inputs: { input: unknown; evaluationTime: string }[];
}

export type EvaluationReply = { ok: true; results: RawResults[] } | { ok: false; message: string; entrypoint?: string };

async function run(job: EvaluationJob): Promise<EvaluationReply> {
  try {
    const engine = await PolicyEngine.load(job.wasm, job.maxWasmMemoryMb);
    engine.setData(job.data);
    return { ok: true, results: job.inputs.map(({ input, evaluationTime }) => engine.evaluate(input, new Date(evaluationTime))) };
  } catch (error) {
    if (error instanceof PolicyEvaluationError) return { ok: false, message: error.message, entrypoint: error.entrypoint };
    return { ok: false, message: error instanceof Error ? error.message : String(error) };
  }
}

if (parentPort && workerData) {
  const port = parentPort;
  void run(workerData as EvaluationJob).then((reply) => port.postMessage(reply));
}
