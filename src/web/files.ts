/**
 * The extension's own files as the web build reads them: a table of bytes by path under the virtual root `/credcheck`
 * (the extension folder; the bundles are built with `__dirname` = `/credcheck/dist`, where dist/extension.js would be).
 * The browser entry fills it from the extension's files through VS Code's `workspace.fs` before the core runs, so the
 * core's synchronous reads (the bundled checks' catalog and wasm, the example queries) work unchanged; large files
 * (the Rego compiler's 40 MB of wasm) are only listed, and loaded when a worker that needs them starts.
 * No `vscode` import: nested workers read the same table, filled from their first message.
 */

export const VIRTUAL_ROOT = '/credcheck';

/** Reads one extension file, given its path relative to the extension folder. */
export type FileLoader = (relativePath: string) => Promise<Uint8Array>;

const loaded = new Map<string, Uint8Array>();
/** Files known to exist but not loaded yet: path -> where the loader finds them (relative to the extension folder). */
const listed = new Map<string, string>();
let loader: FileLoader | undefined;

/** In a nested worker, the files its parent sent (see node/worker_threads.ts). */
const inherited = (globalThis as { __credcheckWorker?: { files?: Record<string, Uint8Array> } }).__credcheckWorker?.files;
for (const [path, bytes] of Object.entries(inherited ?? {})) loaded.set(path, bytes);

export function setFileLoader(load: FileLoader): void {
  loader = load;
}

/** Loads a file now, at `virtualPath` (default: the same relative path under the root). */
export async function preloadFile(relativePath: string, virtualPath = `${VIRTUAL_ROOT}/${relativePath}`): Promise<void> {
  loaded.set(virtualPath, await load(relativePath));
}

/** Records that a file exists without loading it; `loadFile` fetches it on first use. */
export function listFile(relativePath: string, virtualPath = `${VIRTUAL_ROOT}/${relativePath}`): void {
  listed.set(virtualPath, relativePath);
}

export function fileExists(path: string): boolean {
  return loaded.has(path) || listed.has(path) || [...loaded.keys(), ...listed.keys()].some((file) => file.startsWith(`${path}/`));
}

/** The bytes of a loaded file, or undefined (not a file of the extension, or listed but not loaded yet). */
export function loadedFile(path: string): Uint8Array | undefined {
  return loaded.get(path);
}

/** The names in a folder of the table. */
export function folderEntries(path: string): string[] {
  const prefix = `${path.replace(/\/$/, '')}/`;
  const names = new Set<string>();
  for (const file of [...loaded.keys(), ...listed.keys()]) if (file.startsWith(prefix)) names.add(file.slice(prefix.length).split('/')[0]!);
  return [...names].sort();
}

/** A file's bytes, loading a listed one through the loader (kept for the next worker that needs it). */
export async function loadFile(path: string): Promise<Uint8Array> {
  const known = loaded.get(path);
  if (known) return known;
  const relative = listed.get(path);
  if (relative === undefined) throw new Error(`${path} is not a file of the extension`);
  const bytes = await load(relative);
  loaded.set(path, bytes);
  return bytes;
}

async function load(relativePath: string): Promise<Uint8Array> {
  if (!loader) throw new Error(`cannot read ${relativePath}: the extension's files are not available here`);
  return loader(relativePath);
}
