import { readFileSync, writeFileSync } from 'node:fs';
import { createTwoFilesPatch } from 'diff';
import { createEmbeddedTooling } from '../../core/compiler/embeddedTooling';
import { RegoDiagnostic } from '../../core/compiler/regoTooling';
import { defineCommand, readCommandLine, usageOf } from '../commandLine';
import { CliIo, UsageError } from '../io';
import { collectRegoFiles } from '../regoFiles';

export const definition = defineCommand({
  name: 'fmt',
  operands: '<file.rego|dir>...',
  summary: "format Rego with OPA's formatter (as opa fmt, no opa needed)",
  description:
    "Formats Rego with OPA's own formatter (built into the embedded compiler, so the bytes are opa fmt's) and " +
    'prints the formatted source on stdout, or acts as the options say. Directories are searched for .rego files.',
  options: {
    write: { short: 'w', description: 'rewrite the files that change, in place' },
    list: { short: 'l', description: 'list the files that would change' },
    diff: { short: 'd', description: 'print a unified diff of what would change' },
    check: { description: 'list the files that would change and exit 1 if any would (opa fmt -l --fail)' },
    fail: { description: 'exit 1 if a file would change (with any of the above)' },
  },
  examples: [
    ['format every policy in place', 'credcheck fmt -w policies/'],
    ['in CI: fail when a file is not formatted', 'credcheck fmt --check policies/'],
  ],
  exitCodes: [
    [0, 'done (with --check or --fail: every file is formatted)'],
    [1, 'with --check or --fail: a file would change'],
    [2, 'a usage error, or a file that does not parse'],
  ],
});

const USAGE = usageOf(definition);

/**
 * `credcheck fmt`: OPA's formatter (built into the embedded compiler, no opa binary), with `opa fmt`'s CLI shape:
 * formatted source on stdout; -w rewrites files that change; -l lists them; -d/--diff prints a unified diff;
 * --check lists them and exits 1 when any would change (`opa fmt -l --fail`). Exit 2 when a file does not parse.
 */
export async function run(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = readCommandLine(definition, args);
  if (positionals.length === 0) throw new UsageError(`no path given\n${USAGE}`);
  const files = collectRegoFiles(io.cwd, positionals, 'fmt');
  const tooling = createEmbeddedTooling();
  let changedAny = false;
  let broken = false;
  try {
    for (const file of files) {
      const source = readFileSync(file.absolute, 'utf8');
      const result = await tooling.format({ file: file.shown, source });
      if (!result.ok) {
        broken = true;
        for (const error of result.errors) io.stderr(`${formatDiagnostic(error)}\n`);
        continue;
      }
      const changed = result.formatted !== source;
      changedAny ||= changed;
      if (values.check || values.list) {
        if (changed) io.stdout(`${file.shown}\n`);
      } else if (values.diff) {
        if (changed) io.stdout(createTwoFilesPatch(`a/${file.shown}`, `b/${file.shown}`, source, result.formatted));
      } else if (values.write) {
        if (changed) writeFileSync(file.absolute, result.formatted);
      } else {
        io.stdout(result.formatted);
      }
    }
  } finally {
    tooling.dispose();
  }
  if (broken) return 2;
  return changedAny && (values.check || values.fail) ? 1 : 0;
}

/** `file:line:col: error: message`, the form compilers and editors' problem matchers read. */
export function formatDiagnostic(diagnostic: RegoDiagnostic): string {
  const suggestion = diagnostic.suggestions?.length && !diagnostic.message.includes('did you mean') ? ` (did you mean ${diagnostic.suggestions.join(' or ')}?)` : '';
  return `${diagnostic.file}:${diagnostic.line}:${diagnostic.column}: ${diagnostic.severity}: ${diagnostic.message}${suggestion}`;
}
