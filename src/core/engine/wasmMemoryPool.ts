/**
 * Memories of evicted policies, kept for the next policy a warm evaluation worker loads.
 *
 * Why: a policy's memory is reserved up front at its cap (policyEngine.ts explains why it is not grown), 256 MiB. V8
 * counts a new reservation as external memory, and a rise of more than half the isolate's old-generation limit (the
 * worker's is 256 MB) as external memory pressure, answered by a full, memory-reducing, atomic garbage collection:
 * 13-55 ms per policy edit in the worker, measured (with the one heapInitPatch.ts removes, two per edit). A memory an
 * evicted policy used costs none of that, and its pages are already mapped.
 *
 * Why a reused memory behaves as a fresh one:
 * - It is one, byte for byte, up to the highest heap address the engine saw its policy use (`release(memory,
 *   highWater)`): that much is zeroed before the memory is handed out. The engine reads OPA's heap pointer after the
 *   input is loaded and after each rule; OPA's allocator only lowers it when the host resets it, and its frees never
 *   return memory above it, so that mark bounds everything the policy wrote (wasmMemoryPool.test.ts checks that a
 *   reused memory is all zeros).
 * - Were the mark short, what lies above it would still not matter: a new instance's static area is rewritten by its
 *   data segments at instantiation (OPA's compiler adds a zero segment for its runtime's zero-initialised variables,
 *   because the memory is imported) and its allocator is set up by the start function (`opa_malloc_init`); and OPA's
 *   allocator never reads heap above its pointer before writing it, which is the state every evaluation but the first
 *   of a loaded policy runs in (the SDK and PolicyEngine reset the heap pointer, not the memory, between evaluations).
 *   PolicyEngine.load checks that the new instance's static area ends below the mark, and takes a fresh memory
 *   otherwise; the test fills a reused memory above its mark with garbage and compares with a fresh one.
 * A memory whose policy failed (possibly exhausted, its heap pointer unknown) is never released here: it is dropped.
 * The cap is the memory's maximum, so a memory is only reused for the same cap.
 */
// The project's lib settings carry no WebAssembly types (as in compilerWorker.ts): the little used is typed here.
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
}
const wasmApi = (globalThis as unknown as { WebAssembly: { Memory: new (descriptor: { initial: number; maximum: number }) => WasmMemory } }).WebAssembly;

/** A new memory of `pages` 64 KiB pages, reserved up front (initial = maximum). */
export function newWasmMemory(pages: number): WasmMemory {
  return new wasmApi.Memory({ initial: pages, maximum: pages });
}

export class WasmMemoryPool {
  /** Page count -> idle memories and the end of what their last instance used. */
  private readonly idle = new Map<number, { memory: WasmMemory; highWater: number }[]>();
  private reusedCount = 0;

  /** `capacity`: idle memories kept per size (each holds the pages its last policy touched). */
  constructor(private readonly capacity = 1) {}

  /**
   * A memory of `pages` 64 KiB pages, reserved up front (initial = maximum), and the address below which it is all
   * zeros: a reused memory zeroed up to its last instance's high-water mark, else a new one (zeros throughout).
   */
  acquire(pages: number): { memory: WasmMemory; zeroBelow: number } {
    const kept = this.idle.get(pages)?.pop();
    if (!kept) return { memory: newWasmMemory(pages), zeroBelow: pages * 65536 };
    this.reusedCount++;
    new Uint8Array(kept.memory.buffer).fill(0, 0, kept.highWater);
    return { memory: kept.memory, zeroBelow: kept.highWater };
  }

  /** Keeps a memory whose instance is no longer used; `highWater`: the highest heap address it was seen to use. */
  release(memory: WasmMemory, highWater: number): void {
    const pages = memory.buffer.byteLength / 65536;
    let memories = this.idle.get(pages);
    if (!memories) this.idle.set(pages, (memories = []));
    if (memories.length < this.capacity) memories.push({ memory, highWater: Math.min(highWater, memory.buffer.byteLength) });
  }

  /** How many memories were handed out again (diagnostics and tests). */
  get reused(): number {
    return this.reusedCount;
  }
}
