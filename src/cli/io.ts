import { parseArgs, ParseArgsConfig } from 'node:util';
import { DisplayOptions } from '../core/output/outputModel';

/** A terminal a stream writes to. */
export interface TerminalInfo {
  /** Its width in columns. */
  columns: number;
}

/** What a command may touch of the outside world, so tests can run commands in-process. */
export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** The terminal stdout writes to; undefined for a file or a pipe. */
  stdoutTerminal?: TerminalInfo;
  /** The terminal stderr writes to; undefined for a file or a pipe. */
  stderrTerminal?: TerminalInfo;
}

/**
 * Colour on stdout, as https://no-color.org and the FORCE_COLOR convention (Node, supports-color) say: NO_COLOR set
 * and not empty never colours; else FORCE_COLOR colours even a pipe, unless it is `0` or `false`; else a terminal
 * whose TERM is not `dumb` is coloured.
 */
export function colorEnabled(io: Pick<CliIo, 'env' | 'stdoutTerminal'>): boolean {
  if (io.env.NO_COLOR) return false;
  const force = io.env.FORCE_COLOR;
  if (force !== undefined) return force !== '0' && force !== 'false';
  return io.stdoutTerminal !== undefined && io.env.TERM !== 'dumb';
}

/** The narrowest width tables are laid out for, however narrow the terminal says it is. */
const MIN_COLUMNS = 60;

/**
 * How human-readable output is shown on stdout: on a terminal, its width (COLUMNS, when set to a number, overrides
 * what the terminal reports, as for `ls`) and colour; off a terminal, no width (nothing wraps), colour only with
 * FORCE_COLOR. Absolute paths under the working directory are shown relative to it either way.
 */
export function stdoutDisplay(io: CliIo): DisplayOptions {
  const fromEnv = /^\d+$/.test(io.env.COLUMNS ?? '') ? Number(io.env.COLUMNS) : undefined;
  const columns = io.stdoutTerminal ? (fromEnv && fromEnv > 0 ? fromEnv : io.stdoutTerminal.columns) : undefined;
  return { width: columns === undefined ? undefined : Math.max(MIN_COLUMNS, columns), color: colorEnabled(io), cwd: io.cwd };
}

/** A usage, input or policy error: the CLI prints the message and exits 2. */
export class UsageError extends Error {}

/**
 * A command's options and positional arguments, strictly parsed: an unknown or malformed option is a UsageError that
 * carries the command's usage text.
 */
export function readCommandArguments<const T extends NonNullable<ParseArgsConfig['options']>>(args: string[], options: T, usage: string) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(`${error instanceof Error ? error.message : String(error)}${usage ? `\n${usage}` : ''}`);
  }
}

export const processIo: CliIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  cwd: process.cwd(),
  env: process.env,
  // Read when asked: a terminal's width changes when its window is resized.
  get stdoutTerminal() {
    return process.stdout.isTTY ? { columns: process.stdout.columns || 80 } : undefined;
  },
  get stderrTerminal() {
    return process.stderr.isTTY ? { columns: process.stderr.columns || 80 } : undefined;
  },
};
