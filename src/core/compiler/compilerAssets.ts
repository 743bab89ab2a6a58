import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/** The files the embedded compiler needs at run time, all produced by scripts/build-compiler.mjs and scripts/build.mjs. */
export interface CompilerAssets {
  /** dist/compiler/compiler.wasm: OPA's compiler built for GOOS=js GOARCH=wasm. */
  wasm: string;
  /** dist/compiler/wasm_exec.js: the Go toolchain's glue that defines `Go`. */
  wasmExec: string;
  /** dist/compilerWorker.js (bundled) or out/.../compilerWorker.js (tests). */
  worker: string;
  /** dist/compiler/policy-input.schema.json: schema/policy-input.schema.json, copied by build-compiler.mjs. */
  schema: string;
}

/** Which builtins compiled policies may call; `native` run inside policy.wasm, the others must come from the host. */
export interface CompilerCapabilities {
  opa_version: string;
  native: string[];
  /** Implemented in JavaScript by @open-policy-agent/opa-wasm. */
  sdk: string[];
  /** The time builtins the engine passes to loadPolicy as custom builtins. */
  engine: string[];
  /** Accepted and compiled away (print). */
  erased: string[];
  /** Every builtin a policy may call. */
  builtins: string[];
}

export interface CompilerAssetOptions {
  /** Explicit path to compiler.wasm; wasm_exec.js is expected beside it. */
  wasmPath?: string;
  /** Explicit path to the worker script. */
  workerPath?: string;
}

/**
 * Finds the compiler's files relative to the running code: the CLI bundle is dist/cli.js, the extension bundle
 * dist/extension.js (so dist/compiler/ is beside __dirname), and tests run from out/src/core/compiler/ (so dist/ is a
 * few levels up). Throws with every place it looked, so a missing build step is obvious.
 */
export function locateCompilerAssets(options: CompilerAssetOptions = {}, from: string = __dirname): CompilerAssets {
  const wasm = options.wasmPath ? resolve(options.wasmPath) : findUp(from, ['dist/compiler/compiler.wasm', 'compiler/compiler.wasm']);
  const wasmExec = join(dirname(wasm), 'wasm_exec.js');
  if (!existsSync(wasmExec)) {
    throw new Error(`wasm_exec.js is missing beside ${wasm}: run \`npm run build:compiler\``);
  }
  const worker = options.workerPath
    ? resolve(options.workerPath)
    : findFirst([join(from, 'compilerWorker.js'), ...ancestors(from).map((dir) => join(dir, 'dist', 'compilerWorker.js'))]);
  const schema = join(dirname(wasm), 'policy-input.schema.json');
  if (!existsSync(schema)) {
    throw new Error(`policy-input.schema.json is missing beside ${wasm}: run \`npm run build:compiler\``);
  }
  return { wasm, wasmExec, worker, schema };
}

/** Reads dist/compiler/capabilities.json, written by scripts/build-compiler.mjs from the compiler itself. */
export function readCompilerCapabilities(options: CompilerAssetOptions = {}, from: string = __dirname): CompilerCapabilities {
  const wasm = options.wasmPath ? resolve(options.wasmPath) : findUp(from, ['dist/compiler/compiler.wasm', 'compiler/compiler.wasm']);
  return JSON.parse(readFileSync(join(dirname(wasm), 'capabilities.json'), 'utf8')) as CompilerCapabilities;
}

function ancestors(from: string): string[] {
  const dirs: string[] = [];
  let dir = resolve(from);
  for (let depth = 0; depth < 6; depth++) {
    dirs.push(dir);
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return dirs;
}

function findUp(from: string, relatives: string[]): string {
  return findFirst(ancestors(from).flatMap((dir) => relatives.map((relative) => join(dir, relative))));
}

function findFirst(candidates: string[]): string {
  const found = candidates.find((candidate) => existsSync(candidate));
  if (!found) {
    throw new Error(`the embedded Rego compiler is not built (run \`npm run build\`); looked for:\n  ${candidates.join('\n  ')}`);
  }
  return found;
}
