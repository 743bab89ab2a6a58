import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { UsageError } from './io';

/**
 * The .rego files under the given paths (files as given, directories walked, hidden folders and node_modules left
 * out), in a stable order, each as the path to show (relative to cwd when given relative) and the absolute path.
 */
export function collectRegoFiles(cwd: string, paths: string[], command: string): { shown: string; absolute: string }[] {
  const out: { shown: string; absolute: string }[] = [];
  for (const path of paths) {
    const absolute = resolve(cwd, path);
    if (!existsSync(absolute)) throw new UsageError(`${command}: ${path}: no such file or directory`);
    const stats = statSync(absolute);
    if (!stats.isFile() && !stats.isDirectory()) throw new UsageError(`${command}: ${path}: not a .rego file or a directory`);
    if (stats.isFile()) {
      out.push({ shown: path, absolute });
      continue;
    }
    const walk = (dir: string) => {
      for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
        if (entry.name.startsWith('.') || entry.name === 'node_modules') continue;
        const full = join(dir, entry.name);
        if (entry.isDirectory()) walk(full);
        else if (entry.name.endsWith('.rego')) out.push({ shown: shownPath(cwd, path, full), absolute: full });
      }
    };
    walk(absolute);
  }
  return out;
}

function shownPath(cwd: string, given: string, full: string): string {
  return given.startsWith('/') ? full : relative(cwd, full).split('\\').join('/');
}
