/**
 * The command line's single source: each command declares its operands, options, examples and exit codes once
 * (`defineCommand`), and commander turns that declaration into both the parser and the help, so they cannot drift.
 *
 * Why commander: it generates help from the declaration, suggests the closest command or option ("Did you mean
 * --policy?"), and lets every exit and every byte of output be redirected (`exitOverride`, `configureOutput`), which
 * keeps our exit codes (usage errors 2, help 0) and lets tests run the CLI in-process. It has no dependencies and is
 * the most used Node argument parser. node:util parseArgs (used before) has no help and no suggestions; yargs is
 * several packages and reaches for process.exit, the locale and the terminal on its own.
 */
import { Command, CommanderError, Option, OutputConfiguration } from 'commander';
import { UsageError } from './io';

/** Help is laid out for this many columns whatever the terminal, so it reads the same in a pipe, a file and a test. */
export const HELP_WIDTH = 80;

export interface OptionDefinition {
  /** The value's placeholder (`<file>`); an option without one is a flag, true when given. */
  readonly value?: string;
  /** A one-letter alias: `v` for `-v`. */
  readonly short?: string;
  /** Repeatable: every occurrence is kept, in order. */
  readonly multiple?: boolean;
  /** One line for the help (it is wrapped to the help's width). */
  readonly description: string;
}

export interface CommandDefinition<Options extends Record<string, OptionDefinition> = Record<string, OptionDefinition>> {
  readonly name: string;
  /** The operands as the usage line shows them (`<report.csv>...`); empty when the command takes none. */
  readonly operands: string;
  /** One line for the list of commands in `credcheck --help`. */
  readonly summary: string;
  /** What the command does, for its own help: one paragraph, wrapped to the help's width. */
  readonly description: string;
  /** Keyed by the long name, without the dashes; the values come back under the same keys. */
  readonly options: Options;
  /** What each example does, and the command line. */
  readonly examples: readonly (readonly [what: string, commandLine: string])[];
  /** What each exit code means. */
  readonly exitCodes: readonly (readonly [code: number, meaning: string])[];
}

/** The parsed options: a string for an option with a value, a string[] for a repeatable one, true for a flag. */
export type CommandValues<Options> = {
  [Name in keyof Options]?: Options[Name] extends { value: string } ? (Options[Name] extends { multiple: true } ? string[] : string) : boolean;
};

/** Keeps the literal types of a definition, so `readCommandLine` knows which options are repeatable or flags. */
export function defineCommand<const Options extends Record<string, OptionDefinition>>(definition: CommandDefinition<Options>): CommandDefinition<Options> {
  return definition;
}

/** `--help` was given: the command's help, to print on stdout before exiting 0 without running the command. */
export class HelpRequested extends Error {
  constructor(readonly help: string) {
    super('help requested');
  }
}

/**
 * A command's arguments, parsed by its definition: the options under their definition keys and the operands in order.
 * Throws HelpRequested for `--help`, and a UsageError (exit 2) for an unknown option (with the closest known one), a
 * missing option value, or operands given to a command that takes none.
 */
export function readCommandLine<Options extends Record<string, OptionDefinition>>(
  definition: CommandDefinition<Options>,
  args: string[],
): { values: CommandValues<Options>; positionals: string[] } {
  let help = '';
  const capture: OutputConfiguration = { writeOut: (text) => (help += text), writeErr: (text) => (help += text), outputError: () => {} };
  const program = createProgram([definition], capture, '');
  try {
    program.parse([definition.name, ...args], { from: 'user' });
  } catch (error) {
    if (!(error instanceof CommanderError)) throw error;
    if (error.exitCode === 0) throw new HelpRequested(help);
    throw new UsageError(`${error.message.replace(/^error: /, '')}\n${helpHint(definition)}`);
  }
  const command = program.commands[0]!;
  const parsed = command.opts();
  const values: Record<string, unknown> = {};
  for (const name of Object.keys(definition.options)) {
    const value = parsed[optionOf(name, definition.options[name]!).attributeName()];
    if (value !== undefined) values[name] = value;
  }
  return { values: values as CommandValues<Options>, positionals: command.args };
}

/** The one-line usage and where the full help is, for the end of a command's usage error. */
export function usageOf(definition: CommandDefinition): string {
  return `usage: credcheck ${definition.name}${definition.operands ? ` ${definition.operands}` : ''} [options]\n${helpHint(definition)}`;
}

function helpHint(definition: CommandDefinition): string {
  return `(run 'credcheck ${definition.name} --help' for its options)`;
}

/**
 * `credcheck` with every command under it: the parser and the help of each. Parsing throws a CommanderError (never
 * exits the process); everything it prints goes through `output`.
 */
export function createProgram(definitions: readonly CommandDefinition[], output: OutputConfiguration, version: string): Command {
  const program = new Command('credcheck')
    .usage('<command> [options]')
    .description('Audits AWS IAM credential reports with policy as code: the bundled checks (CIS, Security Hub) and your own Rego policies, compiled to WebAssembly.')
    // The program's own options (--version, --help) only before the command: after it, they are the command's.
    .enablePositionalOptions()
    .helpCommand('help [command]', "print a command's help and exit")
    .addHelpText('after', `\nRun 'credcheck help <command>' for a command's options, examples and exit codes.\n`);
  if (version) program.version(version, '-V, --version', 'print the version and exit');
  configure(program, output);
  program.showHelpAfterError("(run 'credcheck --help' for the commands)");
  for (const definition of definitions) program.addCommand(commandOf(definition, output));
  return program;
}

function commandOf(definition: CommandDefinition, output: OutputConfiguration): Command {
  const command = new Command(definition.name)
    .summary(definition.summary)
    .description(definition.description)
    .usage(`${definition.operands ? `${definition.operands} ` : ''}[options]`)
    // The commands count their operands themselves, with messages that say what is missing.
    .allowExcessArguments(definition.operands !== '')
    .addHelpText('after', epilogueOf(definition));
  configure(command, output);
  for (const [name, option] of Object.entries(definition.options)) command.addOption(optionOf(name, option));
  return command;
}

function configure(command: Command, output: OutputConfiguration): void {
  command
    .helpOption('-h, --help', 'print this help and exit')
    .exitOverride()
    .configureOutput(output)
    .showSuggestionAfterError(true)
    // The list of commands shows their names only, so every summary fits on one line beside it.
    .configureHelp({ helpWidth: HELP_WIDTH, subcommandTerm: (sub) => sub.name() });
}

function optionOf(name: string, definition: OptionDefinition): Option {
  const flags = `${definition.short ? `-${definition.short}, ` : ''}--${name}${definition.value ? ` ${definition.value}` : ''}`;
  const option = new Option(flags, definition.multiple ? `${definition.description} (repeatable)` : definition.description);
  if (definition.multiple) option.argParser((value: string, previous: string[] | undefined) => [...(previous ?? []), value]);
  return option;
}

/** Examples and exit codes, after the options (commander leaves added text as it is: it is wrapped here). */
function epilogueOf(definition: CommandDefinition): string {
  const lines = ['', 'Examples:'];
  for (const [what, commandLine] of definition.examples) lines.push(...wrap(what, '  # ', '  # '), `  ${commandLine}`);
  lines.push('', 'Exit codes:');
  for (const [code, meaning] of definition.exitCodes) lines.push(...wrap(meaning, `  ${code}  `, '     '));
  return `${lines.join('\n')}\n`;
}

/** Words filled into lines of at most HELP_WIDTH columns, after a prefix; a word longer than a line stays whole. */
function wrap(text: string, firstPrefix: string, nextPrefix: string): string[] {
  const lines: string[] = [];
  let line = firstPrefix;
  let empty = true;
  for (const word of text.split(/\s+/)) {
    if (!empty && line.length + 1 + word.length > HELP_WIDTH) {
      lines.push(line);
      line = nextPrefix + word;
    } else {
      line += empty ? word : ` ${word}`;
    }
    empty = false;
  }
  lines.push(line);
  return lines;
}
