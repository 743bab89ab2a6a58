import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { parse as parseYaml } from 'yaml';

/**
 * One shipped example query (`queries/<name>.rego`): a question from the seed documents answered in Rego. Each is a
 * complete module in a package of its own (`credcheck.queries.<name with _ for ->`), so the folder loads as one
 * directory in `opa eval -d queries`, `opa check` and conftest, and `<package>.result` is the answer.
 */
export interface ExampleQuery {
  /** The file name without `.rego`: `top10-08-users-without-mfa`. */
  name: string;
  /** The module's package: `credcheck.queries.top10_08_users_without_mfa`. */
  packageName: string;
  /** The reference that holds the answer, as `opa eval` takes it: `data.credcheck.queries.top10_08_users_without_mfa.result`. */
  resultRef: string;
  title: string;
  description: string;
  /** The seed document and section the question comes from. */
  source: string;
  /** The question as the seed document asks it. */
  question: string;
  /** The seed document's SQL, for comparison. */
  sql: string;
  /** The query text exactly as shipped: a complete module whose `result` rule is the answer. */
  query: string;
  file: string;
}

/**
 * The folder of the shipped examples: `queries/` at the package root, found by walking up from this file, which sits
 * at `src/core/query` (sources), `out/src/core/query` (tests) or `dist` (bundles) depending on how it is run.
 */
export function findExampleDirectory(from: string = __dirname): string | undefined {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, 'queries');
    if (existsSync(join(dir, 'package.json')) && existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) return undefined;
  }
}

/** The METADATA block at the top of the file: `# ` comment lines after `# METADATA`, read as YAML. */
function metadataOf(text: string): Record<string, unknown> {
  const lines = text.split(/\r?\n/);
  const start = lines.findIndex((line) => line.trim() === '# METADATA');
  if (start < 0) return {};
  const yamlLines: string[] = [];
  for (const line of lines.slice(start + 1)) {
    if (!line.startsWith('#')) break;
    yamlLines.push(line.replace(/^# ?/, ''));
  }
  const parsed: unknown = parseYaml(yamlLines.join('\n'));
  return parsed && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : {};
}

function text(value: unknown): string {
  return typeof value === 'string' ? value.trim() : '';
}

/** The package an example named `name` is shipped in: `credcheck.queries.` and the name with `_` for `-`. */
export function examplePackageName(name: string): string {
  return `credcheck.queries.${name.replace(/-/g, '_')}`;
}

/** The first `package` line of a module (a `# package` comment does not count). */
function packageOf(text: string): string | undefined {
  return /^package\s+([A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*)\s*(?:#.*)?$/m.exec(text)?.[1];
}

/**
 * Reads every example of the folder, sorted by name (the names carry the seed document's order). A file without a
 * package line is not a module the runner can evaluate: that is an installation fault, reported with the file.
 */
export function loadExampleQueries(directory: string | undefined = findExampleDirectory()): ExampleQuery[] {
  if (!directory || !existsSync(directory)) return [];
  return readdirSync(directory)
    .filter((file) => file.endsWith('.rego'))
    .sort()
    .map((file) => {
      const path = join(directory, file);
      const query = readFileSync(path, 'utf8');
      const metadata = metadataOf(query);
      const custom = (metadata.custom && typeof metadata.custom === 'object' ? metadata.custom : {}) as Record<string, unknown>;
      const name = basename(file, '.rego');
      const packageName = packageOf(query);
      if (!packageName) throw new Error(`${path}: the example query has no package line (expected package ${examplePackageName(name)})`);
      return {
        name,
        packageName,
        resultRef: `data.${packageName}.result`,
        title: text(metadata.title) || name,
        description: text(metadata.description),
        source: text(custom.source),
        question: text(custom.question),
        sql: text(custom.sql),
        query,
        file: path,
      };
    });
}
