import * as assert from 'node:assert/strict';
import { Worker } from 'node:worker_threads';
import { loadBundledPolicies } from '../../../src/core/checks/catalog';
import { findGrowByZero, patchHeapInit } from '../../../src/core/engine/heapInitPatch';

interface StartedPolicy {
  bytes: Uint8Array;
  heapPointer: number;
}
const wasmApi = (globalThis as unknown as {
  WebAssembly: {
    validate(bytes: Uint8Array): boolean;
    Memory: new (descriptor: { initial: number; maximum: number }) => { buffer: ArrayBuffer };
    instantiate(bytes: Uint8Array, imports: object): Promise<{ instance: { exports: Record<string, unknown> } }>;
  };
}).WebAssembly;

/** A policy's memory right after its start-up (in a fresh 32 MiB memory), and its heap pointer. */
async function startUp(wasm: Uint8Array): Promise<StartedPolicy> {
  const memory = new wasmApi.Memory({ initial: 512, maximum: 512 });
  const noop = () => 0;
  const { instance } = await wasmApi.instantiate(wasm, {
    env: { memory, opa_abort: noop, opa_println: noop, opa_builtin0: noop, opa_builtin1: noop, opa_builtin2: noop, opa_builtin3: noop, opa_builtin4: noop },
  });
  return { bytes: new Uint8Array(memory.buffer), heapPointer: (instance.exports.opa_heap_ptr_get as () => number)() };
}

/**
 * Instantiates `wasm` `count` times into one 256 MiB memory in a worker and counts the start-ups after which the
 * memory's ArrayBuffer was a new one: what V8 accounts as 256 MiB of new external memory, the collection's trigger.
 */
async function buffersReplacedByStartUp(wasm: Uint8Array, count: number): Promise<number> {
  const code = `
    const { parentPort, workerData } = require('node:worker_threads');
    (async () => {
      const memory = new WebAssembly.Memory({ initial: 4096, maximum: 4096 });
      const module = await WebAssembly.compile(workerData);
      const noop = () => 0;
      let replaced = 0;
      for (let i = 0; i < ${count}; i++) {
        const before = memory.buffer;
        await WebAssembly.instantiate(module, { env: { memory, opa_abort: noop, opa_println: noop, opa_builtin0: noop, opa_builtin1: noop, opa_builtin2: noop, opa_builtin3: noop, opa_builtin4: noop } });
        if (memory.buffer !== before) replaced++;
      }
      parentPort.postMessage(replaced);
    })();`;
  const worker = new Worker(code, { eval: true, workerData: wasm, resourceLimits: { maxOldGenerationSizeMb: 256 } });
  try {
    return await new Promise<number>((resolve, reject) => worker.once('message', resolve).once('error', reject));
  } finally {
    await worker.terminate();
  }
}

describe('the heap initialisation patch (heapInitPatch.ts)', function () {
  this.timeout(300_000);
  const bundled = loadBundledPolicies();

  it('finds the one grow by zero pages in OPA start-up of a policy from our compiler, and replaces it with a size read', () => {
    const site = findGrowByZero(bundled.wasm);
    assert.ok(site !== undefined, 'the runtime of this OPA version has its grow by zero where expected');
    assert.deepEqual([...bundled.wasm.subarray(site, site + 4)], [0x41, 0x00, 0x40, 0x00]);
    const patched = patchHeapInit(bundled.wasm);
    assert.deepEqual([...patched.subarray(site, site + 4)], [0x3f, 0x00, 0x01, 0x01]);
    // Nothing else changed, the original is left alone, and the module is valid.
    assert.equal(patched.length, bundled.wasm.length);
    assert.equal(patched.findIndex((byte, index) => byte !== bundled.wasm[index] && (index < site || index >= site + 4)), -1);
    assert.deepEqual([...bundled.wasm.subarray(site, site + 4)], [0x41, 0x00, 0x40, 0x00]);
    assert.ok(wasmApi.validate(patched));
  });

  it('no longer replaces the memory buffer at start-up (what made V8 collect garbage on every load)', async () => {
    assert.equal(await buffersReplacedByStartUp(bundled.wasm, 3), 3, 'the unpatched start-up replaces the buffer each time');
    assert.equal(await buffersReplacedByStartUp(patchHeapInit(bundled.wasm), 3), 0);
  });

  it('leaves a module it does not understand as it is', () => {
    const notWasm = new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    assert.equal(patchHeapInit(notWasm), notWasm);
    // A module cut short in its code section: unreadable, loaded unchanged (and then rejected by WebAssembly itself).
    const truncated = bundled.wasm.subarray(0, findGrowByZero(bundled.wasm)! - 100);
    assert.equal(patchHeapInit(truncated), truncated);
  });

  it('starts up into exactly the memory state of the original: statics, heap pointer and heap top alike', async () => {
    const [original, patched] = await Promise.all([startUp(bundled.wasm), startUp(patchHeapInit(bundled.wasm))]);
    assert.ok(original.heapPointer > 100_000, 'the heap starts after the runtime and the policy data');
    assert.equal(patched.heapPointer, original.heapPointer);
    // The whole memory, the allocator's heap top (the memory size the start-up read) included.
    assert.equal(Buffer.compare(patched.bytes, original.bytes), 0);
  });
});
