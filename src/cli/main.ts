import { CliIo, processIo, UsageError } from './io';
import * as inputCommand from './commands/input';
import * as checkCommand from './commands/check';
import * as checksCommand from './commands/checks';
import * as fetchCommand from './commands/fetch';
import * as queryCommand from './commands/query';
import * as fmtCommand from './commands/fmt';
import * as testCommand from './commands/test';

interface Command {
  summary: string;
  run(args: string[], io: CliIo): Promise<number>;
}

const commands: Record<string, Command> = {
  input: { summary: 'input <report.csv> [--now <ISO 8601>]: print the JSON input the policies see', run: inputCommand.run },
  check: { summary: 'check <report.csv>... [--policy <dir|file>]... [--now ...] [--param k=v]... [--format ...] [--output <file>] [--jobs <n>]', run: checkCommand.run },
  checks: { summary: 'checks [--format table|json]: list the bundled checks with their mappings and parameters', run: checksCommand.run },
  fetch: { summary: 'fetch [--profile <name>]... [--region <r>] [--endpoint-url <url>] [--out <file>] [--timeout <s>]', run: fetchCommand.run },
  query: { summary: "query <report.csv>... '<rego query>' [--now ...] [--format table|json|csv]", run: queryCommand.run },
  fmt: { summary: 'fmt [--check|--diff|-l|-w] <path>...: format Rego with OPA\'s formatter (as opa fmt)', run: fmtCommand.run },
  test: { summary: 'test [-v] [--run <regex>] [--timeout <s>] [path]...: run *_test.rego (as opa test, no opa needed)', run: testCommand.run },
};

function usage(): string {
  return ['usage: credcheck <command> [options]', '', ...Object.values(commands).map((c) => `  credcheck ${c.summary}`), ''].join('\n');
}

export async function main(argv: string[], io: CliIo = processIo): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.stdout(usage());
    return name ? 0 : 2;
  }
  const command = commands[name];
  if (!command) {
    io.stderr(`credcheck: unknown command '${name}'\n${usage()}`);
    return 2;
  }
  try {
    return await command.run(rest, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`credcheck ${name}: ${error.message}\n`);
      return 2;
    }
    io.stderr(`credcheck ${name}: internal error: ${error instanceof Error ? error.message : String(error)}\n`);
    return 2;
  }
}
