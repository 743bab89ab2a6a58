// Workspace policies in the browser: compiled by the embedded compiler in a nested Web Worker, evaluated in another,
// both under their time limits.
import * as vscode from 'vscode';
import { activateExtension, assert, cellOf, closeAllEditors, codeOf, openWorkspaceReport, removeIfExists, reportDiagnostics, requestScreenshot, rowOf, waitFor, workspaceUri, writeText } from '../webHelpers';

const policy = (days: number) => `# METADATA
# title: Keys older than ${days} days
# custom:
#   id: custom-old-keys
#   severity: high
package custom.old_keys

deny contains result if {
	some u in input.users
	u.access_key_1_active == true
	u.access_key_1_last_rotated_days > ${days}
	result := {"msg": sprintf("key 1 of %s is older than ${days} days", [u.user]), "user": u.user, "field": "access_key_1_last_rotated"}
}
`;

// Compiles, then spins through 10^10 pairs in constant memory: only the evaluation's time limit ends it.
const SPIN = `package custom.spin

r := numbers.range(1, 100000)

deny contains "never" if {
	some i in r
	some j in r
	i > j
	j > i
}
`;

// A billion intermediate values: the policy's capped wasm memory ends it.
const BOMB = `package custom.bomb

deny contains "never" if {
	some i in numbers.range(1, 1000000000)
	i < 0
}
`;

interface RecordedTestRun {
  id: number;
  finished: boolean;
  outcomes: { name: string; state: string; message?: string; line?: number }[];
}

function lastTestRun(): Thenable<RecordedTestRun | undefined> {
  return vscode.commands.executeCommand<RecordedTestRun | undefined>('credcheck.rego.lastTestRun');
}

describe('web: workspace policies compiled in the browser', () => {
  const file = (name: string) => workspaceUri('policies', name);
  afterEach(async () => {
    // A test that failed mid-edit leaves a dirty editor, whose text would outlive its file for the next test.
    for (const document of vscode.workspace.textDocuments.filter((candidate) => candidate.isDirty)) {
      await vscode.window.showTextDocument(document);
      await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    }
    await closeAllEditors();
    await removeIfExists(workspaceUri('policies'));
    const api = await activateExtension();
    await api.whenIdle();
  });

  it('a workspace policy written in the browser changes the findings of the open report', async () => {
    const api = await activateExtension();
    const { document } = await openWorkspaceReport();
    await waitFor('bundled findings', () => reportDiagnostics(document.uri).length > 0);
    assert.ok(!api.getResult(document.uri)!.findings.some((finding) => finding.check === 'custom-old-keys'));
    await writeText(file('old_keys.rego'), policy(30));
    const custom = await waitFor('custom findings', () => {
      const found = api.getResult(document.uri)?.findings.filter((finding) => finding.check === 'custom-old-keys');
      return found && found.length > 0 && found;
    });
    assert.ok(custom.some((finding) => finding.user === 'darryl_philbin'), 'darryl_philbin has an active key from 2021');
    const darryl = rowOf(document, 'darryl_philbin');
    const diagnostic = await waitFor('the custom diagnostic on its cell', () => reportDiagnostics(document.uri).find((d) => codeOf(d) === 'custom-old-keys' && d.range.start.line === darryl));
    assert.ok(diagnostic.range.isEqual(cellOf(document, darryl, 'access_key_1_last_rotated').range), 'not on access_key_1_last_rotated');
    assert.match(api.compilerProvenance() ?? '', /^embedded/, 'compiled by something else than the embedded compiler');
    await requestScreenshot('web-workspace-policy');

    // An edit recompiles: nobody's key is 100000 days old.
    await writeText(file('old_keys.rego'), policy(100000));
    await waitFor('the custom findings gone after the edit', () => {
      const result = api.getResult(document.uri);
      return result?.usedWorkspacePolicies && !result.findings.some((finding) => finding.check === 'custom-old-keys');
    });
  });

  it('a broken policy shows its compile error at its line', async () => {
    const api = await activateExtension();
    const broken = policy(30).replace('u.access_key_1_active == true', 'u.access_key_1_active == == true');
    const brokenLine = broken.split('\n').findIndex((line) => line.includes('== =='));
    await writeText(file('broken.rego'), broken);
    const { document } = await openWorkspaceReport();
    const errors = await waitFor('a compile error on the policy', () => {
      const found = vscode.languages.getDiagnostics(file('broken.rego')).filter((d) => d.severity === vscode.DiagnosticSeverity.Error);
      return found.length > 0 && found;
    });
    assert.strictEqual(errors[0]!.range.start.line, brokenLine, `error at line ${errors[0]!.range.start.line + 1}: ${errors[0]!.message}`);
    await api.whenIdle();
    // The broken policy is a problem of the run, never a silent pass.
    const problems = api.getResult(document.uri)?.policyProblems ?? [];
    assert.ok(problems.some((problem) => /broken\.rego$/.test(problem.file)), `policy problems: ${JSON.stringify(problems)}`);
  });

  it('checks a policy while it is typed in the editor, and the fix clears the error', async () => {
    await activateExtension();
    // A package of its own: the check while typing sees this file together with the other workspace policies.
    const typed = policy(30).replace('package custom.old_keys', 'package custom.typed').replace('id: custom-old-keys', 'id: custom-typed');
    const brokenLine = typed.split('\n').findIndex((line) => line.includes('u.access_key_1_active == true'));
    await writeText(file('typed.rego'), typed);
    const document = await vscode.workspace.openTextDocument(file('typed.rego'));
    const editor = await vscode.window.showTextDocument(document);
    const typingErrors = () => vscode.languages.getDiagnostics(document.uri).filter((d) => d.source === 'credcheck-rego' && d.severity === vscode.DiagnosticSeverity.Error);
    // Unsaved edits: only the check while typing can see them.
    await editor.edit((edit) => edit.replace(document.lineAt(brokenLine).range, '\tu.access_key_1_active == == true'));
    const errors = await waitFor('the error while typing', () => typingErrors().length > 0 && typingErrors());
    assert.strictEqual(errors[0]!.range.start.line, brokenLine, `error at line ${errors[0]!.range.start.line + 1}: ${errors[0]!.message}`);
    await editor.edit((edit) => edit.replace(document.lineAt(brokenLine).range, '\tu.access_key_1_active == true'));
    await waitFor('the error cleared after the fix', () => typingErrors().length === 0);
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });

  it('runs a policy\'s Rego tests in the browser, with a failing one located', async () => {
    await activateExtension();
    // Opened, not only written: an open document is in the workspace index at once.
    const show = async (name: string, text: string) => {
      await writeText(file(name), text);
      await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(file(name)), { preview: false });
    };
    await show('tested.rego', policy(30).replace('package custom.old_keys', 'package custom.tested').replace('id: custom-old-keys', 'id: custom-tested'));
    const tests = `package custom.tested_test

import data.custom.tested

old := {"user": "alice", "access_key_1_active": true, "access_key_1_last_rotated_days": 31}

test_old_key_is_reported if {
	count(tested.deny) == 1 with input as {"users": [old]}
}

test_deliberately_failing if {
	count(tested.deny) == 2 with input as {"users": [old]}
}
`;
    await show('tested_test.rego', tests);
    const failingLine = tests.split('\n').findIndex((line) => line.includes('== 2'));
    const run = await waitFor('both tests run', async () => {
      const before = (await lastTestRun())?.id ?? 0;
      await vscode.commands.executeCommand('credcheck.rego.runTests');
      const recorded = await waitFor('the run finished', async () => {
        const last = await lastTestRun();
        return last && last.id > before && last.finished && last;
      });
      // Until the workspace index holds both files, a run has fewer tests (or errors): run again.
      const names = recorded.outcomes.map((outcome) => outcome.name);
      const ready = names.includes('test_old_key_is_reported') && names.includes('test_deliberately_failing') && recorded.outcomes.every((outcome) => outcome.state !== 'errored');
      // Thrown while waiting: a failure then names what the last run found instead.
      if (!ready) throw new Error(`last run: ${JSON.stringify(recorded.outcomes.map(({ name, state, message }) => ({ name, state, message })))}`);
      return recorded;
    });
    const passing = run.outcomes.find((outcome) => outcome.name === 'test_old_key_is_reported')!;
    const failing = run.outcomes.find((outcome) => outcome.name === 'test_deliberately_failing')!;
    assert.strictEqual(passing.state, 'passed', passing.message);
    assert.strictEqual(failing.state, 'failed', failing.message);
    assert.strictEqual(failing.line, failingLine, `failure located at line ${(failing.line ?? -1) + 1}`);
  });

  it('stops runaway policies at the evaluation time limit and the wasm memory limit, and keeps evaluating', async () => {
    const api = await activateExtension();
    const { document } = await openWorkspaceReport();
    await waitFor('bundled findings', () => reportDiagnostics(document.uri).length > 0);
    const stopped = (name: string) =>
      waitFor(`${name} stopped`, () => {
        const problems = api.getResult(document.uri)?.policyProblems ?? [];
        const found = problems.find((candidate) => candidate.file.endsWith(name) && /stopped by/.test(candidate.message));
        // Thrown while waiting: a failure then names the problems the policy had instead.
        if (!found) throw new Error(`policy problems so far: ${JSON.stringify(problems)}`);
        return found;
      });
    await writeText(file('spin.rego'), SPIN);
    assert.match((await stopped('spin.rego')).message, /stopped by the time limit \(5 s\)/);
    assert.ok(api.getResult(document.uri)!.findings.some((finding) => finding.check === 'console-user-mfa'), 'the bundled findings went with it');
    await removeIfExists(file('spin.rego'));
    await writeText(file('bomb.rego'), BOMB);
    assert.match((await stopped('bomb.rego')).message, /stopped by the \d+ MiB wasm memory limit/);
    // The stopped workers are replaced: the next policy runs.
    await removeIfExists(file('bomb.rego'));
    await writeText(file('old_keys.rego'), policy(30));
    await waitFor('custom findings after the runaway ones', () => api.getResult(document.uri)?.findings.some((finding) => finding.check === 'custom-old-keys'));
  });

  it('says that a configured opa path cannot run in a browser and compiles with the embedded compiler', async () => {
    const api = await activateExtension();
    const settings = vscode.workspace.getConfiguration('credcheck');
    await settings.update('opaPath', '/usr/local/bin/opa', vscode.ConfigurationTarget.Global);
    try {
      const { document } = await openWorkspaceReport();
      await writeText(file('old_keys.rego'), policy(30));
      await waitFor('custom findings', () => api.getResult(document.uri)?.findings.some((finding) => finding.check === 'custom-old-keys'));
      const provenance = await waitFor('the compiler chosen with the opa path set', () => /opaPath/.test(api.compilerProvenance() ?? '') && api.compilerProvenance());
      assert.match(provenance, /^embedded .*credcheck\.opaPath ignored: VS Code for the Web cannot run a program/);
    } finally {
      await settings.update('opaPath', undefined, vscode.ConfigurationTarget.Global);
    }
  });
});
