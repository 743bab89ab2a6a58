/**
 * `node:path` in the web build: POSIX paths only (the extension's virtual files and `Uri.fsPath` of remote or virtual
 * workspaces, which use forward slashes). path-browserify is Node's own posix path module ported to the browser, so
 * edge cases (`join('b/..', '/')` is `./`) answer as on the desktop; only `resolve` and `relative` are wrapped, because
 * a browser has no working directory: relative paths resolve from the root (path-browserify would call
 * `process.cwd()`, which a web worker does not have). `win32` answers only what the core asks of it: whether a path is
 * absolute.
 */
import browserPath from 'path-browserify';

export const sep = '/';
export const delimiter = ':';
export const { isAbsolute, normalize, join, dirname, basename, extname } = browserPath;

export function resolve(...paths: string[]): string {
  return browserPath.resolve('/', ...paths);
}

export function relative(from: string, to: string): string {
  return browserPath.relative(resolve(from), resolve(to));
}

export const posix = { sep, delimiter, isAbsolute, normalize, join, resolve, dirname, basename, extname, relative };
export const win32 = { isAbsolute: (path: string) => /^([a-zA-Z]:)?[\\/]/.test(path) || /^\\\\/.test(path) };
export default posix;
