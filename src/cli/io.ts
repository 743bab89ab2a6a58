import { describeWriteError } from '../core/files/writeErrors';
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
  /**
   * Standard input, for a report named `-`: at most `maxBytes + 1` bytes (so more is refused as too large, unread).
   * Absent where there is none to read (in-process callers that give none).
   */
  readStdin?(maxBytes: number): Promise<Buffer>;
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

export const processIo: CliIo = {
  stdout: (text) => writeStandardStream(process.stdout, 'standard output', text),
  stderr: (text) => writeStandardStream(process.stderr, 'standard error', text),
  cwd: process.cwd(),
  env: process.env,
  readStdin: async (maxBytes) => {
    // A terminal would wait for typing that never comes: say what `-` is for instead.
    if (process.stdin.isTTY) throw new UsageError('standard input (-) is a terminal, not a report: pipe one in, e.g. cat report.csv | credcheck check -');
    return readBoundedStream(process.stdin, maxBytes);
  },
  // Read when asked: a terminal's width changes when its window is resized.
  get stdoutTerminal() {
    return process.stdout.isTTY ? { columns: process.stdout.columns || 80 } : undefined;
  },
  get stderrTerminal() {
    return process.stderr.isTTY ? { columns: process.stderr.columns || 80 } : undefined;
  },
};

const watchedStreams = new WeakSet<NodeJS.WritableStream>();
const closedStreams = new WeakSet<NodeJS.WritableStream>();

/**
 * Writes to stdout or stderr, which may fail after the fact (the error arrives as an event, and unhandled it is a
 * stack trace and exit 1, the code of failing findings). A reader that left (`| head -c 10`: EPIPE) wanted no more:
 * the rest is dropped quietly and the command ends with its own code. Any other failure (`> /dev/full`: ENOSPC) means
 * the output is incomplete: one line on stderr, exit 2.
 */
function writeStandardStream(stream: NodeJS.WriteStream, name: string, text: string): void {
  if (closedStreams.has(stream)) return;
  if (!watchedStreams.has(stream)) {
    watchedStreams.add(stream);
    stream.on('error', (error: NodeJS.ErrnoException) => {
      closedStreams.add(stream);
      if (error.code === 'EPIPE') return;
      if (stream !== process.stderr && !closedStreams.has(process.stderr)) {
        process.stderr.write(`credcheck: cannot write to ${name}: ${describeWriteError(error)}\n`);
      }
      process.exit(2);
    });
  }
  stream.write(text);
}

/** At most `maxBytes + 1` bytes of a stream: reading stops (and the stream is let go) once there are more than `maxBytes`. */
export async function readBoundedStream(stream: NodeJS.ReadableStream & { destroy?(): void }, maxBytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of stream) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    chunks.push(buffer);
    length += buffer.length;
    if (length > maxBytes) break;
  }
  // Breaking out of the loop destroys the stream: the writer gets EPIPE, as with `head`.
  return Buffer.concat(chunks, length).subarray(0, maxBytes + 1);
}
