/**
 * Memories of evicted policies, kept for the next policy a warm evaluation worker loads.
 *
 * Why: a policy's memory is reserved up front at its cap (policyEngine.ts explains why it is not grown), 256 MiB. V8
 * counts each new reservation as external memory and answers it with full, memory-reducing garbage collections: two
 * per policy edit in the worker, 13-55 ms each, plus the page faults of a memory whose pages the kernel must zero again.
 * A memory of the same size that an evicted policy used costs none of that.
 *
 * Why a reused memory behaves as a fresh one (what a new policy instance can observe of the old one's writes):
 * - Below the new instance's heap: instantiation writes the data segments, and OPA's compiler emits them to cover the
 *   whole static area, its C runtime's zero-initialised variables included (OPA's internal/compiler/wasm adds a zero
 *   segment up to the runtime's `__heap_base` because the memory is imported), then the module's start function
 *   initialises the allocator at the new heap base (`opa_malloc_init`).
 * - The heap: OPA's allocator never reads memory above its heap pointer before writing it (a new block gets its
 *   header written; the free lists are emptied at start and by every `opa_heap_ptr_set`). Every evaluation but the
 *   first of a loaded policy already runs on the previous one's garbage: the SDK and PolicyEngine reset the heap
 *   pointer, not the memory, before each evaluation.
 * - And on top of both, what the old instance was seen to use, up to the highest heap pointer observed
 *   (`release(memory, highWater)`), is zeroed before the memory is handed out, so below that mark a reused memory is
 *   byte for byte a fresh one. PolicyEngine.load checks that the new instance's static area ends below that mark, and
 *   takes a fresh memory otherwise.
 * A memory whose policy failed (possibly exhausted, its heap pointer unknown) is never released here: it is dropped.
 * The cap is a property of the memory (its maximum), so a memory is only reused for the same cap.
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
