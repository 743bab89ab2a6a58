/**
 * Whether a workspace-relative path from a setting stays inside its workspace folder. A repository's settings (or a
 * symbolic link it ships) must not steer where the extension reads or writes: `credcheck.suppressionsFile` set to
 * `../../.bashrc`, or `.credcheck` committed as a link to the home folder, would make "Suppress..." write there.
 */
import { lstatSync, realpathSync } from 'node:fs';
import { dirname, isAbsolute, join, posix, relative, resolve, win32 } from 'node:path';

/** Why a path written in a setting is not workspace-relative, or undefined when it is (no file system access). */
export function outsideWorkspaceReason(relativePath: string): string | undefined {
  if (posix.isAbsolute(relativePath) || win32.isAbsolute(relativePath) || /^[a-zA-Z]:/.test(relativePath)) return 'it is an absolute path';
  const normalized = posix.normalize(relativePath.replace(/\\/g, '/'));
  if (normalized === '..' || normalized.startsWith('../')) return 'it climbs out of the workspace folder with ".."';
  if (normalized === '.' || normalized === '') return 'it names the workspace folder itself, not a file';
  return undefined;
}

export type InsideFolder = { inside: true; path: string } | { inside: false; reason: string };

/**
 * The absolute path of `relativePath` in `folder` when it stays inside it once symbolic links are followed: the folder
 * itself and the deepest part of the path that exists are resolved, the rest cannot be a link yet. A link that cannot
 * be resolved (it points nowhere) is refused too: writing through it would create its target, wherever that is.
 */
export function resolveInsideFolder(folder: string, relativePath: string): InsideFolder {
  const lexical = outsideWorkspaceReason(relativePath);
  if (lexical) return { inside: false, reason: lexical };
  let realFolder: string;
  try {
    realFolder = realpathSync.native(folder);
  } catch (error) {
    return { inside: false, reason: `the workspace folder cannot be resolved (${(error as NodeJS.ErrnoException).code ?? String(error)})` };
  }
  const target = resolve(folder, relativePath);
  // Walk up to the deepest existing entry (a dangling link exists for lstat, not for realpath).
  let existing = target;
  const missing: string[] = [];
  while (!exists(existing)) {
    const parent = dirname(existing);
    if (parent === existing) break;
    missing.unshift(existing.slice(parent.length).replace(/^[\\/]/, ''));
    existing = parent;
  }
  let realTarget: string;
  try {
    realTarget = join(realpathSync.native(existing), ...missing);
  } catch {
    return { inside: false, reason: `${relative(folder, existing) || '.'} is a symbolic link that points nowhere` };
  }
  const fromFolder = relative(realFolder, realTarget);
  if (fromFolder === '' || fromFolder.startsWith('..') || isAbsolute(fromFolder)) {
    return { inside: false, reason: `it leads to ${realTarget} through a symbolic link, outside the workspace folder` };
  }
  return { inside: true, path: target };
}

function exists(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}
