/**
 * The command line's conventions, the same for every command: `<command> --help` and `help <command>` print the
 * command's full help and exit 0, `--version`, suggestions for a misspelt command or option, usage errors exit 2.
 */
import * as assert from 'node:assert/strict';
import { join } from 'node:path';
import { readCommandLine } from '../../../src/cli/commandLine';
import { definition as checkDefinition } from '../../../src/cli/commands/check';
import { definition as fmtDefinition } from '../../../src/cli/commands/fmt';
import { definition as testDefinition } from '../../../src/cli/commands/test';
import { CliIo } from '../../../src/cli/io';
import { main } from '../../../src/cli/main';
import { readCompilerCapabilities } from '../../../src/core/compiler/compilerAssets';
import packageJson from '../../../package.json';

const REPO = join(__dirname, '../../../..');

function memoryIo(): CliIo & { out: string; err: string } {
  const io = { out: '', err: '', cwd: REPO, env: {}, stdout: (t: string) => void (io.out += t), stderr: (t: string) => void (io.err += t) };
  return io;
}

async function credcheck(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const io = memoryIo();
  const code = await main(args, io);
  return { code, out: io.out, err: io.err };
}

/** Every flag each command had before its help was generated: the contract the help must show and the parser keep. */
const FLAGS: Record<string, string[]> = {
  input: ['--now'],
  check: ['--policy', '--now', '--param', '--format', '--output', '--framework', '--suppressions', '--enable', '--disable', '--jobs'],
  checks: ['--format'],
  fetch: ['--profile', '--region', '--endpoint-url', '--out', '--timeout', '--organization', '--role-name', '--external-id', '--accounts', '--concurrency'],
  publish: ['--security-hub', '--region', '--endpoint-url', '--profile', '--timeout', '--policy', '--now', '--param', '--framework', '--suppressions', '--enable', '--disable', '--jobs'],
  query: ['--now', '--format', '--example', '--query-file', '--list-examples'],
  fmt: ['-w, --write', '-l, --list', '-d, --diff', '--check', '--fail'],
  test: ['-v, --verbose', '-r, --run', '-t, --timeout'],
};

function assertFitsWidth(text: string, what: string): void {
  for (const line of text.split('\n')) assert.ok(line.length <= 80, `${what}: a line of ${line.length} columns: ${line}`);
}

describe('credcheck command-line conventions', function () {
  this.timeout(60_000);

  for (const [name, flags] of Object.entries(FLAGS)) {
    it(`${name}: --help, -h and help ${name} print its options, examples and exit codes, and exit 0`, async () => {
      const viaFlag = await credcheck(name, '--help');
      assert.equal(viaFlag.code, 0, viaFlag.err);
      assert.equal(viaFlag.err, '');
      assert.match(viaFlag.out, new RegExp(`^Usage: credcheck ${name} `));
      for (const flag of [...flags, '-h, --help']) {
        // Each option on its own line with a description beside it.
        assert.match(viaFlag.out, new RegExp(`^  ${flag}\\b.*\\s{2,}\\S`, 'm'), `${name} --help lists ${flag}`);
      }
      assert.match(viaFlag.out, /\nExamples:\n {2}# .+\n {2}credcheck /);
      assert.match(viaFlag.out, /\nExit codes:\n {2}0 {2}\S/);
      assert.match(viaFlag.out, /\n {2}2 {2}a usage/);
      assertFitsWidth(viaFlag.out, `${name} --help`);

      const viaShort = await credcheck(name, '-h');
      const viaHelp = await credcheck('help', name);
      assert.deepEqual(viaShort, viaFlag);
      assert.deepEqual(viaHelp, viaFlag);
      // Help wins over the rest of the line: nothing runs.
      const withOperands = await credcheck(name, 'no-such-report.csv', '--help');
      assert.deepEqual(withOperands, viaFlag);
    });

    it(`${name}: an unknown option is a usage error (exit 2) that points at the help`, async () => {
      const { code, out, err } = await credcheck(name, '--no-such-option');
      assert.equal(code, 2);
      assert.equal(out, '');
      assert.match(err, new RegExp(`^credcheck ${name}: unknown option '--no-such-option'\n`));
      assert.match(err, new RegExp(`\\(run 'credcheck ${name} --help' for its options\\)\n$`));
    });
  }

  it('--help, -h and help (no command) print the usage and every command on stdout with exit 0; no command at all prints it on stderr with exit 2', async () => {
    const help = await credcheck('--help');
    assert.equal(help.code, 0);
    assert.equal(help.err, '');
    assert.match(help.out, /^Usage: credcheck <command> \[options\]\n/);
    for (const name of Object.keys(FLAGS)) assert.match(help.out, new RegExp(`^  ${name} +\\S`, 'm'), `lists ${name}`);
    assert.match(help.out, /^ {2}-V, --version +\S/m);
    assertFitsWidth(help.out, '--help');
    assert.deepEqual(await credcheck('-h'), help);
    assert.deepEqual(await credcheck('help'), help);

    const nothing = await credcheck();
    assert.equal(nothing.code, 2);
    assert.equal(nothing.out, '');
    assert.equal(nothing.err, help.out);
  });

  it('--version and -V print the package version and the embedded OPA version', async () => {
    const expected = `credcheck ${packageJson.version} (OPA ${readCompilerCapabilities().opa_version}, embedded)\n`;
    assert.match(expected, /OPA \d+\.\d+\.\d+,/);
    assert.deepEqual(await credcheck('--version'), { code: 0, out: expected, err: '' });
    assert.deepEqual(await credcheck('-V'), { code: 0, out: expected, err: '' });
  });

  it('a misspelt command gets the closest one, with exit 2 (also after help)', async () => {
    for (const args of [['chek'], ['chek', 'report.csv'], ['help', 'chek']]) {
      const { code, out, err } = await credcheck(...args);
      assert.equal(code, 2, args.join(' '));
      assert.equal(out, '');
      assert.equal(err, "credcheck: unknown command 'chek'\n(Did you mean check?)\n(run 'credcheck --help' for the commands)\n");
    }
    const far = await credcheck('xyzzy');
    assert.equal(far.code, 2);
    assert.doesNotMatch(far.err, /Did you mean/);
  });

  it('a misspelt option gets the closest one of its command, with exit 2', async () => {
    const cases: [string[], string][] = [
      [['check', 'report.csv', '--polciy', 'p/'], '--policy'],
      [['check', 'report.csv', '--formt', 'json'], '--format'],
      [['fetch', '--profil', 'prod'], '--profile'],
      [['query', 'report.csv', '--exampel', 'x'], '--example'],
      [['fmt', '--wirte', 'p/'], '--write'],
      [['test', '--verbos'], '--verbose'],
    ];
    for (const [args, suggestion] of cases) {
      const { code, err } = await credcheck(...args);
      assert.equal(code, 2, args.join(' '));
      assert.match(err, new RegExp(`unknown option '${args.find((arg) => arg.startsWith('--'))}'\n\\(Did you mean ${suggestion}\\?\\)`), err);
    }
  });

  it('usage errors of the parser exit 2 with the problem named: a missing value, operands to a command that takes none, fetch\'s checks', async () => {
    const cases: [string[], RegExp][] = [
      [['check', 'report.csv', '--now'], /^credcheck check: option '--now <time>' argument missing\n/],
      [['checks', 'extra'], /^credcheck checks: too many arguments for 'checks'/],
      [['fetch', 'extra'], /^credcheck fetch: too many arguments for 'fetch'/],
      [['fetch', '--timeout', '0'], /^credcheck fetch: --timeout must be a positive number of seconds, got '0'/],
      [['fetch', '--endpoint-url', 'ftp://example.com'], /^credcheck fetch: --endpoint-url must be an http\(s\) URL/],
      [['fetch', '--profile='], /^credcheck fetch: --profile needs a name/],
      [['fetch', '--region'], /^credcheck fetch: option '--region <region>' argument missing/],
      [['input'], /^credcheck input: expected one report file, got 0\nusage: credcheck input <report.csv> \[options\]\n\(run 'credcheck input --help'/],
    ];
    for (const [args, message] of cases) {
      const { code, out, err } = await credcheck(...args);
      assert.equal(code, 2, `${args.join(' ')}: ${err}`);
      assert.equal(out, '');
      assert.match(err, message);
    }
  });

  it('keeps every option\'s shape: repeatable options, --name=value, short flags, operands anywhere and after --', () => {
    const check = readCommandLine(checkDefinition, [
      'a.csv', '--policy', 'p1', '--param', 'x=1', '--policy=p2', '--param=y=2', '--now', 'report', 'b.csv',
      '--enable', 'user-mfa', '--disable', 'root-mfa', '--disable', 'user-mfa', '--jobs', '3', '--', '--c.csv',
    ]);
    assert.deepEqual(check.values, { policy: ['p1', 'p2'], param: ['x=1', 'y=2'], now: 'report', enable: ['user-mfa'], disable: ['root-mfa', 'user-mfa'], jobs: '3' });
    assert.deepEqual(check.positionals, ['a.csv', 'b.csv', '--c.csv']);
    // A lone '-' is an operand (stdin), not an option.
    assert.deepEqual(readCommandLine(checkDefinition, ['-', '--format', 'json']).positionals, ['-']);
    // The last of a single-valued option wins, as before.
    assert.equal(readCommandLine(checkDefinition, ['a.csv', '--format', 'json', '--format', 'csv']).values.format, 'csv');

    assert.deepEqual(readCommandLine(fmtDefinition, ['-w', 'p/']).values, { write: true });
    assert.deepEqual(readCommandLine(fmtDefinition, ['-l', '-d', '--check', '--fail', 'p/']).values, { list: true, diff: true, check: true, fail: true });
    assert.deepEqual(readCommandLine(fmtDefinition, ['-wl', 'p/']).values, { write: true, list: true });
    const test = readCommandLine(testDefinition, ['-v', '--run', 'mfa', '-t', '5', 'policies']);
    assert.deepEqual(test.values, { verbose: true, run: 'mfa', timeout: '5' });
    assert.deepEqual(test.positionals, ['policies']);
    assert.deepEqual(readCommandLine(testDefinition, ['-r', '^test_x$']).values, { run: '^test_x$' });
  });
});
