import { parseArgs, ParseArgsConfig } from 'node:util';

/** What a command may touch of the outside world, so tests can run commands in-process. */
export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  cwd: string;
  env: NodeJS.ProcessEnv;
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
};
