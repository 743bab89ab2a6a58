/**
 * Worker-thread entry that evaluates user policies, so a runaway policy (an endless comprehension, a memory bomb) can
 * be terminated by the host without taking the CLI or the extension host down. Bundled to dist/evaluationWorker.js.
 *
 * The worker stays warm between evaluations (isolatedEvaluation.ts): it keeps the inputs it was sent, as JSON bytes,
 * by id, and the last policy it loaded, so a policy edit in the editor costs one message with the new wasm instead of
 * a new thread, a structured clone of every report and a re-instantiated module.
 */
import { createHash } from 'node:crypto';
import { MessagePort, parentPort } from 'node:worker_threads';
import { JsonInput, PolicyEngine, PolicyEvaluationError, RawResults } from './policyEngine';
import { PolicyPrint, printsOf } from './policyPrints';
import { WasmMemoryPool } from './wasmMemoryPool';

/** What the host sends. Inputs are sent once (`store`) and named by id in later evaluations. */
export type EvaluationRequest =
  | { kind: 'store'; id: number; json: Uint8Array }
  | { kind: 'forget'; ids: number[] }
  | {
      kind: 'evaluate';
      wasm: Uint8Array;
      data: Record<string, unknown>;
      /** Cap of the policy's wasm memory, MiB (default MAX_MEMORY_MIB). */
      maxWasmMemoryMb?: number;
      /** One stored input per report, each with its own evaluation time (ISO 8601). */
      inputs: { id: number; evaluationTime: string }[];
      /** The documents (packages) to evaluate; default every one of the module. */
      documents?: string[];
    };

export type EvaluationReply =
  /** `prints`: each input's print() output (a structured clone drops what attachPrints put on the results). */
  | { ok: true; results: RawResults[]; prints?: PolicyPrint[][] }
  | {
      ok: false;
      message: string;
      /** The package that failed; `rule` the wasm entrypoint (`<package>/<rule>`). */
      entrypoint?: string;
      rule?: string;
      /** Set when the policy ran out of its capped wasm memory. */
      memoryLimitMib?: number;
      detail?: string;
    };

/** Sent before each rule runs, so the host can name the rule a worker was stopped in. */
export interface EvaluationProgress {
  running: string;
}

/**
 * Sent when the worker starts on an evaluation: the host's time limit counts from here, so a cold worker thread or the
 * inputs queued before it (our own work, slow only on a loaded machine) never count against the policy.
 */
export interface EvaluationStarted {
  started: true;
}

const inputs = new Map<number, JsonInput>();
/**
 * Loaded policies, most recently used last. Workspace policies are evaluated one unit (policy file) after another, so
 * a few are kept: an edit to one policy then reloads only that one.
 */
const loaded = new Map<string, PolicyEngine>();
const MAX_LOADED_POLICIES = 4;
/** The memory of an evicted policy serves the next one loaded (wasmMemoryPool.ts: why, and why it is sound). */
const memories = new WasmMemoryPool();

async function evaluate(request: Extract<EvaluationRequest, { kind: 'evaluate' }>, port: MessagePort): Promise<EvaluationReply> {
  // The same policy against a changed report reuses its instance: loading is wasm compilation plus OPA's start-up.
  const key = `${request.maxWasmMemoryMb ?? ''}:${createHash('sha256').update(request.wasm).digest('hex')}`;
  try {
    let engine = loaded.get(key);
    if (engine) loaded.delete(key);
    else {
      // Evicted first, so the new policy gets its memory.
      if (loaded.size >= MAX_LOADED_POLICIES) evict(loaded.keys().next().value!);
      engine = await PolicyEngine.load(request.wasm, request.maxWasmMemoryMb, memories);
    }
    loaded.set(key, engine);
    engine.setData(request.data);
    // The time limit starts once the policy is loaded: loading it is our work (a cold thread on a busy machine can
    // take seconds), and a policy stopped before its first rule could not be told which rule ran away.
    port.postMessage({ started: true } satisfies EvaluationStarted);
    engine.onEntrypoint = (running) => port.postMessage({ running } satisfies EvaluationProgress);
    const results = request.inputs.map(({ id, evaluationTime }) => {
      const input = inputs.get(id);
      if (!input) throw new Error(`internal error: input ${id} was not sent to the evaluation worker`);
      return engine.evaluate(input, new Date(evaluationTime), request.documents);
    });
    return { ok: true, results, prints: results.map(printsOf) };
  } catch (error) {
    // A failed evaluation may have left the instance's memory exhausted: start the next one from a fresh instance.
    loaded.delete(key);
    if (error instanceof PolicyEvaluationError) {
      return { ok: false, message: error.message, entrypoint: error.entrypoint, rule: error.rule, memoryLimitMib: error.memoryLimitMib, detail: error.detail };
    }
    return { ok: false, message: error instanceof Error ? error.message : String(error) };
  }
}

function evict(key: string): void {
  loaded.get(key)?.release(memories);
  loaded.delete(key);
}

if (parentPort) {
  const port = parentPort;
  // Requests are handled one at a time, in order: the host sends the inputs an evaluation needs before the evaluation.
  let queue = Promise.resolve();
  port.on('message', (request: EvaluationRequest) => {
    queue = queue.then(async () => {
      if (request.kind === 'store') inputs.set(request.id, new JsonInput(request.json));
      else if (request.kind === 'forget') for (const id of request.ids) inputs.delete(id);
      else {
        port.postMessage(await evaluate(request, port));
      }
    });
  });
}
