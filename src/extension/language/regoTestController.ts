/**
 * `*_test.rego` in VS Code's Testing view: one item per test file and per `test_` rule (ranges give the gutter run
 * buttons), kept up to date from the workspace index (disk and unsaved edits), run in-process by the embedded compiler.
 * Failures carry their location; print() output goes to the run's output, attached to the test.
 */
import * as vscode from 'vscode';
import { discoverTests, isTestFileName, TestOutcome } from '../../core/authoring/testPlan';
import { RequestedTest, runTests } from '../../core/authoring/toolingRequests';
import { toRange } from './editorProviders';
import type { LanguageDeps, LanguageLog } from './languageFeatures';
import { IndexedRegoFile, RegoWorkspace } from './regoWorkspace';

export const TEST_CONTROLLER_ID = 'credcheck-rego-tests';
const TEST_TIMEOUT_MS = 60_000;

interface TestInfo {
  uri: vscode.Uri;
  package: string | undefined;
  /** Undefined for a file item. */
  name?: string;
}

/** What the last run found, by test id: what `credcheck.rego.lastTestRun` returns (integration tests read it). */
export interface RecordedTestRun {
  /** Counts runs from 1, so a caller can tell a new run from the previous one. */
  id: number;
  finished: boolean;
  outcomes: { id: string; file: string; name: string; state: TestOutcome['state']; message?: string; line?: number; output: string[] }[];
}

export class RegoTestController implements vscode.Disposable {
  readonly controller = vscode.tests.createTestController(TEST_CONTROLLER_ID, 'Rego tests');
  readonly profile: vscode.TestRunProfile;
  private readonly info = new WeakMap<vscode.TestItem, TestInfo>();
  private readonly subscriptions: vscode.Disposable[] = [this.controller];
  private lastRun: RecordedTestRun | undefined;
  private runCount = 0;

  constructor(private readonly workspace: RegoWorkspace, private readonly deps: LanguageDeps, private readonly log: LanguageLog) {
    this.profile = this.controller.createRunProfile('Run', vscode.TestRunProfileKind.Run, (request, token) => this.run(request, token), true);
    this.controller.resolveHandler = async () => {
      await this.workspace.ready();
      this.refreshAll();
    };
    this.controller.refreshHandler = async () => {
      await this.workspace.ready();
      this.refreshAll();
    };
    this.subscriptions.push(
      this.profile,
      this.workspace.onDidChange((uri) => (uri ? this.refresh(uri) : this.refreshAll())),
    );
    void this.workspace.ready().then(() => this.refreshAll());
  }

  get recorded(): RecordedTestRun | undefined {
    return this.lastRun;
  }

  private refreshAll(): void {
    const files = this.workspace.all().filter((entry) => isTestFileName(entry.uri.path));
    const ids = new Set(files.map((entry) => entry.uri.toString()));
    this.controller.items.forEach((item) => {
      if (!ids.has(item.id)) this.controller.items.delete(item.id);
    });
    files.forEach((entry) => this.updateFile(entry));
  }

  private refresh(uri: vscode.Uri): void {
    if (!isTestFileName(uri.path)) return;
    const entry = this.workspace.get(uri);
    if (entry) this.updateFile(entry);
    else this.controller.items.delete(uri.toString());
  }

  private updateFile(entry: IndexedRegoFile): void {
    const discovered = discoverTests(entry.outline);
    const id = entry.uri.toString();
    let fileItem = this.controller.items.get(id);
    if (!fileItem) {
      fileItem = this.controller.createTestItem(id, entry.file, entry.uri);
      this.controller.items.add(fileItem);
    }
    fileItem.label = entry.file;
    fileItem.description = discovered.package;
    fileItem.error = discovered.package ? undefined : 'No package declaration: the tests cannot run.';
    this.info.set(fileItem, { uri: entry.uri, package: discovered.package });
    const children = discovered.tests.map((test) => {
      const child = fileItem!.children.get(`${id}::${test.name}`) ?? this.controller.createTestItem(`${id}::${test.name}`, test.name, entry.uri);
      child.range = toRange(test.range);
      this.info.set(child, { uri: entry.uri, package: discovered.package, name: test.name });
      return child;
    });
    fileItem.children.replace(children);
  }

  /** Runs the whole workspace's tests (the `credcheck.rego.runTests` command). */
  runAll(): Promise<void> {
    const source = new vscode.CancellationTokenSource();
    return this.run(new vscode.TestRunRequest(undefined, undefined, this.profile), source.token).finally(() => source.dispose());
  }

  private async run(request: vscode.TestRunRequest, token: vscode.CancellationToken): Promise<void> {
    const run = this.controller.createTestRun(request);
    const recorded: RecordedTestRun = { id: ++this.runCount, finished: false, outcomes: [] };
    this.lastRun = recorded;
    const tests = this.testsOf(request);
    tests.forEach((item) => run.enqueued(item));
    try {
      if (!vscode.workspace.isTrusted) {
        const message = new vscode.TestMessage('Rego tests run the workspace policies: trust the workspace to run them.');
        tests.forEach((item) => this.record(run, recorded, item, { state: 'errored', message: message.message as string, output: [] }));
        return;
      }
      const runnable = tests.filter((item) => this.info.get(item)?.package);
      tests.filter((item) => !this.info.get(item)?.package).forEach((item) => this.record(run, recorded, item, { state: 'errored', message: 'The file has no package declaration.', output: [] }));
      if (runnable.length === 0) return;
      const fileOf = (item: vscode.TestItem) => this.workspace.get(this.info.get(item)!.uri)?.file ?? this.info.get(item)!.uri.toString();
      const requested: RequestedTest[] = runnable.map((item) => ({ file: fileOf(item), package: this.info.get(item)!.package!, name: this.info.get(item)!.name! }));
      runnable.forEach((item) => run.started(item));
      const controller = new AbortController();
      const cancel = token.onCancellationRequested(() => controller.abort());
      const started = Date.now();
      try {
        await this.workspace.ready();
        const answer = await runTests(await this.deps.tooling(), this.workspace.modules(), requested, { timeoutMs: TEST_TIMEOUT_MS, signal: controller.signal });
        this.log.info(`Rego tests: ${answer.outcomes.length} test(s), ${answer.compileErrors.length} compile error(s) in ${Date.now() - started} ms`);
        for (const error of answer.compileErrors) run.appendOutput(`${error.file}:${error.line}:${error.column}: ${error.message}\r\n`);
        answer.outcomes.forEach(({ outcome }, index) => this.record(run, recorded, runnable[index]!, outcome));
      } catch (error) {
        const message = token.isCancellationRequested ? 'Cancelled.' : `The tests could not run: ${error instanceof Error ? error.message : String(error)}`;
        if (!token.isCancellationRequested) this.log.error('Rego tests could not run', error);
        runnable.forEach((item) => (token.isCancellationRequested ? run.skipped(item) : this.record(run, recorded, item, { state: 'errored', message, output: [] })));
      } finally {
        cancel.dispose();
      }
    } finally {
      recorded.finished = true;
      run.end();
    }
  }

  /** The test items a request means: the included ones (a file means its tests), minus the excluded ones. */
  private testsOf(request: vscode.TestRunRequest): vscode.TestItem[] {
    const roots: vscode.TestItem[] = [];
    if (request.include) roots.push(...request.include);
    else this.controller.items.forEach((item) => roots.push(item));
    const excluded = new Set((request.exclude ?? []).map((item) => item.id));
    // By id: "run at cursor" can include a test twice (as itself and through an enclosing item), and it runs once.
    const tests = new Map<string, vscode.TestItem>();
    for (const root of roots) {
      if (excluded.has(root.id)) continue;
      if (this.info.get(root)?.name) tests.set(root.id, root);
      else root.children.forEach((child) => !excluded.has(child.id) && tests.set(child.id, child));
    }
    return [...tests.values()];
  }

  private record(run: vscode.TestRun, recorded: RecordedTestRun, item: vscode.TestItem, outcome: TestOutcome): void {
    const info = this.info.get(item);
    const output = outcome.output;
    for (const line of output) run.appendOutput(`${info?.package ?? ''}.${info?.name ?? item.label}: ${line.replace(/\r?\n/g, '\r\n')}\r\n`, item.uri && item.range ? new vscode.Location(item.uri, item.range) : undefined, item);
    let line: number | undefined;
    switch (outcome.state) {
      case 'passed':
        run.passed(item, outcome.durationMs);
        break;
      case 'skipped':
        run.skipped(item);
        break;
      default: {
        const message = new vscode.TestMessage(outcome.message);
        const uri = outcome.location ? (this.workspace.uriOf(outcome.location.file) ?? item.uri) : item.uri;
        if (outcome.location && uri) {
          line = Math.max(0, outcome.location.line - 1);
          message.location = new vscode.Location(uri, new vscode.Position(line, Math.max(0, outcome.location.column - 1)));
        } else if (item.uri && item.range) {
          message.location = new vscode.Location(item.uri, item.range);
        }
        if (outcome.state === 'failed') run.failed(item, message, outcome.durationMs);
        else run.errored(item, message, outcome.durationMs);
      }
    }
    recorded.outcomes.push({
      id: item.id,
      file: info ? (this.workspace.get(info.uri)?.file ?? info.uri.toString()) : '',
      name: info?.name ?? item.label,
      state: outcome.state,
      ...(outcome.state === 'failed' || outcome.state === 'errored' ? { message: outcome.message } : {}),
      ...(line !== undefined ? { line } : {}),
      output,
    });
  }

  dispose(): void {
    this.subscriptions.forEach((subscription) => subscription.dispose());
  }
}
