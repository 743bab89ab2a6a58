import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { parse as parseYaml } from 'yaml';

/** One shipped example query (`queries/<name>.rego`): a question from the seed documents answered in Rego. */
export interface ExampleQuery {
  /** The file name without `.rego`: `top10-08-users-without-mfa`. */
  name: string;
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

/** Reads every example of the folder, sorted by name (the names carry the seed document's order). */
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
      return {
        name,
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
