import { parseArgs, ParseArgsConfig } from 'node:util';

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
  readStdin: async (maxBytes) => {
    // A terminal would wait for typing that never comes: say what `-` is for instead.
    if (process.stdin.isTTY) throw new UsageError('standard input (-) is a terminal, not a report: pipe one in, e.g. cat report.csv | credcheck check -');
    return readBoundedStream(process.stdin, maxBytes);
  },
};

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
