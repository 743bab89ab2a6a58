import { CommanderError } from 'commander';
import { readCompilerCapabilities } from '../core/compiler/compilerAssets';
import { CommandDefinition, createProgram, HelpRequested } from './commandLine';
import { OutputFileError } from '../core/files/atomicFile';
import { CliIo, processIo, UsageError } from './io';
import * as inputCommand from './commands/input';
import * as checkCommand from './commands/check';
import * as checksCommand from './commands/checks';
import * as fetchCommand from './commands/fetch';
import * as publishCommand from './commands/publish';
import * as queryCommand from './commands/query';
import * as fmtCommand from './commands/fmt';
import * as testCommand from './commands/test';
import packageJson from '../../package.json';

/** A command: its definition (parser and help, src/cli/commandLine.ts) and its run, which parses with it. */
interface Command {
  definition: CommandDefinition;
  run(args: string[], io: CliIo): Promise<number>;
}

/**
 * In the order `credcheck --help` lists them. A new command is a module in commands/ that exports its `definition`
 * (defineCommand: operands, options, examples, exit codes) and `run(args, io)` starting with
 * `readCommandLine(definition, args)`, added here; its help, `help <name>` and the suggestions follow.
 */
const commands: Command[] = [inputCommand, checkCommand, checksCommand, fetchCommand, publishCommand, queryCommand, fmtCommand, testCommand];

export async function main(argv: string[], io: CliIo = processIo): Promise<number> {
  const [name, ...rest] = argv;
  const command = commands.find((candidate) => candidate.definition.name === name);
  if (!command) return runProgram(argv, io);
  try {
    return await command.run(rest, io);
  } catch (error) {
    if (error instanceof HelpRequested) {
      io.stdout(error.help);
      return 0;
    }
    // An output file that cannot be written is the user's to fix, like a usage error: one line, exit 2.
    if (error instanceof UsageError || error instanceof OutputFileError) {
      io.stderr(`credcheck ${name}: ${error.message}\n`);
      return 2;
    }
    io.stderr(`credcheck ${name}: internal error: ${error instanceof Error ? error.message : String(error)}\n`);
    return 2;
  }
}

/**
 * Everything that is not a command: `--help`, `help [command]`, `--version`, no command (the usage on stderr, exit 2)
 * and an unknown command (with the closest one). Help and version exit 0, everything else 2.
 */
function runProgram(argv: string[], io: CliIo): number {
  const program = createProgram(
    commands.map((command) => command.definition),
    { writeOut: io.stdout, writeErr: io.stderr, outputError: (text, write) => write(text.replace(/^error: /, 'credcheck: ')) },
    versionText(),
  );
  // `help chek` is a misspelt command, not a request for the list of commands.
  const [first, second] = argv;
  const args = first === 'help' && second !== undefined && !commands.some((command) => command.definition.name === second) ? [second] : argv;
  try {
    program.parse(args, { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    throw error;
  }
  return 2; // not reached: the program has no action of its own, so parsing always ends in help or an error
}

/** The package's version and the embedded OPA's (from the compiler's capabilities file, when it is there). */
function versionText(): string {
  let opa = '';
  try {
    opa = ` (OPA ${readCompilerCapabilities().opa_version}, embedded)`;
  } catch {
    // Not built, or no capabilities file: the package version is still right.
  }
  return `credcheck ${packageJson.version}${opa}`;
}
