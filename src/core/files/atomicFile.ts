/**
 * Writing an output file (`check --output`, `fetch --out`, the extension's organisation fetch) whole or not at all,
 * without trusting the folder it goes to.
 *
 * - The new content goes to a temporary file beside the target, named with 64 random bits and created with O_EXCL
 *   (`wx`) and mode 0600: nobody can guess the name ahead, and a file or symlink planted at that name makes the open
 *   fail instead of being followed. Once every byte is written and flushed (fsync), it is renamed over the target.
 *   Until then the previous file is intact; a failure (a full disk, an exception in the middle of a 127 MB document)
 *   removes the temporary file and leaves the previous one as it was. A process killed mid-write leaves the previous
 *   file and a `.<name>.<random>.tmp` beside it (owner-only).
 * - A symlink at the target is replaced, not followed: a link planted at the output's name cannot make the tool
 *   overwrite the file it points to.
 * - A device or FIFO (`/dev/null`, `/dev/stdout`, a pipe) is written in place, as there is nothing to rename over;
 *   one owned by another user (a FIFO planted in /tmp to catch the findings) is refused.
 * - A directory, or a folder that does not exist, is a usage error found before the run starts.
 *
 * Why not the `write-file-atomic` package: it is not installed here, and it names its temporary file from a hash of the
 * target, the pid and a counter, opened without O_EXCL, which is the predictable name this replaces. The whole job is
 * a few system calls of node:fs.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, constants, fchmodSync, fsyncSync, lstatSync, openSync, renameSync, Stats, statSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { describeWriteError } from './writeErrors';

/**
 * A file that cannot be an output or could not be written: one line naming the file (the CLI: exit 2; the extension:
 * that account's or export's failure).
 */
export class OutputFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OutputFileError';
  }
}

export type WriteChunk = (chunk: Buffer | string) => void;

export interface AtomicWriteOptions {
  /** How messages name the file (as the user gave it). Default: the path. */
  shown?: string;
  /**
   * The mode of a new file. Default 0600 (the outputs name users and their credential state). An existing file the
   * user owns keeps its mode, unless `forceMode` (a credential report is always owner-only).
   */
  mode?: number;
  forceMode?: boolean;
  /** For tests: writes one chunk to the temporary file's descriptor (default: writeSync until all is written). */
  writeBytes?: (fd: number, bytes: Buffer) => void;
  /** For tests: the random part of the temporary file's name (default: 16 hex digits from crypto.randomBytes). */
  temporarySuffix?: () => string;
}

type OutputTarget = { kind: 'replace'; existingMode?: number } | { kind: 'in-place' };

/** Refuses, before a long run, an output that cannot be written: a directory, a missing folder, another user's FIFO. */
export function checkOutputTarget(file: string, shown = file): void {
  inspectTarget(file, shown);
}

/** Writes what `produce` gives to `file`, whole or not at all (see the module comment). */
export function writeFileAtomically(file: string, produce: (write: WriteChunk) => void, options: AtomicWriteOptions = {}): void {
  const shown = options.shown ?? file;
  const target = inspectTarget(file, shown);
  const writeBytes = options.writeBytes ?? writeFully;
  // A failing system call becomes the one-line error naming the file; an exception of `produce` itself passes as it is.
  const system = <T>(call: () => T): T => {
    try {
      return call();
    } catch (error) {
      throw writeError(shown, error);
    }
  };
  const write: (fd: number) => WriteChunk = (fd) => (chunk) => system(() => writeBytes(fd, typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk));

  if (target.kind === 'in-place') {
    const fd = system(() => openSync(file, constants.O_WRONLY));
    try {
      produce(write(fd));
    } finally {
      closeSync(fd);
    }
    return;
  }

  const { fd, path: temporary } = createTemporary(file, shown, options.temporarySuffix ?? (() => randomBytes(8).toString('hex')));
  let closed = false;
  let renamed = false;
  try {
    produce(write(fd));
    const mode = options.forceMode ? options.mode : (target.existingMode ?? options.mode);
    if (mode !== undefined && mode !== 0o600) system(() => fchmodSync(fd, mode));
    // On disk before the rename: a crash right after must not leave the target empty.
    system(() => fsyncSync(fd));
    closed = true;
    system(() => closeSync(fd));
    system(() => renameSync(temporary, file));
    renamed = true;
  } finally {
    if (!renamed) {
      if (!closed) closeQuietly(fd);
      try {
        unlinkSync(temporary);
      } catch {
        // already gone
      }
    }
  }
}

function closeQuietly(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // already closed
  }
}

/** writeFileAtomically for content already in memory. */
export function writeWholeFile(file: string, content: string | Buffer, options: AtomicWriteOptions = {}): void {
  writeFileAtomically(file, (write) => write(content), options);
}

function inspectTarget(file: string, shown: string): OutputTarget {
  let entry: Stats;
  try {
    entry = lstatSync(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT' && code !== 'ENOTDIR') throw writeError(shown, error);
    checkFolder(file, shown);
    return { kind: 'replace' };
  }
  if (entry.isDirectory()) throw new OutputFileError(`${shown} is a directory; give a file name`);
  if (entry.isFile()) return { kind: 'replace', ...(ownedByUser(entry) ? { existingMode: entry.mode & 0o777 } : {}) };
  let resolved = entry;
  if (entry.isSymbolicLink()) {
    try {
      resolved = statSync(file);
    } catch {
      return { kind: 'replace' }; // a dangling link: replaced like any other
    }
    if (resolved.isDirectory()) throw new OutputFileError(`${shown} is a directory; give a file name`);
    if (resolved.isFile()) return { kind: 'replace' };
  }
  // A device, a FIFO or a socket: nothing to rename over. Another user's FIFO or socket would receive the findings.
  if (!ownedByUser(resolved) && !ownedByRoot(resolved)) {
    throw new OutputFileError(`${shown} is a ${describeKind(resolved)} owned by another user (uid ${resolved.uid}); refusing to write the output into it`);
  }
  return { kind: 'in-place' };
}

function checkFolder(file: string, shown: string): void {
  const folder = dirname(file);
  let stats: Stats;
  try {
    stats = statSync(folder);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new OutputFileError(`cannot write ${shown}: the folder ${dirname(shown)} does not exist`);
    throw writeError(shown, error);
  }
  if (!stats.isDirectory()) throw new OutputFileError(`cannot write ${shown}: ${dirname(shown)} is not a folder`);
}

const TEMPORARY_ATTEMPTS = 5;

/** `.<name>.<16 hex digits>.tmp` beside the target, created exclusively (never through an existing name) and owner-only. */
function createTemporary(file: string, shown: string, suffix: () => string): { fd: number; path: string } {
  const folder = dirname(file);
  // A name near the 255-byte limit must still leave room for the suffix.
  const stem = basename(file).slice(0, 200);
  for (let attempt = 1; ; attempt++) {
    const path = join(folder, `.${stem}.${suffix()}.tmp`);
    try {
      return { fd: openSync(path, 'wx', 0o600), path };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST' && attempt < TEMPORARY_ATTEMPTS) continue;
      throw writeError(shown, error);
    }
  }
}

function writeFully(fd: number, bytes: Buffer): void {
  for (let done = 0; done < bytes.length; ) done += writeSync(fd, bytes, done, bytes.length - done);
}

function ownedByUser(stats: Stats): boolean {
  return typeof process.getuid !== 'function' || stats.uid === process.getuid();
}

function ownedByRoot(stats: Stats): boolean {
  return stats.uid === 0;
}

function describeKind(stats: Stats): string {
  if (stats.isFIFO()) return 'FIFO';
  if (stats.isSocket()) return 'socket';
  if (stats.isCharacterDevice() || stats.isBlockDevice()) return 'device';
  return 'special file';
}

function writeError(shown: string, error: unknown): OutputFileError {
  if (error instanceof OutputFileError) return error;
  return new OutputFileError(`cannot write ${shown}: ${describeWriteError(error)}`);
}
