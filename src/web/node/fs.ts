/**
 * `node:fs` in the web build: reads of the extension's own files (files.ts), nothing else. The workspace's files are
 * read by the extension through `workspace.fs`; a synchronous read of anything else fails as a missing file would.
 */
import { fileExists, folderEntries, loadedFile } from '../files';

function missing(path: string, syscall: string): Error {
  return Object.assign(new Error(`ENOENT: no such file or directory, ${syscall} '${path}' (VS Code for the Web: only the extension's own files are readable here)`), {
    code: 'ENOENT',
    syscall,
    path,
  });
}

export function existsSync(path: string): boolean {
  return fileExists(String(path));
}

export function readFileSync(path: string, encoding?: string | { encoding?: string }): Uint8Array | string {
  const bytes = loadedFile(String(path));
  if (!bytes) throw missing(String(path), 'open');
  const wanted = typeof encoding === 'string' ? encoding : encoding?.encoding;
  return wanted ? new TextDecoder().decode(bytes) : bytes;
}

export function readdirSync(path: string): string[] {
  if (!fileExists(String(path))) throw missing(String(path), 'scandir');
  return folderEntries(String(path));
}

export function statSync(path: string): { size: number; isFile(): boolean; isDirectory(): boolean } {
  const bytes = loadedFile(String(path));
  if (!bytes && !fileExists(String(path))) throw missing(String(path), 'stat');
  return { size: bytes?.byteLength ?? 0, isFile: () => bytes !== undefined, isDirectory: () => bytes === undefined };
}

export function lstatSync(path: string): ReturnType<typeof statSync> {
  return statSync(path);
}

/** Links cannot be followed through the browser: a path is its own real path (see README, VS Code for the Web). */
export const realpathSync = Object.assign((path: string) => String(path), { native: (path: string) => String(path) });

function unsupported(name: string): () => never {
  return () => {
    throw new Error(`${name} is not available in VS Code for the Web`);
  };
}

export const openSync = unsupported('fs.openSync');
export const readSync = unsupported('fs.readSync');
export const writeSync = unsupported('fs.writeSync');
export const closeSync = unsupported('fs.closeSync');
export const fchmodSync = unsupported('fs.fchmodSync');
export const fsyncSync = unsupported('fs.fsyncSync');
export const fstatSync = unsupported('fs.fstatSync');
export const mkdirSync = unsupported('fs.mkdirSync');
export const mkdtempSync = unsupported('fs.mkdtempSync');
export const renameSync = unsupported('fs.renameSync');
export const rmSync = unsupported('fs.rmSync');
export const unlinkSync = unsupported('fs.unlinkSync');
export const utimesSync = unsupported('fs.utimesSync');
export const writeFileSync = unsupported('fs.writeFileSync');
export const constants = { O_RDONLY: 0, O_NOFOLLOW: 0, O_NONBLOCK: 0 };
