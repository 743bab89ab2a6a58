/**
 * One instruction of OPA's runtime replaced, in the policy's copy of it, by its exact equivalent, because V8 charges the
 * original a full garbage collection in the evaluation worker on every policy load.
 *
 * The module's start function calls `opa_malloc_init`, which reads the memory size as C's
 * `__builtin_wasm_memory_grow(0, 0)`: `i32.const 0; memory.grow 0`. A grow by zero pages changes nothing in the memory,
 * but V8 still detaches the memory's ArrayBuffer and makes a new one (the JS API refreshes the buffer on every grow).
 * Detaching lowers V8's count of external memory by the whole memory (256 MiB) and the new buffer raises it again;
 * a rise of more than half the isolate's old-generation limit since the lowest point (the worker's limit is 256 MB, so
 * 128 MB) is "external memory pressure", answered by a full, memory-reducing, atomic collection: 13-55 ms in the worker
 * per policy edit, measured. `memory.size 0` returns the same number (a grow by 0 returns the old size and cannot fail)
 * without touching the buffer; two `nop`s keep every offset of the module as it was.
 *
 * Only that function is touched, found by its name in the module's name section, and only if its body decodes as the
 * straight-line code it is (stores of constants and of its parameter, one `memory.grow` of a constant 0); anything
 * else (another OPA version, no name section) is loaded unchanged and costs the collection, nothing more.
 */

/** What replaces `i32.const 0; memory.grow 0` (41 00 40 00): `memory.size 0; nop; nop`. */
const MEMORY_SIZE = [0x3f, 0x00, 0x01, 0x01];

/** The function whose grow-by-zero is replaced (OPA's wasm/src/malloc.c). */
const HEAP_INIT_FUNCTION = 'opa_malloc_init';

/** `wasm` with the heap initialisation reading the memory size instead of growing by zero, or `wasm` itself. */
export function patchHeapInit(wasm: Uint8Array): Uint8Array {
  let site: number | undefined;
  try {
    site = findGrowByZero(wasm);
  } catch {
    site = undefined; // a module this reader does not understand: loaded as it is
  }
  if (site === undefined) return wasm;
  const patched = wasm.slice();
  patched.set(MEMORY_SIZE, site);
  return patched;
}

/** Offset of the `i32.const 0; memory.grow 0` in opa_malloc_init's body, if its body is what we expect. */
export function findGrowByZero(wasm: Uint8Array): number | undefined {
  const reader = new Reader(wasm);
  if (reader.u32le() !== 0x6d736100 || reader.u32le() !== 1) return undefined; // "\0asm", version 1
  let importedFunctions = 0;
  let functionIndex: number | undefined;
  let code: { start: number; end: number } | undefined;
  while (!reader.done()) {
    const id = reader.byte();
    const size = reader.uleb();
    const start = reader.offset;
    const end = start + size;
    if (id === 2) importedFunctions = countImportedFunctions(reader);
    else if (id === 10) code = { start, end };
    else if (id === 0 && reader.name() === 'name') functionIndex = findFunctionName(reader, end, HEAP_INIT_FUNCTION);
    reader.offset = end;
  }
  if (functionIndex === undefined || code === undefined || functionIndex < importedFunctions) return undefined;
  reader.offset = code.start;
  const bodies = reader.uleb();
  const wanted = functionIndex - importedFunctions;
  if (wanted >= bodies) return undefined;
  for (let index = 0; index < wanted; index++) {
    const size = reader.uleb();
    reader.offset += size;
  }
  const bodySize = reader.uleb();
  return growByZeroIn(reader, reader.offset + bodySize);
}

/**
 * Decodes a straight-line body (locals, then constants, local accesses, loads, stores, integer arithmetic, memory
 * size or grow, `end`) and returns where its single `i32.const 0; memory.grow 0` is; undefined for anything else.
 */
function growByZeroIn(reader: Reader, end: number): number | undefined {
  const localGroups = reader.uleb();
  for (let group = 0; group < localGroups; group++) {
    reader.uleb();
    reader.byte();
  }
  let site: number | undefined;
  let previous: { opcode: number; offset: number; constant?: number } | undefined;
  while (reader.offset < end) {
    const offset = reader.offset;
    const opcode = reader.byte();
    let constant: number | undefined;
    if (opcode === 0x41 || opcode === 0x42) constant = reader.sleb(); // i32.const, i64.const
    else if (opcode >= 0x20 && opcode <= 0x22) reader.uleb(); // local.get, local.set, local.tee
    else if (opcode >= 0x28 && opcode <= 0x3e) {
      reader.uleb(); // load/store: alignment, offset
      reader.uleb();
    } else if (opcode === 0x3f || opcode === 0x40) {
      if (reader.byte() !== 0) return undefined; // memory index 0
      if (opcode === 0x40) {
        if (site !== undefined || previous?.opcode !== 0x41 || previous.constant !== 0 || reader.offset - previous.offset !== 4) return undefined;
        site = previous.offset;
      }
    } else if (opcode === 0x0b) {
      return reader.offset === end ? site : undefined;
    } else if (!(opcode >= 0x45 && opcode <= 0x8a)) return undefined; // integer comparisons and arithmetic only
    previous = { opcode, offset, constant };
  }
  return undefined;
}

function countImportedFunctions(reader: Reader): number {
  let functions = 0;
  const count = reader.uleb();
  for (let index = 0; index < count; index++) {
    reader.name();
    reader.name();
    const kind = reader.byte();
    if (kind === 0) {
      reader.uleb();
      functions++;
    } else if (kind === 1) {
      reader.byte();
      limits(reader);
    } else if (kind === 2) limits(reader);
    else if (kind === 3) {
      reader.byte();
      reader.byte();
    } else throw new Error(`unknown import kind ${kind}`);
  }
  return functions;
}

function limits(reader: Reader): void {
  const flags = reader.uleb();
  reader.uleb();
  if (flags & 1) reader.uleb();
}

/** The function names subsection (id 1) of a name section: the index of `wanted`. */
function findFunctionName(reader: Reader, end: number, wanted: string): number | undefined {
  while (reader.offset < end) {
    const id = reader.byte();
    const size = reader.uleb();
    const next = reader.offset + size;
    if (id === 1) {
      const count = reader.uleb();
      for (let entry = 0; entry < count; entry++) {
        const index = reader.uleb();
        if (reader.name() === wanted) return index;
      }
    }
    reader.offset = next;
  }
  return undefined;
}

/** Reads a wasm binary: bytes, LEB128 integers, names; throws past the end. */
class Reader {
  offset = 0;

  constructor(private readonly bytes: Uint8Array) {}

  done(): boolean {
    return this.offset >= this.bytes.length;
  }

  byte(): number {
    if (this.offset >= this.bytes.length) throw new Error('unexpected end of the module');
    return this.bytes[this.offset++]!;
  }

  u32le(): number {
    return (this.byte() | (this.byte() << 8) | (this.byte() << 16) | (this.byte() << 24)) >>> 0;
  }

  uleb(): number {
    let result = 0;
    let shift = 0;
    for (;;) {
      const byte = this.byte();
      result += (byte & 0x7f) * 2 ** shift;
      if ((byte & 0x80) === 0) return result;
      shift += 7;
      if (shift > 35) throw new Error('LEB128 too long');
    }
  }

  /** A signed LEB128 (i32/i64 constants), as a number (exact for the small constants that matter here). */
  sleb(): number {
    let result = 0;
    let shift = 0;
    for (;;) {
      const byte = this.byte();
      result += (byte & 0x7f) * 2 ** shift;
      shift += 7;
      if ((byte & 0x80) === 0) return byte & 0x40 ? result - 2 ** shift : result;
      if (shift > 70) throw new Error('LEB128 too long');
    }
  }

  name(): string {
    const length = this.uleb();
    const start = this.offset;
    this.offset += length;
    if (this.offset > this.bytes.length) throw new Error('unexpected end of the module');
    return new TextDecoder().decode(this.bytes.subarray(start, this.offset));
  }
}
