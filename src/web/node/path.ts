/**
 * `node:path` in the web build: POSIX paths only (the extension's virtual files and `Uri.fsPath` of remote or virtual
 * workspaces, which use forward slashes). `win32` answers only what the core asks of it: whether a path is absolute.
 */

function normalizeParts(path: string, absolute: boolean): string {
  const out: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (out.length && out[out.length - 1] !== '..') out.pop();
      else if (!absolute) out.push('..');
    } else out.push(part);
  }
  return out.join('/');
}

export const sep = '/';
export const delimiter = ':';

export function isAbsolute(path: string): boolean {
  return path.startsWith('/');
}

export function normalize(path: string): string {
  if (path === '') return '.';
  const absolute = isAbsolute(path);
  const body = normalizeParts(path, absolute);
  const trailing = path.endsWith('/') && body ? '/' : '';
  return (absolute ? '/' : '') + (body || (absolute ? '' : '.')) + trailing;
}

export function join(...paths: string[]): string {
  const joined = paths.filter((path) => path !== '').join('/');
  return joined ? normalize(joined) : '.';
}

export function resolve(...paths: string[]): string {
  let resolved = '';
  for (let index = paths.length - 1; index >= 0 && !isAbsolute(resolved); index--) {
    if (paths[index]) resolved = resolved ? `${paths[index]}/${resolved}` : paths[index]!;
  }
  // No working directory in a browser: relative paths resolve from the root.
  return `/${normalizeParts(resolved, true)}`;
}

export function dirname(path: string): string {
  if (path === '') return '.';
  const trimmed = path.length > 1 ? path.replace(/\/+$/, '') : path;
  const index = trimmed.lastIndexOf('/');
  if (index < 0) return '.';
  return index === 0 ? '/' : trimmed.slice(0, index);
}

export function basename(path: string, extension?: string): string {
  const name = path.replace(/\/+$/, '').split('/').pop() ?? '';
  return extension && name.endsWith(extension) && name !== extension ? name.slice(0, -extension.length) : name;
}

export function extname(path: string): string {
  const name = basename(path);
  const index = name.lastIndexOf('.');
  return index <= 0 || name === '..' ? '' : name.slice(index);
}

export function relative(from: string, to: string): string {
  const fromParts = resolve(from).split('/').filter(Boolean);
  const toParts = resolve(to).split('/').filter(Boolean);
  let common = 0;
  while (common < fromParts.length && common < toParts.length && fromParts[common] === toParts[common]) common++;
  return [...fromParts.slice(common).map(() => '..'), ...toParts.slice(common)].join('/');
}

export const posix = { sep, delimiter, isAbsolute, normalize, join, resolve, dirname, basename, extname, relative };
export const win32 = { isAbsolute: (path: string) => /^([a-zA-Z]:)?[\\/]/.test(path) || /^\\\\/.test(path) };
export default posix;
