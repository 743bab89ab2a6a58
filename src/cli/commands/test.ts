import { readFileSync } from 'node:fs';
import { createEmbeddedTooling } from '../../core/compiler/embeddedTooling';
import { defineCommand, readCommandLine, usageOf } from '../commandLine';
import { CliIo, UsageError } from '../io';
import { collectRegoFiles } from '../regoFiles';
import { formatDiagnostic } from './fmt';

export const definition = defineCommand({
  name: 'test',
  operands: '[path]...',
  summary: 'run *_test.rego with OPA\'s tester (as opa test, no opa needed)',
  description:
    "Runs the tests (test_ rules) in the .rego files under the paths (default: the working directory) with OPA's " +
    'tester inside the embedded compiler, and prints what opa test prints.',
  options: {
    verbose: { short: 'v', description: 'list every test with its result (as opa test -v)' },
    run: { short: 'r', value: '<regex>', description: 'run only the tests whose name matches <regex>' },
    timeout: { short: 't', value: '<seconds>', description: 'stop the run after this long (default: 30)' },
  },
  examples: [
    ['every test under policies/, verbose', 'credcheck test -v policies/'],
    ['only the MFA tests', "credcheck test --run 'mfa' policies/"],
  ],
  exitCodes: [
    [0, 'every test passed'],
    [1, 'a test failed'],
    [2, 'a usage error, a compile error, a test that errors or runs out of time, or no tests found'],
  ],
});

const USAGE = usageOf(definition);

/**
 * `credcheck test`: runs *_test.rego with OPA's tester inside the embedded compiler (no opa binary), printing what
 * `opa test` prints. Exit 0 when every test passes, 1 when one fails, 2 on an error (compile error, a test that
 * errors or hits the time limit, no tests found).
 */
export async function run(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = readCommandLine(definition, args);
  const seconds = values.timeout === undefined ? 30 : Number(values.timeout);
  if (!Number.isFinite(seconds) || seconds <= 0) throw new UsageError(`--timeout must be a positive number of seconds\n${USAGE}`);
  if (values.run !== undefined) {
    try {
      new RegExp(values.run);
    } catch (error) {
      throw new UsageError(`--run: ${(error as Error).message}`);
    }
  }
  const files = collectRegoFiles(io.cwd, positionals.length > 0 ? positionals : ['.'], 'test');
  const modules = files.map((file) => ({ file: file.shown, source: readFileSync(file.absolute, 'utf8') }));
  if (modules.length === 0) throw new UsageError('no .rego files found');
  const tooling = createEmbeddedTooling();
  try {
    const run = await tooling.testWithReport({ modules, run: values.run, timeoutMs: Math.round(seconds * 1000) });
    if (run.errors.length > 0) {
      for (const error of run.errors) io.stderr(`${formatDiagnostic(error)}\n`);
      return 2;
    }
    if (run.report || run.verboseReport) {
      io.stdout(values.verbose ? run.verboseReport : run.report);
    } else {
      // The run was stopped (time limit): no report from the tester, so list what is known.
      for (const result of run.results) {
        io.stdout(`${result.file}:${result.line}:\ndata.${result.package}.${result.name}: ${result.status.toUpperCase()}${result.failure ? `\n  ${result.failure.message}` : ''}\n`);
      }
    }
    if (run.results.length === 0) {
      io.stderr('credcheck test: no tests found\n');
      return 2;
    }
    if (run.results.some((result) => result.status === 'error')) return 2;
    return run.results.some((result) => result.status === 'fail') ? 1 : 0;
  } finally {
    tooling.dispose();
  }
}
