import { describeWriteError } from './writeErrors';

/** What a command may touch of the outside world, so tests can run commands in-process. */
export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  cwd: string;
  env: NodeJS.ProcessEnv;
}

/** A usage, input or policy error: the CLI prints the message and exits 2. */
export class UsageError extends Error {}

export const processIo: CliIo = {
  stdout: (text) => writeStandardStream(process.stdout, 'standard output', text),
  stderr: (text) => writeStandardStream(process.stderr, 'standard error', text),
  cwd: process.cwd(),
  env: process.env,
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
