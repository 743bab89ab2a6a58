/**
 * What the run commands (check, input, query) read from their arguments and the file system before a run: the
 * evaluation time, the policy files, the suppressions, and where the output goes. The run itself is src/core/run.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { RegoModule } from '../core/compiler/regoCompiler';
import { STDIN_FILE } from '../core/report/reportFormats';
import { ReportRequest } from '../core/run/runModel';
import { parseReportTime } from '../core/report/timeValues';
import { parseSuppressions, Suppression, SUPPRESSION_LIMITS, SuppressionFileError } from '../core/run/suppressions';
import { checkOutputTarget, writeFileAtomically } from '../core/files/atomicFile';
import { CliIo, UsageError } from './io';

/** `--now`: an ISO 8601 time, 'report' (the reports' generation time) where allowed, or the wall clock read once here. */
export function evaluationTimeFrom(now: string | undefined, allowReport = true): Date | 'report' {
  if (now === undefined) return new Date();
  if (now === 'report' && allowReport) return 'report';
  const time = parseReportTime(now);
  if (!time) throw new UsageError(`--now "${now}" is not an ISO 8601 time (for example 2024-04-22T19:47:52Z)${allowReport ? ' or report' : ''}`);
  return new Date(time.epochMs);
}

/**
 * The reports named on the command line, `-` being standard input (read here, once, at most the size limit plus one
 * byte; named `<stdin>` in problems and findings). Given twice, the second `-` would read nothing: a usage error.
 * A directory stands for the `*.csv` files directly in it, sorted by name (what `credcheck fetch --out <dir>` writes;
 * the `.meta.json` sidecars are read with their report, not as reports; subdirectories are not searched, so an
 * archive folder below is not audited by surprise). A directory without one is a usage error naming it.
 */
export async function reportRequestsFrom(io: CliIo, files: readonly string[], maxReportBytes: number): Promise<ReportRequest[]> {
  if (files.filter((file) => file === '-').length > 1) throw new UsageError('standard input (-) may be given only once');
  const requests: ReportRequest[] = [];
  for (const file of files) {
    if (file !== '-') {
      requests.push(...reportsIn(io, file));
      continue;
    }
    if (!io.readStdin) throw new UsageError('standard input (-) cannot be read here');
    requests.push({ file: STDIN_FILE, bytes: await io.readStdin(maxReportBytes) });
  }
  return requests;
}

/** `file` itself, or the reports directly in it when it is a directory. */
function reportsIn(io: CliIo, file: string): ReportRequest[] {
  const absolute = resolve(io.cwd, file);
  if (!statSync(absolute, { throwIfNoEntry: false })?.isDirectory()) return [{ file }];
  let names: string[];
  try {
    names = readdirSync(absolute, { withFileTypes: true })
      // A symbolic link to a report counts as a report; one to a directory is left out with the other folders.
      .filter((entry) => /\.csv$/i.test(entry.name) && (entry.isFile() || (entry.isSymbolicLink() && statSync(join(absolute, entry.name), { throwIfNoEntry: false })?.isFile() === true)))
      .map((entry) => entry.name)
      .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  } catch (error) {
    throw new UsageError(`${file}: cannot list the directory: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  // No report in it: the directory itself is handed on, and the loader makes it a located error on that operand, so the
  // other reports are still audited and written (the run contract), as for a missing file.
  if (names.length === 0) return [{ file }];
  return names.map((name) => ({ file: join(file, name) }));
}

function readInput(io: CliIo, file: string, what: string): string {
  try {
    return readFileSync(resolve(io.cwd, file), 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read ${what} ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}

/** The suppressions file, or the located error that makes it unusable (printed, exit 2: suppressing at random is worse). */
export function readSuppressions(io: CliIo, file: string): Suppression[] | SuppressionFileError {
  try {
    // Refused before it is read: a suppressions file far over its limit is not worth holding in memory.
    const size = statSync(resolve(io.cwd, file), { throwIfNoEntry: false })?.size ?? 0;
    if (size > SUPPRESSION_LIMITS.fileBytes * 4) {
      return new SuppressionFileError(file, 1, 1, `the file is ${size} bytes, more than the ${SUPPRESSION_LIMITS.fileBytes} a suppressions file may hold`);
    }
    return parseSuppressions(readInput(io, file, 'suppressions file'), file);
  } catch (error) {
    if (error instanceof SuppressionFileError) return error;
    throw error;
  }
}

/** Every .rego under a directory (policy tests, hidden folders and node_modules left out), or the one file given. */
export function collectPolicies(io: CliIo, path: string): RegoModule[] {
  const absolute = resolve(io.cwd, path);
  if (!existsSync(absolute)) throw new UsageError(`--policy ${path}: no such file or directory`);
  const display = (file: string) => (isAbsolute(path) ? file : relative(io.cwd, file) || file);
  const stats = statSync(absolute);
  if (!stats.isFile() && !stats.isDirectory()) throw new UsageError(`--policy ${path}: not a .rego file or a directory`);
  if (stats.isFile()) return [{ file: display(absolute), source: readFileSync(absolute, 'utf8') }];
  const modules: RegoModule[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const child = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (!entry.name.startsWith('.') && entry.name !== 'node_modules') walk(child);
      } else if (entry.name.endsWith('.rego') && !entry.name.endsWith('_test.rego')) {
        modules.push({ file: display(child), source: readFileSync(child, 'utf8') });
      }
    }
  };
  walk(absolute);
  if (modules.length === 0) throw new UsageError(`--policy ${path}: no .rego files found`);
  return modules;
}

/** `--output`: refused before the run when it cannot be written (a directory, a missing folder, another user's FIFO). */
export function checkOutputFile(io: CliIo, outputFile: string | undefined): void {
  if (outputFile !== undefined) checkOutputTarget(resolve(io.cwd, outputFile), outputFile);
}

/**
 * Runs `produce` with a sink for the output: the file given by `--output` (written whole or not at all, through a
 * temporary file renamed over it: atomicFile), or stdout (decoded so a multi-byte character split between blocks stays
 * whole).
 */
export function withOutputSink(io: CliIo, outputFile: string | undefined, produce: (write: (chunk: Buffer) => void) => void): void {
  if (outputFile !== undefined) {
    writeFileAtomically(resolve(io.cwd, outputFile), produce, { shown: outputFile });
    return;
  }
  const decoder = new StringDecoder('utf8');
  produce((chunk) => io.stdout(decoder.write(chunk)));
  const rest = decoder.end();
  if (rest) io.stdout(rest);
}
