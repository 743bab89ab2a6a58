import { readFileSync, writeFileSync } from 'node:fs';
import { createTwoFilesPatch } from 'diff';
import { createEmbeddedTooling } from '../../core/compiler/embeddedTooling';
import { RegoDiagnostic } from '../../core/compiler/regoTooling';
import { CliIo, readCommandArguments, UsageError } from '../io';
import { collectRegoFiles } from '../regoFiles';

const USAGE = 'usage: credcheck fmt [--check | --diff | -l/--list | -w/--write] <file.rego|dir>...';

/**
 * `credcheck fmt`: OPA's formatter (built into the embedded compiler, no opa binary), with `opa fmt`'s CLI shape:
 * formatted source on stdout; -w rewrites files that change; -l lists them; -d/--diff prints a unified diff;
 * --check lists them and exits 1 when any would change (`opa fmt -l --fail`). Exit 2 when a file does not parse.
 */
export async function run(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = readCommandArguments(
    args,
    {
      check: { type: 'boolean' },
      diff: { type: 'boolean', short: 'd' },
      list: { type: 'boolean', short: 'l' },
      write: { type: 'boolean', short: 'w' },
      fail: { type: 'boolean' },
    },
    USAGE,
  );
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
