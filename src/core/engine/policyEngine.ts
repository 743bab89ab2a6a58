import type { LoadedPolicy } from '@open-policy-agent/opa-wasm';
import { attachPrints, INTERNAL_PRINT, PrintCapture } from './policyPrints';
import { instantiatePolicy, OpaExports, PolicyInstance } from './policyInstance';
import { EntrypointGroup, groupEntrypoints } from './ruleEntrypoints';
import { regoSprintf } from './regoSprintf';
import { createTimeBuiltins } from './timeBuiltins';
import { newWasmMemory, WasmMemoryPool } from './wasmMemoryPool';

/** The builtin name the embedded compiler gives sprintf calls (compiler/sprintf.go). */
export const HOST_SPRINTF = 'credcheck.sprintf';

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
  /** print() output of the current evaluation (policyPrints.ts). */
  private prints = new PrintCapture();
  private readonly groups: Map<string, EntrypointGroup>;
  /** What `evaluate` returns by default: every package (and every non-rule entrypoint) of the module. */
  readonly documents: string[];
  /**
   * Called before each entrypoint runs. The evaluation worker reports it to the host, which cannot ask a worker stuck
   * in a runaway loop which rule it is in, and names that rule when it stops the worker at the time limit.
   */
  onEntrypoint?: (entrypoint: string) => void;

  /** The highest heap address seen in use: what a memory pool must zero before another policy gets the memory. */
  private heapHighWater = 0;
  /** Cleared by an evaluation that failed (its memory may be exhausted) and by `release`. */
  private memoryReusable = true;
  private readonly policy: LoadedPolicy;

  private constructor(private readonly instance: PolicyInstance, readonly entrypoints: string[], private readonly maxMemoryMib: number) {
    this.policy = instance.policy;
    this.groups = groupEntrypoints(entrypoints);
    this.documents = [...this.groups.keys()];
    this.heapHighWater = this.exports().opa_heap_ptr_get();
  }

  /**
   * `memories`: where the policy's memory comes from and goes back to (`release`), for a caller that loads policy after
   * policy (the evaluation worker); without it, a new memory.
   */
  static async load(wasm: Uint8Array, maxMemoryMib = MAX_MEMORY_MIB, memories?: WasmMemoryPool): Promise<PolicyEngine> {
    // The builtins read the engine's current evaluation time, so one loaded instance serves many evaluations.
    const clock = { engine: undefined as PolicyEngine | undefined };
    const builtins = {
      ...undefinedOnError({
        ...createTimeBuiltins(() => clock.engine!.evaluationTime),
        // The embedded compiler renames every sprintf call to this (compiler/sprintf.go): the SDK's own sprintf is
        // sprintf-js, not Go's fmt, and the SDK consults its own builtins first.
        [HOST_SPRINTF]: (format: unknown, values: unknown) => regoSprintf(format as string, values as unknown[]),
      }),
      // What the compiler turns print() into (compiler/print.go). Void in OPA: the wasm ignores the value. Not under
      // undefinedOnError: an undefined print would make its rule undefined, which a print never does.
      [INTERNAL_PRINT]: (operands: unknown) => {
        clock.engine!.prints.capture(operands);
        return true;
      },
    };
    // Capped: a runaway policy fails with an out-of-memory error instead of taking the host with it.
    // Reserved up front (initial = maximum), not grown: OPA's allocator grows the memory one 64 KiB page at a time, and
    // every growth makes V8 account a new external buffer and collect garbage; a 5,000-user report grew ~3,400 times
    // and its first evaluation took 20-100 s instead of ~1 s (BENCHMARKS.md). Untouched pages cost no resident memory.
    const pages = Math.ceil((maxMemoryMib * 1024 * 1024) / 65536);
    const given = memories?.acquire(pages) ?? { memory: newWasmMemory(pages), zeroBelow: pages * 65536 };
    let instance = await instantiatePolicy(wasm, given.memory, builtins);
    if (instance.inGivenMemory && (instance.policy.baseHeapPtr as number) > given.zeroBelow) {
      // Its static area reaches past what was zeroed (wasmMemoryPool.ts): a fresh memory, not a doubtful one.
      instance = await instantiatePolicy(wasm, newWasmMemory(pages), builtins);
    }
    const entrypoints = Object.keys(instance.policy.entrypoints as Record<string, number>);
    clock.engine = new PolicyEngine(instance, entrypoints, maxMemoryMib);
    return clock.engine;
  }

  /**
   * Hands the policy's memory to `memories` for the next policy; the engine must not be used after. A memory whose
   * evaluation failed is not handed on (it may be exhausted): it is left to the garbage collector.
   */
  release(memories: WasmMemoryPool): void {
    if (this.memoryReusable) memories.release(this.instance.memory, this.heapHighWater);
    this.memoryReusable = false;
  }

  /** `data` for every later evaluation (the parameters live under `data.params`). */
  setData(data: Record<string, unknown>): void {
    this.policy.setData(data);
    this.observeHeap();
  }

  /**
   * Evaluates every document (or those given: package paths, or raw wasm entrypoints) against one input, at one fixed
   * evaluation time.
   */
  evaluate(input: unknown | JsonInput, evaluationTime: Date, documents: string[] = this.documents): RawResults {
    this.evaluationTime = evaluationTime;
    this.prints = new PrintCapture();
    try {
      return this.evaluateDocuments(input, documents);
    } catch (error) {
      this.memoryReusable = false;
      throw error;
    }
  }

  private evaluateDocuments(input: unknown, documents: string[]): RawResults {
    const session = this.loadInput(input);
    const results: RawResults = {};
    for (const document of documents) {
      const rules = this.groups.get(document)?.rules;
      if (!rules) {
        const value = this.evaluateEntrypoint(session, document, document);
        if (value.defined) results[document] = value.result;
        continue;
      }
      // A package's document: its rules that are defined (an empty partial set is defined: []).
      const rulesOfPackage: Record<string, unknown> = {};
      for (const [name, entrypoint] of rules) {
        const value = this.evaluateEntrypoint(session, entrypoint, document);
        if (value.defined) rulesOfPackage[name] = value.result;
      }
      results[document] = rulesOfPackage;
    }
    // The prints travel with the results, out of sight of code that walks the documents (printsOf reads them).
    return attachPrints(results, this.prints.lines());
  }

  /**
   * Parses the input into the policy's memory once for all the entrypoints of one evaluation. The SDK's `evaluate`
   * parses the input again on every call: with one call per rule that was 14 parses of the ~11 MB input of a
   * 5,000-user report (41 ms each) plus the work they left behind. This uses the same OPA wasm ABI calls as the SDK's
   * non-fast path (opa_json_parse, opa_eval_ctx_*), with the heap reset to just after the input before each
   * entrypoint, so every rule starts from the same memory state as a fresh `evaluate` would.
   */
  private loadInput(input: unknown): InputSession {
    const exports = this.exports();
    exports.opa_heap_ptr_set(this.policy.dataHeapPtr as number);
    // The JSON text is encoded straight into the policy's memory: no intermediate copy of a ~11 MB buffer per report.
    const json = input instanceof JsonInput ? undefined : JSON.stringify(input);
    const length = input instanceof JsonInput ? input.bytes.byteLength : Buffer.byteLength(json!);
    let address: number;
    try {
      const raw = exports.opa_malloc(length);
      const target = new Uint8Array(this.policy.mem.buffer, raw, length);
      if (input instanceof JsonInput) target.set(input.bytes);
      else new TextEncoder().encodeInto(json!, target);
      address = exports.opa_json_parse(raw, length);
    } catch (error) {
      const detail = describeError(error);
      if (isMemoryExhausted(detail)) throw new PolicyEvaluationError('input', describeMemoryLimit(this.maxMemoryMib, detail), 'input', this.maxMemoryMib);
      throw new PolicyEvaluationError('input', detail);
    }
    if (address === 0) throw new PolicyEvaluationError('input', 'the policy runtime could not parse the input JSON');
    return { address, heapAfterInput: this.observeHeap() };
  }

  private evaluateEntrypoint(session: InputSession, entrypoint: string, document: string): { defined: boolean; result?: unknown } {
    const id = (this.policy.entrypoints as Record<string, number>)[entrypoint];
    if (id === undefined) throw new PolicyEvaluationError(document, `no entrypoint ${entrypoint} in this policy`, entrypoint);
    const exports = this.exports();
    this.onEntrypoint?.(entrypoint);
    let resultSet: unknown;
    try {
      exports.opa_heap_ptr_set(session.heapAfterInput);
      const context = exports.opa_eval_ctx_new();
      exports.opa_eval_ctx_set_input(context, session.address);
      exports.opa_eval_ctx_set_data(context, this.policy.dataAddr as number);
      exports.opa_eval_ctx_set_entrypoint(context, id);
      exports.eval(context);
      resultSet = this.readJson(exports.opa_json_dump(exports.opa_eval_ctx_get_result(context)));
      this.observeHeap();
    } catch (error) {
      const detail = describeError(error);
      // The wasm heap is capped (see load): say so instead of the allocator's message.
      if (isMemoryExhausted(detail)) throw new PolicyEvaluationError(document, describeMemoryLimit(this.maxMemoryMib, detail), entrypoint, this.maxMemoryMib);
      throw new PolicyEvaluationError(document, detail, entrypoint);
    }
    if (Array.isArray(resultSet) && resultSet.length > 0 && resultSet[0] && typeof resultSet[0] === 'object' && 'result' in resultSet[0]) {
      return { defined: true, result: (resultSet[0] as { result: unknown }).result };
    }
    return { defined: false };
  }

  /** A NUL-terminated JSON text in the policy's memory (what opa_json_dump returns). */
  private readJson(address: number): unknown {
    const memory = new Uint8Array(this.policy.mem.buffer);
    const end = memory.indexOf(0, address);
    return JSON.parse(new TextDecoder().decode(memory.subarray(address, end < 0 ? memory.length : end)));
  }

  /** The heap pointer now, kept as the high-water mark if it is the highest yet. */
  private observeHeap(): number {
    const pointer = this.exports().opa_heap_ptr_get();
    if (pointer > this.heapHighWater) this.heapHighWater = pointer;
    return pointer;
  }

  private exports(): OpaExports {
    const instance = this.policy.wasmInstance;
    return ('instance' in instance ? instance.instance : instance).exports as unknown as OpaExports;
  }
}

/**
 * Host builtins as OPA runs them with strict builtin errors off (its default, and what `opa eval` and `opa test` do):
 * a builtin that fails on its arguments (`time.parse_rfc3339_ns(null)`, a leap second, an unknown time zone) makes
 * that one expression undefined, and the rest of the rule and the policy go on. A throw would instead unwind through
 * the wasm and fail the whole entrypoint, every finding of the rule with it. Returning `undefined` makes the SDK hand
 * the wasm a null address, which the compiled policy reads as an undefined call (OPA's wasm ABI).
 */
export function undefinedOnError(builtins: Record<string, (...args: unknown[]) => unknown>): Record<string, (...args: unknown[]) => unknown> {
  return Object.fromEntries(
    Object.entries(builtins).map(([name, builtin]) => [
      name,
      (...args: unknown[]) => {
        try {
          return builtin(...args);
        } catch {
          return undefined;
        }
      },
    ]),
  );
}

/**
 * An input already serialised to JSON (UTF-8), e.g. kept by a warm evaluation worker: serialising a 5,000-user input
 * costs ~28 ms, more than evaluating a small user policy against it.
 */
export class JsonInput {
  constructor(readonly bytes: Uint8Array) {}

  static of(input: unknown): JsonInput {
    return new JsonInput(new TextEncoder().encode(JSON.stringify(input)));
  }
}

/** The parsed input of one evaluation, and the heap position every entrypoint starts from. */
interface InputSession {
  address: number;
  heapAfterInput: number;
}

/**
 * An evaluation that failed at run time (a builtin error, memory exhausted): it names the package (`entrypoint`, the
 * document, so callers find its metadata); `rule` is the wasm entrypoint that failed.
 */
export class PolicyEvaluationError extends Error {
  constructor(
    readonly entrypoint: string,
    readonly detail: string,
    readonly rule: string = entrypoint,
    /** Set when the evaluation ran out of its capped wasm memory: the cap, in MiB. */
    readonly memoryLimitMib?: number,
  ) {
    super(`evaluating ${entrypoint.replace(/\//g, '.')}: ${detail}`);
  }
}

function isMemoryExhausted(detail: string): boolean {
  return /opa_malloc|memory access out of bounds|Maximum memory size/i.test(detail);
}

/**
 * Worded for what happened: OPA's wasm frees nothing during an evaluation, so a loop that is merely long (a CPU-heavy
 * comprehension) runs out of memory before any time limit, and "memory" alone would look like a wrong diagnosis.
 */
export function describeMemoryLimit(limitMib: number, detail?: string): string {
  const hint = "OPA's wasm keeps every intermediate value until the evaluation ends, so a large loop exhausts memory";
  return `stopped by the ${limitMib} MiB wasm memory limit: ${hint}${detail ? ` (${detail})` : ''}`;
}

function describeError(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (error && typeof error === 'object' && 'message' in error) return String((error as { message: unknown }).message);
  return String(error);
}
