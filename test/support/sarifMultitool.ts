/**
 * Microsoft's SARIF multitool (`@microsoft/sarif-multitool`, a self-contained executable) as the tests use it:
 * `validate --rule-kind "Sarif;Gh"`, the rules GitHub's own upload validation is built from.
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

// The package exports the path of the platform's self-contained multitool executable.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const MULTITOOL = require('@microsoft/sarif-multitool') as string;

/**
 * Notes of the multitool's SARIF rules that do not apply to credcheck (any other note, and every warning or error,
 * is a defect):
 * - SARIF2002 (message ids and arguments instead of text): each message is computed for its user and key.
 * - SARIF2003 (version control provenance): credcheck does not know the commit; the upload (codeql-action
 *   upload-sarif, the REST API's commit_sha) gives it.
 * - SARIF2006 (helpUri reachable with an HTTP GET): needs the network, which the tests do not have.
 * - SARIF2009 (rule ids like `CC1001`): the ids are the checks' names, the same in every format and in suppressions.
 * - SARIF2010, SARIF2011 (region snippets, context regions): they would copy report cells (credential metadata) into
 *   the log, which credcheck never does.
 */
export const INAPPLICABLE_NOTES = new Set(['SARIF2002', 'SARIF2003', 'SARIF2006', 'SARIF2009', 'SARIF2010', 'SARIF2011']);

export interface MultitoolResult { ruleId: string; level?: string; message: { id?: string; arguments?: string[] } }

/** The multitool's findings on a SARIF file (its own output is a SARIF log, written beside it), every level. */
export function multitool(file: string): MultitoolResult[] {
  const output = `${file}.multitool.json`;
  // No shell (the npm bin wrapper spawns one, which splits and globs the arguments).
  const run = spawnSync(MULTITOOL, ['validate', '--rule-kind', 'Sarif;Gh', '--level', 'Error;Warning;Note', '--output', output, file], {
    encoding: 'utf8', timeout: 300_000, env: { ...process.env, DOTNET_CLI_TELEMETRY_OPTOUT: '1' },
  });
  assert.equal(run.status, 0, `${run.stdout}\n${run.stderr}`);
  const log = JSON.parse(readFileSync(output, 'utf8')) as { runs: { results: MultitoolResult[] }[] };
  return log.runs[0]!.results;
}

/** What the multitool found that matters: errors, warnings, and notes of rules that apply to credcheck. */
export function multitoolDefects(file: string): MultitoolResult[] {
  return multitool(file).filter((result) => result.level === 'error' || result.level === 'warning' || result.level === undefined || !INAPPLICABLE_NOTES.has(result.ruleId));
}
