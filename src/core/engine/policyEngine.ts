import { loadPolicy, LoadedPolicy } from '@open-policy-agent/opa-wasm';
import { EntrypointGroup, groupEntrypoints } from './ruleEntrypoints';
import { createTimeBuiltins } from './timeBuiltins';

/** Upper bound of a policy's wasm memory. Credential reports are small; 256 MiB is far beyond any real evaluation. */
export const MAX_MEMORY_MIB = 256;

/**
 * The raw result of each document: for a package, `{rule: value}` of its decision rules (deny, warn_x, exception, ...)
 * that are defined, as `opa eval 'data.<package>'` prints them; for any other entrypoint (a query) its value, absent
 * when undefined.
 */
export type RawResults = Record<string, unknown>;

/**
 * A compiled policy.wasm loaded once and evaluated against one input per report. Its entrypoints are per rule
 * (`<package>/deny`, see ruleEntrypoints.ts); `evaluate` runs all of them in one pass per report, with the input
 * serialised once (never one call per row), and groups the results back per package.
 */
export class PolicyEngine {
  private evaluationTime = new Date(0);
  private readonly groups: Map<string, EntrypointGroup>;
  /** What `evaluate` returns by default: every package (and every non-rule entrypoint) of the module. */
  readonly documents: string[];

  private constructor(private readonly policy: LoadedPolicy, readonly entrypoints: string[], private readonly maxMemoryMib: number) {
    this.groups = groupEntrypoints(entrypoints);
    this.documents = [...this.groups.keys()];
  }

  static async load(wasm: Uint8Array, maxMemoryMib = MAX_MEMORY_MIB): Promise<PolicyEngine> {
    // The builtins read the engine's current evaluation time, so one loaded instance serves many evaluations.
    const clock = { engine: undefined as PolicyEngine | undefined };
    const builtins = createTimeBuiltins(() => clock.engine!.evaluationTime);
        // Capped: a runaway policy fails with an out-of-memory error instead of taking the host with it.
    // Reserved up front (initial = maximum), not grown: OPA's allocator grows the memory one 64 KiB page at a time, and
    // every growth makes V8 account a new external buffer and collect garbage; a 5,000-user report grew ~3,400 times
    // and its first evaluation took 20-100 s instead of ~1 s (BENCHMARKS.md). Untouched pages cost no resident memory.
    const pages = Math.ceil((maxMemoryMib * 1024 * 1024) / 65536);
    const policy = await loadPolicy(toArrayBuffer(wasm), { initial: pages, maximum: pages }, builtins);
    const entrypoints = Object.keys(policy.entrypoints as Record<string, number>);
    clock.engine = new PolicyEngine(policy, entrypoints, maxMemoryMib);
    return clock.engine;
  }

  /** `data` for every later evaluation (the parameters live under `data.params`). */
  setData(data: Record<string, unknown>): void {
    this.policy.setData(data);
  }

  /**
   * Evaluates every document (or those given: package paths, or raw wasm entrypoints) against one input, at one fixed
   * evaluation time.
   */
  evaluate(input: unknown, evaluationTime: Date, documents: string[] = this.documents): RawResults {
    this.evaluationTime = evaluationTime;
    // Serialised once: the SDK would otherwise stringify the input again for every entrypoint.
    const inputBuffer = toArrayBuffer(new TextEncoder().encode(JSON.stringify(input)));
    const results: RawResults = {};
    for (const document of documents) {
      const rules = this.groups.get(document)?.rules;
      if (!rules) {
        const value = this.evaluateEntrypoint(inputBuffer, document, document);
        if (value.defined) results[document] = value.result;
        continue;
      }
      // A package's document: its rules that are defined (an empty partial set is defined: []).
      const rulesOfPackage: Record<string, unknown> = {};
      for (const [name, entrypoint] of rules) {
        const value = this.evaluateEntrypoint(inputBuffer, entrypoint, document);
        if (value.defined) rulesOfPackage[name] = value.result;
      }
      results[document] = rulesOfPackage;
    }
    return results;
  }

  private evaluateEntrypoint(inputBuffer: ArrayBuffer, entrypoint: string, document: string): { defined: boolean; result?: unknown } {
    let resultSet: unknown;
    try {
      resultSet = this.policy.evaluate(inputBuffer, entrypoint);
    } catch (error) {
      const detail = describeError(error);
      // The wasm heap is capped (see load): say so instead of the SDK's allocator message.
      const message = /opa_malloc|memory access out of bounds|Maximum memory size/i.test(detail) ? `exceeded the ${this.maxMemoryMib} MiB policy memory limit (${detail})` : detail;
      throw new PolicyEvaluationError(document, message, entrypoint);
    }
    if (Array.isArray(resultSet) && resultSet.length > 0 && resultSet[0] && typeof resultSet[0] === 'object' && 'result' in resultSet[0]) {
      return { defined: true, result: (resultSet[0] as { result: unknown }).result };
    }
    return { defined: false };
  }
}

/**
 * An evaluation that failed at run time (a builtin error, memory exhausted): it names the package (`entrypoint`, the
 * document, so callers find its metadata); `rule` is the wasm entrypoint that failed.
 */
export class PolicyEvaluationError extends Error {
  constructor(readonly entrypoint: string, detail: string, readonly rule: string = entrypoint) {
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
