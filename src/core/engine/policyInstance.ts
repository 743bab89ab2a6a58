/**
 * Instantiates a policy.wasm the way @open-policy-agent/opa-wasm's `loadPolicy` does (OPA's wasm ABI, see
 * https://www.openpolicyagent.org/docs/wasm), with three differences that matter on every policy edit in the editor:
 *
 * - the caller gives the memory, so a warm evaluation worker reuses the memory of a policy it evicted
 *   (wasmMemoryPool.ts) instead of reserving a new 256 MiB one, which V8 answers with a full garbage collection;
 * - builtin calls (every `sprintf` of a policy is one, see regoSprintf.ts) cost the wasm's own JSON dump and parse of
 *   the arguments and the result, as in the SDK, but none of the SDK's per-call overhead on our side (a new TextDecoder
 *   and TextEncoder per value, a byte-by-byte scan for the terminating NUL, `arguments` copied into an array);
 * - the start-up's grow of the memory by zero pages is replaced by a read of its size (heapInitPatch.ts), which V8
 *   answered with another full collection.
 *
 * The rest is the SDK's: the loaded policy is its `LoadedPolicy` (data, entrypoints). A policy that calls a builtin the
 * SDK implements in JavaScript (its sprintf-js `sprintf` in an opa-built policy, `yaml.*`, `json.is_valid`,
 * `regex.split`) is loaded by the SDK itself, in a memory of its own: those implementations are not exported.
 */
import opaWasm, { loadPolicySync } from '@open-policy-agent/opa-wasm';
import type { LoadedPolicy } from '@open-policy-agent/opa-wasm';
import { patchHeapInit } from './heapInitPatch';
import type { WasmMemory } from './wasmMemoryPool';

interface WasmGlobal {
  value: unknown;
}
interface WasmInstance {
  exports: Record<string, unknown>;
}
const wasmApi = (globalThis as unknown as {
  WebAssembly: {
    instantiate(bytes: Uint8Array, imports: object): Promise<{ instance: WasmInstance; module: object }>;
    compile(bytes: ArrayBuffer): Promise<object>;
  };
}).WebAssembly;

export type HostBuiltin = (...args: unknown[]) => unknown;

/** The builtins @open-policy-agent/opa-wasm 1.10 answers itself (src/builtins/), before any custom builtin. */
export const SDK_BUILTINS: readonly string[] = ['json.is_valid', 'regex.split', 'sprintf', 'yaml.is_valid', 'yaml.marshal', 'yaml.unmarshal'];

/** A loaded policy and what it runs in. */
export interface PolicyInstance {
  policy: LoadedPolicy;
  memory: WasmMemory;
  /** False when the SDK loaded it (it calls an SDK builtin): its memory is the SDK's, not the one given. */
  inGivenMemory: boolean;
}

/** The OPA wasm ABI (v1) exports used by the host: https://www.openpolicyagent.org/docs/wasm#exports */
export interface OpaExports {
  opa_malloc(size: number): number;
  opa_json_parse(address: number, length: number): number;
  opa_json_dump(address: number): number;
  opa_heap_ptr_get(): number;
  opa_heap_ptr_set(address: number): void;
  opa_eval_ctx_new(): number;
  opa_eval_ctx_set_input(context: number, address: number): void;
  opa_eval_ctx_set_data(context: number, address: number): void;
  opa_eval_ctx_set_entrypoint(context: number, id: number): void;
  opa_eval_ctx_get_result(context: number): number;
  eval(context: number): number;
  builtins(): number;
  opa_wasm_abi_version?: WasmGlobal;
  opa_wasm_abi_minor_version?: WasmGlobal;
}

const decoder = new TextDecoder();
const encoder = new TextEncoder();

/**
 * Loads `wasm` into `memory` with `builtins` answering its host calls. Like the SDK, an unknown builtin fails when it
 * is called (not at load), and a builtin returning `undefined` makes the call undefined (a null address).
 */
export async function instantiatePolicy(wasm: Uint8Array, memory: WasmMemory, builtins: Record<string, HostBuiltin>): Promise<PolicyInstance> {
  const host = new BuiltinHost(memory, builtins);
  // Without the grow by zero pages OPA's start-up does, which V8 answers with a full garbage collection (heapInitPatch.ts).
  const { instance, module } = await wasmApi.instantiate(patchHeapInit(wasm), host.imports());
  const abi = instance.exports as unknown as OpaExports;
  checkAbiVersion(abi);
  const names = host.setInstance(abi);
  if (names.some((name) => SDK_BUILTINS.includes(name))) {
    // loadPolicySync on a module compiled here, not loadPolicy: the latter first asks whether it was given a fetch
    // `Response`, and that first use of the global makes Node load undici and node:http (~15 ms of a CLI run, issue 18).
    const pages = memory.buffer.byteLength / 65536;
    const policy = loadPolicySync((await wasmApi.compile(toArrayBuffer(wasm))) as Parameters<typeof loadPolicySync>[0], { initial: pages, maximum: pages }, builtins);
    return { policy, memory: policy.mem as WasmMemory, inGivenMemory: false };
  }
  const minorVersion = abi.opa_wasm_abi_minor_version?.value as number | undefined;
  // The SDK's own wrapper: it loads the empty data document and reads the entrypoints, as after its loadPolicy.
  // The class through the default export (the bundles alias the package to its CommonJS entry, scripts/build.mjs).
  const { LoadedPolicy: Loaded } = opaWasm;
  const policy = new Loaded({ instance, module } as unknown as ConstructorParameters<typeof Loaded>[0], memory as ConstructorParameters<typeof Loaded>[1], minorVersion);
  return { policy, memory, inGivenMemory: true };
}

/** The SDK refuses any ABI but 1 (opa.js, _preparePolicy): so do we. */
function checkAbiVersion(abi: OpaExports): void {
  const version = abi.opa_wasm_abi_version?.value as number | undefined;
  if (version !== undefined && version !== 1) throw new Error(`unsupported OPA wasm ABI version ${version}`);
}

/** The host side of a policy's imports: abort, println and the builtin calls, over the policy's memory. */
class BuiltinHost {
  private abi: OpaExports | undefined;
  /** Builtin id (as the policy numbers them) -> name. */
  private names: string[] = [];
  /** The memory as bytes; replaced when the memory grows (growing detaches the old buffer). */
  private bytes: Uint8Array;

  constructor(
    private readonly memory: WasmMemory,
    private readonly builtins: Record<string, HostBuiltin>,
  ) {
    this.bytes = new Uint8Array(memory.buffer);
  }

  /** Reads the policy's builtin table (its `builtins()` export, `{name: id}`); returns the names. */
  setInstance(abi: OpaExports): string[] {
    this.abi = abi;
    const table = this.read(abi.builtins()) as Record<string, number>;
    for (const [name, id] of Object.entries(table)) this.names[id] = name;
    return Object.keys(table);
  }

  imports(): object {
    return {
      env: {
        memory: this.memory,
        // As the SDK: the abort message is thrown as a string (PolicyEngine words memory exhaustion from it).
        opa_abort: (address: number) => {
          throw this.text(address);
        },
        opa_println: (address: number) => console.log(this.text(address)),
        opa_builtin0: (id: number) => this.call(id, []),
        opa_builtin1: (id: number, _context: number, a: number) => this.call(id, [a]),
        opa_builtin2: (id: number, _context: number, a: number, b: number) => this.call(id, [a, b]),
        opa_builtin3: (id: number, _context: number, a: number, b: number, c: number) => this.call(id, [a, b, c]),
        opa_builtin4: (id: number, _context: number, a: number, b: number, c: number, d: number) => this.call(id, [a, b, c, d]),
      },
    };
  }

  private call(id: number, addresses: number[]): number {
    const name = this.names[id];
    const builtin = name === undefined ? undefined : this.builtins[name];
    // The SDK's error, word for word (it is what a policy calling a builtin nobody implements reports).
    if (!builtin) throw { message: `not implemented: built-in function ${id}: ${name}` };
    const args = addresses.map((address) => this.read(address));
    return this.write(builtin(...args));
  }

  /** A value of the policy's memory as JSON (opa_json_dump, then JSON.parse): the SDK's _dumpJSON. */
  private read(address: number): unknown {
    const text = this.abi!.opa_json_dump(address);
    const bytes = this.view();
    const end = bytes.indexOf(0, text);
    return JSON.parse(decoder.decode(bytes.subarray(text, end < 0 ? bytes.length : end)));
  }

  /**
   * A builtin's result into the policy's memory: the SDK's _loadJSON, allocation for allocation (the same size, so the
   * heap and the point where a capped memory runs out stay as with the SDK). An ArrayBuffer is JSON text already.
   */
  private write(value: unknown): number {
    if (value === undefined) return 0;
    const json = value instanceof ArrayBuffer ? new Uint8Array(value) : encoder.encode(JSON.stringify(value));
    const address = this.abi!.opa_malloc(json.byteLength);
    this.view().set(json, address);
    const parsed = this.abi!.opa_json_parse(address, json.byteLength);
    if (parsed === 0) throw 'failed to parse json value';
    return parsed;
  }

  /** A NUL-terminated string of the policy (abort and println messages). */
  private text(address: number): string {
    const bytes = this.view();
    const end = bytes.indexOf(0, address);
    return decoder.decode(bytes.subarray(address, end < 0 ? bytes.length : end));
  }

  private view(): Uint8Array {
    if (this.bytes.buffer !== this.memory.buffer) this.bytes = new Uint8Array(this.memory.buffer);
    return this.bytes;
  }
}

function toArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}
