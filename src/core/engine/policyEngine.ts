import { loadPolicy, LoadedPolicy } from '@open-policy-agent/opa-wasm';
import { createTimeBuiltins } from './timeBuiltins';

/** Upper bound of a policy's wasm memory. Credential reports are small; 256 MiB is far beyond any real evaluation. */
export const MAX_MEMORY_MIB = 256;

/** The raw document of each entrypoint (package), as `opa eval 'data.<package>'` would print it; absent when undefined. */
export type RawResults = Record<string, unknown>;

/**
 * A compiled policy.wasm loaded once and evaluated against one input per report. Each entrypoint is one package, so one
 * `evaluate` call per package per report returns every rule of the package at once (never one call per row).
 */
export class PolicyEngine {
  private evaluationTime = new Date(0);

  private constructor(private readonly policy: LoadedPolicy, readonly entrypoints: string[], private readonly maxMemoryMib: number) {}

  static async load(wasm: Uint8Array, maxMemoryMib = MAX_MEMORY_MIB): Promise<PolicyEngine> {
    // The builtins read the engine's current evaluation time, so one loaded instance serves many evaluations.
    const clock = { engine: undefined as PolicyEngine | undefined };
    const builtins = createTimeBuiltins(() => clock.engine!.evaluationTime);
        // Capped: a runaway policy fails with an out-of-memory error instead of taking the host with it.
    const policy = await loadPolicy(toArrayBuffer(wasm), { initial: 5, maximum: Math.ceil((maxMemoryMib * 1024 * 1024) / 65536) }, builtins);
    const entrypoints = Object.keys(policy.entrypoints as Record<string, number>);
    clock.engine = new PolicyEngine(policy, entrypoints, maxMemoryMib);
    return clock.engine;
  }

  /** `data` for every later evaluation (the parameters live under `data.params`). */
  setData(data: Record<string, unknown>): void {
    this.policy.setData(data);
  }

  /** Evaluates every entrypoint (or those given) against one input, at one fixed evaluation time. */
  evaluate(input: unknown, evaluationTime: Date, entrypoints: string[] = this.entrypoints): RawResults {
    this.evaluationTime = evaluationTime;
    // Serialised once: the SDK would otherwise stringify the input again for every entrypoint.
    const inputBuffer = toArrayBuffer(new TextEncoder().encode(JSON.stringify(input)));
    const results: RawResults = {};
    for (const entrypoint of entrypoints) {
      let resultSet: unknown;
      try {
        resultSet = this.policy.evaluate(inputBuffer, entrypoint);
      } catch (error) {
        const detail = describeError(error);
        // The wasm heap is capped (see load): say so instead of the SDK's allocator message.
        throw new PolicyEvaluationError(entrypoint, /opa_malloc|memory access out of bounds|Maximum memory size/i.test(detail) ? `exceeded the ${this.maxMemoryMib} MiB policy memory limit (${detail})` : detail);
      }
      if (Array.isArray(resultSet) && resultSet.length > 0 && resultSet[0] && typeof resultSet[0] === 'object' && 'result' in resultSet[0]) {
        results[entrypoint] = (resultSet[0] as { result: unknown }).result;
      }
    }
    return results;
  }
}

/** An evaluation that failed at run time (a builtin error, memory exhausted): it names the package. */
export class PolicyEvaluationError extends Error {
  constructor(readonly entrypoint: string, detail: string) {
    super(`evaluating ${entrypoint.replace(/\//g, '.')}: ${detail}`);
  }
}

function describeError(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (error && typeof error === 'object' && 'message' in error) return String((error as { message: unknown }).message);
  return String(error);
}

function toArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}
