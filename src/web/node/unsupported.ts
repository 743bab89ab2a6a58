/**
 * `node:os`, `node:child_process`, `node:zlib`, `node:url` and `node:vm` in the web build. What a browser can do is
 * done (pathToFileURL, running a script in this worker's global scope); the rest fails with a message that says so.
 */
function unavailable(what: string): never {
  throw new Error(`${what} is not available in VS Code for the Web`);
}

export const tmpdir = (): string => '/tmp';
export const homedir = (): string => '/';
export const execFile = (): never => unavailable('running a program (child_process.execFile)');
export const spawn = (): never => unavailable('running a program (child_process.spawn)');
export const gunzipSync = (): never => unavailable('reading a gzip-compressed file (decompress it first)');
export const gzipSync = (): never => unavailable('gzip compression');

export function pathToFileURL(path: string): URL {
  return new URL(`file://${encodeURI(path).replace(/[?#]/g, encodeURIComponent)}`);
}

export function fileURLToPath(url: string | URL): string {
  return decodeURIComponent(new URL(String(url)).pathname);
}

/** The Go compiler's wasm_exec.js defines `Go` on the global object, as a classic script does. */
export function runInThisContext(code: string): unknown {
  return (0, eval)(code);
}

export default { tmpdir, homedir, execFile, spawn, gunzipSync, gzipSync, pathToFileURL, fileURLToPath, runInThisContext };
