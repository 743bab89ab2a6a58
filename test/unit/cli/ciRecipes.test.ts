/**
 * The README's CI recipes (its "CI" section), tried as far as a machine without GitHub or GitLab allows:
 * - each YAML block parses (the `yaml` package, YAML 1.2, duplicate keys refused) and has the steps the text promises;
 * - the shell of every step passes `bash -n`, and the paths it uses in the credcheck checkout exist in this repository;
 * - each `credcheck` command is run as written (in-process, the CLI's own `main`) in a folder holding `reports/` with
 *   the sample report: its options are real (a misspelt one is exit 2) and it exits 1 (findings);
 * - the SARIF it writes passes the SARIF multitool (rule kinds Sarif and Gh), and the JUnit is read by a real JUnit
 *   parser (Python's junitparser, installed into .tools/venv by scripts/setup.sh --test) whose counts must match the
 *   findings of the same run in JSON.
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseDocument } from 'yaml';
import { CliIo } from '../../../src/cli/io';
import { main } from '../../../src/cli/main';
import { multitoolDefects } from '../../support/sarifMultitool';

const REPO = join(__dirname, '../../../..');
const SAMPLE = join(REPO, 'samples/sample-credential-report.csv');
const PYTHON = join(REPO, '.tools/venv/bin/python');
/** Where the recipes check credcheck out. */
const CHECKOUT = '.credcheck/';

/** The fenced YAML blocks of the README's "## CI" section, in order. */
function ciYamlBlocks(): string[] {
  const readme = readFileSync(join(REPO, 'README.md'), 'utf8');
  const start = readme.indexOf('\n## CI\n');
  assert.ok(start >= 0, 'README.md has no "## CI" section');
  const end = readme.indexOf('\n## ', start + 1);
  const section = readme.slice(start, end < 0 ? undefined : end);
  return [...section.matchAll(/^```yaml\n([\s\S]*?)^```$/gm)].map((match) => match[1]!);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Yaml = any;

function parseYaml(text: string, which: string): Yaml {
  const document = parseDocument(text, { uniqueKeys: true, prettyErrors: true });
  assert.deepEqual([...document.errors, ...document.warnings].map((problem) => problem.message), [], `the ${which} block is not clean YAML`);
  return document.toJS();
}

/** The `credcheck ...` lines of some shell text. */
function credcheckCommands(scripts: string[]): string[] {
  return scripts.flatMap((script) => script.split('\n')).map((line) => line.trim()).filter((line) => /^credcheck\s/.test(line));
}

/** The arguments of a command line, split as the shell splits one without quotes, variables or operators. */
function argumentsOf(command: string): string[] {
  assert.doesNotMatch(command, /["'`$|&;<>\\*?()]/, `the test runs commands without shell syntax only: ${command}`);
  return command.split(/\s+/).slice(1);
}

/** `bash -n`: the shell text parses. */
function assertShellParses(script: string, which: string): void {
  const checked = spawnSync('bash', ['-n'], { input: script, encoding: 'utf8' });
  assert.equal(checked.status, 0, `${which}: bash -n: ${checked.stderr}`);
}

/** The files of the credcheck checkout a script names (`.credcheck/...`) exist in this repository. */
function assertCheckoutPathsExist(text: string, which: string): void {
  const paths = [...text.matchAll(/\.credcheck\/([\w./-]+)/g)].map((match) => match[1]!);
  for (const path of paths) assert.ok(existsSync(join(REPO, path)), `${which} uses ${CHECKOUT}${path}, which is not in this repository`);
}

function memoryIo(cwd: string): CliIo & { out: string; err: string } {
  const io = { out: '', err: '', cwd, env: {}, stdout: (t: string) => void (io.out += t), stderr: (t: string) => void (io.err += t) };
  return io;
}

/** Runs a recipe's credcheck command in `cwd`; returns its exit code and the file its --output names. */
async function runRecipeCommand(command: string, cwd: string): Promise<{ code: number; output: string; err: string }> {
  const args = argumentsOf(command);
  const outputIndex = args.indexOf('--output');
  assert.ok(outputIndex >= 0 && args[outputIndex + 1], `${command} writes no --output file`);
  const io = memoryIo(cwd);
  const code = await main(args, io);
  return { code, output: args[outputIndex + 1]!, err: io.err };
}

describe('the README\'s CI recipes (GitHub Actions, GitLab CI)', function () {
  this.timeout(600_000);
  let dir: string;
  let github: Yaml;
  let gitlab: Yaml;

  before(() => {
    const blocks = ciYamlBlocks();
    assert.equal(blocks.length, 2, 'the CI section has a GitHub Actions and a GitLab CI block');
    github = parseYaml(blocks[0]!, 'GitHub Actions');
    gitlab = parseYaml(blocks[1]!, 'GitLab CI');
    dir = mkdtempSync(join(tmpdir(), 'credcheck-ci-'));
    mkdirSync(join(dir, 'reports'));
    copyFileSync(SAMPLE, join(dir, 'reports', '123456789012-credential-report.csv'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('GitHub Actions: check writes SARIF the multitool accepts, and upload-sarif sends it always', async () => {
    assert.equal(github.permissions?.['security-events'], 'write', 'upload-sarif needs security-events: write');
    const jobs = Object.values(github.jobs as Record<string, { steps: Yaml[] }>);
    assert.equal(jobs.length, 1);
    const steps = jobs[0]!.steps;
    const scripts = steps.filter((step) => typeof step.run === 'string').map((step) => step.run as string);
    scripts.forEach((script, index) => assertShellParses(script, `GitHub step run #${index + 1}`));
    assertCheckoutPathsExist(JSON.stringify(github), 'the GitHub workflow');

    const commands = credcheckCommands(scripts);
    assert.equal(commands.length, 1, `credcheck commands: ${commands.join(' | ')}`);
    assert.match(commands[0]!, /--format sarif/);
    const { code, output, err } = await runRecipeCommand(commands[0]!, dir);
    assert.equal(code, 1, `exit ${code} (1: findings): ${err}`);

    const upload = steps.find((step) => typeof step.uses === 'string' && step.uses.startsWith('github/codeql-action/upload-sarif@'));
    assert.ok(upload, 'no github/codeql-action/upload-sarif step');
    assert.equal(upload.if, 'always()', 'the upload must run when the audit step failed (exit 1 or 2)');
    assert.equal(upload.with?.sarif_file, output, 'the upload sends the file credcheck wrote');
    assert.ok(steps.indexOf(upload) > steps.findIndex((step) => typeof step.run === 'string' && step.run.includes(commands[0]!)), 'the upload comes after the audit');

    const sarif = JSON.parse(readFileSync(join(dir, output), 'utf8'));
    assert.ok(sarif.runs[0].results.length > 0);
    assert.equal(sarif.runs[0].invocations[0].executionSuccessful, true);
    assert.deepEqual(multitoolDefects(join(dir, output)), []);
  });

  it('GitLab CI: check writes JUnit that a real JUnit parser reads with one failure per failing finding, kept always', async () => {
    const jobs = Object.entries(gitlab as Record<string, Yaml>).filter(([, job]) => job && typeof job === 'object' && 'script' in job);
    assert.equal(jobs.length, 1);
    const [name, job] = jobs[0]!;
    const scripts = [...(job.before_script ?? []), ...job.script] as string[];
    assertShellParses(scripts.join('\n'), `GitLab job ${name}`);
    assertCheckoutPathsExist(JSON.stringify(gitlab), 'the GitLab job');
    assert.deepEqual(job.allow_failure?.exit_codes, [1], 'findings (1) are a warning; an incomplete audit (2) fails the job');
    assert.equal(job.artifacts?.when, 'always', 'the report is kept when the job fails');

    const commands = credcheckCommands(job.script);
    assert.equal(commands.length, 1, `credcheck commands: ${commands.join(' | ')}`);
    assert.match(commands[0]!, /--format junit/);
    const { code, output, err } = await runRecipeCommand(commands[0]!, dir);
    assert.equal(code, 1, `exit ${code} (1: findings): ${err}`);
    assert.equal(job.artifacts?.reports?.junit, output, 'artifacts: reports: junit names the file credcheck wrote');

    assert.ok(existsSync(PYTHON), `no Python venv at ${PYTHON}: run scripts/setup.sh --test`);
    const parse = spawnSync(PYTHON, ['-c', JUNIT_SUMMARY, join(dir, output)], { encoding: 'utf8' });
    assert.equal(parse.status, 0, `junitparser: ${parse.stderr}`);
    const parsed = JSON.parse(parse.stdout) as { tests: number; failures: number; errors: number; cases: { suite: string; name: string; results: string[] }[] };

    // The same run as JSON: what the JUnit must say.
    const io = memoryIo(dir);
    const jsonArgs = argumentsOf(commands[0]!).filter((arg, index, all) => arg !== '--output' && all[index - 1] !== '--output').map((arg) => (arg === 'junit' ? 'json' : arg));
    assert.equal(await main(jsonArgs, io), 1, io.err);
    const findings = (JSON.parse(io.out) as { findings: { check: string; status: string; suppressed?: unknown }[] }).findings;
    const failing = findings.filter((finding) => finding.status === 'fail' && !finding.suppressed);
    assert.ok(failing.length > 0);
    assert.equal(parsed.tests, findings.length);
    assert.equal(parsed.cases.length, findings.length);
    assert.equal(parsed.failures, failing.length);
    assert.equal(parsed.errors, 0);
    assert.equal(parsed.cases.filter((testCase) => testCase.results.includes('Failure')).length, failing.length);
    for (const check of new Set(failing.map((finding) => finding.check))) {
      assert.equal(
        parsed.cases.filter((testCase) => testCase.suite === check && testCase.results.includes('Failure')).length,
        failing.filter((finding) => finding.check === check).length,
        `failures of ${check}`,
      );
    }
  });

  it('a misspelt option in a recipe would fail the test above: exit 2 naming the closest option', async () => {
    const io = memoryIo(dir);
    assert.equal(await main(['check', 'reports/', '--format', 'sarif', '--ouptut', 'x.sarif'], io), 2);
    assert.match(io.err, /--output/);
  });
});

/** Reads a JUnit file with junitparser and prints what it found as JSON. */
const JUNIT_SUMMARY = `
import json, sys
from junitparser import JUnitXml
xml = JUnitXml.fromfile(sys.argv[1])
cases = [{"suite": suite.name, "name": case.name, "results": [type(result).__name__ for result in case.result]} for suite in xml for case in suite]
print(json.dumps({"tests": xml.tests, "failures": xml.failures, "errors": xml.errors or 0, "cases": cases}))
`;
