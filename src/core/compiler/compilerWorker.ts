/**
 * Worker thread that hosts the Go-built Rego compiler. It lives in a worker so the parent can bound a compilation by
 * time and memory and terminate it (a synchronous Go call cannot be interrupted any other way). The Go glue installs
 * `Go`, `fs`, `path` and the compiler's global function on this thread's own global object, never on the parent's.
 */
import { readFileSync } from 'node:fs';
import { runInThisContext } from 'node:vm';
import { parentPort, workerData } from 'node:worker_threads';
import { CURRENT_COLUMNS } from '../report/columns';

export interface CompilerWorkerData {
  wasm: string;
  wasmExec: string;
  /** Go's soft memory limit (GOMEMLIMIT), so its collector works harder before the hard limit. */
  goMemoryLimitMb: number;
  /** schema/policy-input.schema.json (copied beside compiler.wasm): the type of `input` for schema checking. */
  schema: string;
}

export interface CompilerWorkerRequest {
  id: number;
  /** The request as JSON: {modules, entrypoints}. */
  request: string;
}

/** Replies carry the request's id. A test run also sends one `progress` message (a test result as JSON) per test. */
export type CompilerWorkerReply = { id: number; json: string; wasm?: Uint8Array; memoryBytes: number } | { id: number; failure: string };
export type CompilerWorkerProgress = { id: number; progress: string };

/** Sent once, with id 0, when start-up finished or failed. */
export type CompilerWorkerStartReply = { id: 0; ready: true } | { id: 0; failure: string };

// The project's lib settings carry no WebAssembly types: the little used here is typed locally.
interface WasmMemory {
  buffer: ArrayBuffer;
}
interface WasmInstance {
  exports: Record<string, unknown>;
}
interface WasmApi {
  instantiate(bytes: Uint8Array, imports: object): Promise<{ instance: WasmInstance }>;
}
const wasmApi = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

interface GoInstance {
  importObject: object;
  env: Record<string, string>;
  argv: string[];
  run(instance: WasmInstance): Promise<void>;
}

type CompileFunction = (requestJson: string) => { json: string; wasm?: Uint8Array };

const data = workerData as CompilerWorkerData;
const host = globalThis as unknown as {
  Go: new () => GoInstance;
  credcheckCompile?: CompileFunction;
  credcheckCompilerReady?: () => void;
  credcheckTestProgress?: (resultJson: string) => void;
};

let memory: WasmMemory | undefined;
let exited = false;

async function start(): Promise<CompileFunction> {
  runInThisContext(readFileSync(data.wasmExec, 'utf8'), { filename: data.wasmExec });
  const go = new host.Go();
  go.env = { GOMEMLIMIT: `${data.goMemoryLimitMb}MiB` };
  go.argv = ['credcheck-compiler'];
  const ready = new Promise<void>((resolve) => (host.credcheckCompilerReady = resolve));
  const { instance } = await wasmApi.instantiate(readFileSync(data.wasm), go.importObject);
  memory = instance.exports.mem as WasmMemory;
  // main() blocks forever, so run() settles only if Go exits (a fatal error): before start-up completes that is a failure.
  const running = go.run(instance).then(() => {
    exited = true;
    throw new Error('the compiler exited during start-up');
  });
  await Promise.race([ready, running]);
  running.catch(() => undefined);
  if (!host.credcheckCompile) throw new Error('the compiler did not register credcheckCompile');
  // The input schema and the report's columns, once: schema checking and the result contract need them.
  const configured = JSON.parse(
    host.credcheckCompile(JSON.stringify({ op: 'configure', schema: JSON.parse(readFileSync(data.schema, 'utf8')), columns: CURRENT_COLUMNS })).json,
  ) as { ok: boolean; errors?: { message: string }[] };
  if (!configured.ok) throw new Error(configured.errors?.[0]?.message ?? 'the compiler rejected its configuration');
  return host.credcheckCompile;
}

const compiler = start();
compiler.then(
  () => parentPort?.postMessage({ id: 0, ready: true } satisfies CompilerWorkerStartReply),
  (error: unknown) => parentPort?.postMessage({ id: 0, failure: error instanceof Error ? error.message : String(error) } satisfies CompilerWorkerStartReply),
);

parentPort?.on('message', async (message: CompilerWorkerRequest) => {
  let reply: CompilerWorkerReply;
  try {
    const compile = await compiler;
    if (exited) throw new Error('the compiler exited');
    // Posted while Go is still running the call: the parent keeps them if it has to stop a runaway test run.
    host.credcheckTestProgress = (resultJson) => parentPort?.postMessage({ id: message.id, progress: resultJson } satisfies CompilerWorkerProgress);
    const result = compile(message.request);
    reply = { id: message.id, json: result.json, memoryBytes: memory?.buffer.byteLength ?? 0 };
    if (result.wasm) reply.wasm = result.wasm;
  } catch (error) {
    reply = { id: message.id, failure: error instanceof Error ? error.message : String(error) };
  }
  parentPort?.postMessage(reply, 'wasm' in reply && reply.wasm ? [reply.wasm.buffer as ArrayBuffer] : []);
});
