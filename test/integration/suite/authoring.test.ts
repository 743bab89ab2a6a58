// Rego authoring in the editor (issue 13): completion, hover, diagnostics with a quick fix, lints, the Testing view,
// formatting, outline and go to definition, all through VS Code's own commands (what the UI calls), against the
// embedded compiler. Files go to their own folder, outside the policy folders, and are removed after each test.
import * as assert from 'assert';
import * as vscode from 'vscode';
import { requestScreenshot } from '../screenshots';
import { activateExtension, closeAllEditors, removeIfExists, waitFor, workspaceUri } from './extensionHelpers';

const FOLDER = 'rego-authoring';

interface RecordedTestRun {
  id: number;
  finished: boolean;
  outcomes: { id: string; file: string; name: string; state: string; message?: string; line?: number; output: string[] }[];
}

async function writeFile(name: string, text: string): Promise<vscode.Uri> {
  const uri = workspaceUri(FOLDER, name);
  await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(text));
  return uri;
}

async function open(name: string, text: string): Promise<{ document: vscode.TextDocument; editor: vscode.TextEditor }> {
  const uri = await writeFile(name, text);
  const document = await vscode.workspace.openTextDocument(uri);
  const editor = await vscode.window.showTextDocument(document, { preview: false });
  assert.strictEqual(document.languageId, 'rego');
  return { document, editor };
}

/** The position `offsetInMarker` characters into the first occurrence of `marker` (default: just after it). */
function positionOf(document: vscode.TextDocument, marker: string, offsetInMarker = marker.length): vscode.Position {
  const offset = document.getText().indexOf(marker);
  assert.ok(offset >= 0, `no "${marker}" in ${document.uri.path}`);
  return document.positionAt(offset + offsetInMarker);
}

function regoDiagnostics(uri: vscode.Uri): vscode.Diagnostic[] {
  return vscode.languages.getDiagnostics(uri).filter((diagnostic) => diagnostic.source === 'credcheck-rego');
}

async function lastTestRun(): Promise<RecordedTestRun | undefined> {
  return vscode.commands.executeCommand<RecordedTestRun | undefined>('credcheck.rego.lastTestRun');
}

/** Runs a Testing command and waits for the run it starts to finish; fails fast when no run starts. */
async function runAndWait(command: string): Promise<RecordedTestRun> {
  const before = (await lastTestRun())?.id ?? 0;
  await vscode.commands.executeCommand(command);
  const started = await waitFor(`a test run started by ${command}`, async () => {
    const recorded = await lastTestRun();
    return recorded && recorded.id > before && recorded;
  });
  return waitFor(`test run ${started.id} to finish`, async () => {
    const recorded = await lastTestRun();
    return recorded && recorded.id === started.id && recorded.finished && recorded;
  });
}

function markdownOf(hovers: vscode.Hover[]): string {
  return hovers.flatMap((hover) => hover.contents.map((content) => (typeof content === 'string' ? content : 'value' in content ? content.value : ''))).join('\n');
}

function documentationOf(item: vscode.CompletionItem): string {
  return typeof item.documentation === 'string' ? item.documentation : (item.documentation?.value ?? '');
}

const POLICY = `package custom.authoring

deny contains result if {
	some u in input.users
	u.password_enabled == true
	not u.mfa_active
	result := {"msg": sprintf("%s has no MFA", [u.user]), "user": u.user, "field": "mfa_active"}
}
`;

describe('Rego authoring', () => {
  afterEach(async () => {
    // Quick fixes and formatting leave documents dirty: save them, or closing would ask (a modal dialog in the browser).
    await vscode.workspace.saveAll(false);
    await closeAllEditors();
    await removeIfExists(workspaceUri(FOLDER));
  });

  it('completes row fields after u. with the column documentation', async () => {
    await activateExtension();
    const { document, editor } = await open('complete.rego', POLICY.replace('\tnot u.mfa_active\n', '\tnot u.\n'));
    const position = positionOf(document, 'not u.');
    const list = await waitFor('completion items with mfa_active', async () => {
      const answer = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', document.uri, position, '.');
      return answer.items.some((item) => item.label === 'mfa_active') && answer;
    });
    const mfa = list.items.find((item) => item.label === 'mfa_active')!;
    assert.strictEqual(mfa.kind, vscode.CompletionItemKind.Field);
    assert.strictEqual(mfa.detail, 'boolean | null');
    assert.match(documentationOf(mfa), /multi-factor authentication \(MFA\) device has been enabled/);
    assert.match(documentationOf(mfa), /Special values/);
    assert.ok(list.items.some((item) => item.label === 'password_last_used_days'), 'derived fields are offered too');
    assert.ok(!list.items.some((item) => item.label === 'sprintf'), 'no builtins after a row variable');

    // What a user sees: the suggest widget with its details.
    editor.selection = new vscode.Selection(position, position);
    await vscode.commands.executeCommand('editor.action.triggerSuggest');
    await vscode.commands.executeCommand('toggleSuggestionDetails');
    await new Promise((resolve) => setTimeout(resolve, 1500)); // no API tells when the widget has painted
    await requestScreenshot('rego-completion');
    await vscode.commands.executeCommand('hideSuggestWidget');
  });

  it('hovers a field (AWS text, type) and a builtin (signature, description)', async () => {
    await activateExtension();
    const { document, editor } = await open('hover.rego', POLICY);
    const field = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', document.uri, positionOf(document, 'not u.mfa_active', 'not u.mfa'.length));
    const fieldText = markdownOf(field);
    assert.match(fieldText, /\*\*mfa_active\*\* `boolean \| null`/);
    assert.match(fieldText, /When a multi-factor authentication \(MFA\) device has been enabled for the user/);
    const builtinPosition = positionOf(document, 'sprintf(', 3);
    const builtin = await waitFor('the sprintf hover (builtin docs from the compiler)', async () => {
      const text = markdownOf(await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', document.uri, builtinPosition));
      return /sprintf\(/.test(text) && text;
    });
    assert.match(builtin, /format/i);

    editor.selection = new vscode.Selection(positionOf(document, 'not u.mfa_active', 'not u.mfa'.length), positionOf(document, 'not u.mfa_active', 'not u.mfa'.length));
    await vscode.commands.executeCommand('editor.action.showHover');
    await new Promise((resolve) => setTimeout(resolve, 1500)); // no API tells when the hover has painted
    await requestScreenshot('rego-hover');
  });

  it('squiggles a misspelled field with the suggestion, and the quick fix corrects it', async () => {
    await activateExtension();
    const { document } = await open('typo.rego', POLICY.replace('not u.mfa_active', 'not u.mfa_actve'));
    const typo = await waitFor('a diagnostic on mfa_actve', () => regoDiagnostics(document.uri).find((diagnostic) => /mfa_active/.test(diagnostic.message)));
    assert.strictEqual(typo.severity, vscode.DiagnosticSeverity.Error);
    const line = positionOf(document, 'mfa_actve').line;
    assert.strictEqual(typo.range.start.line, line, `on the line of the typo: ${typo.message}`);
    assert.ok(document.getText(typo.range).includes('mfa_actve'), `the range covers the name: "${document.getText(typo.range)}"`);
    await vscode.commands.executeCommand('workbench.actions.view.problems');
    await new Promise((resolve) => setTimeout(resolve, 1000)); // let the squiggle and the Problems panel paint
    await requestScreenshot('rego-typo-diagnostic');

    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', document.uri, typo.range, vscode.CodeActionKind.QuickFix.value);
    const fix = actions.find((action) => action.title === "Change 'mfa_actve' to 'mfa_active'");
    assert.ok(fix?.edit, `no quick fix among: ${actions.map((action) => action.title).join(' | ')}`);
    assert.ok(await vscode.workspace.applyEdit(fix.edit));
    assert.ok(document.getText().includes('not u.mfa_active\n'));
    await waitFor('the typo diagnostic to clear', () => !regoDiagnostics(document.uri).some((diagnostic) => /mfa_actve/.test(diagnostic.message)));
  });

  it('warns about a sprintf whose verbs and arguments disagree', async () => {
    await activateExtension();
    const { document } = await open('arity.rego', POLICY.replace('sprintf("%s has no MFA", [u.user])', 'sprintf("user %s %d", [u.user])'));
    const line = positionOf(document, 'sprintf(').line;
    const warning = await waitFor('a sprintf warning', () => regoDiagnostics(document.uri).find((diagnostic) => diagnostic.range.start.line === line && /sprintf|argument|verb/i.test(diagnostic.message)));
    assert.strictEqual(warning.severity, vscode.DiagnosticSeverity.Warning, warning.message);
  });

  it('lists tests in the Testing view and runs a passing and a failing one with their output and location', async () => {
    await activateExtension();
    // The earlier tests leave half-typed or misspelled policies behind (a parse error in complete.rego, a type error in
    // typo.rego): tests load every workspace policy, so put valid ones in their place first.
    for (const leftover of ['complete.rego', 'typo.rego', 'arity.rego']) await writeFile(leftover, POLICY);
    // A package of its own: the other tests leave policies of package custom.authoring behind (a sprintf arity one gives
    // different messages), and the tests run against every workspace policy, as opa test does.
    // Opened, not only written: an open document is in the workspace index at once, a written file only once the file
    // watcher has seen it (a race the tests would lose on a busy machine).
    await open('keys.rego', POLICY.replace('package custom.authoring', 'package custom.keys'));
    const testSource = `package custom.keys_test

import data.custom.keys as authoring

test_user_without_mfa_is_reported if {
	print("checking", "alice")
	count(authoring.deny) == 1 with input as {"users": [{"user": "alice", "password_enabled": true, "mfa_active": false}]}
}

test_deliberately_failing if {
	count(authoring.deny) == 2 with input as {"users": [{"user": "alice", "password_enabled": true, "mfa_active": false}]}
}
`;
    const { document, editor } = await open('keys_test.rego', testSource);
    const failingLine = positionOf(document, 'count(authoring.deny) == 2').line;
    await vscode.commands.executeCommand('workbench.view.testing.focus');
    // Run everything from the Testing view's command. Until discovery has listed the file, a run has nothing to run
    // (no run starts, or one without our tests): try again.
    const all = await waitFor('both tests to have run', async () => {
      const run = await runAndWait('testing.runAll');
      const names = run.outcomes.map((outcome) => outcome.name);
      // Errored: the workspace's policies did not compile together (as with opa test, every policy is loaded), e.g.
      // while the index still holds a leftover of an earlier test: run again once the index has caught up.
      const compiled = run.outcomes.every((outcome) => outcome.state !== 'errored');
      return names.includes('test_user_without_mfa_is_reported') && names.includes('test_deliberately_failing') && compiled && run;
    });
    const passing = all.outcomes.find((outcome) => outcome.name === 'test_user_without_mfa_is_reported')!;
    const failing = all.outcomes.find((outcome) => outcome.name === 'test_deliberately_failing')!;
    assert.strictEqual(passing.state, 'passed', passing.message);
    assert.deepStrictEqual(passing.output, ['checking alice']);
    assert.strictEqual(failing.state, 'failed', failing.message);
    assert.strictEqual(failing.line, failingLine, `failure located at line ${failing.line! + 1}: ${failing.message}`);
    await new Promise((resolve) => setTimeout(resolve, 1000)); // let the Testing view paint its results
    await requestScreenshot('rego-testing-view');

    // Run one test from the editor (what the gutter button does).
    const inside = positionOf(document, 'count(authoring.deny) == 2');
    editor.selection = new vscode.Selection(inside, inside);
    const single = await runAndWait('testing.runAtCursor');
    assert.deepStrictEqual(single.outcomes.map((outcome) => [outcome.name, outcome.state]), [['test_deliberately_failing', 'failed']]);
  });

  it('formats a badly formatted file with OPA’s formatter and leaves a broken one unchanged', async () => {
    await activateExtension();
    const { document } = await open('format.rego', 'package custom.format\n\nallow   if   {\n input.users[0].mfa_active   ==   true\n}\n');
    const edits = await waitFor('formatting edits', async () => {
      const answer = await vscode.commands.executeCommand<vscode.TextEdit[]>('vscode.executeFormatDocumentProvider', document.uri, { tabSize: 4, insertSpaces: false });
      return answer && answer.length > 0 && answer;
    });
    const edit = new vscode.WorkspaceEdit();
    edit.set(document.uri, edits);
    assert.ok(await vscode.workspace.applyEdit(edit));
    assert.strictEqual(document.getText(), 'package custom.format\n\nallow if {\n\tinput.users[0].mfa_active == true\n}\n');

    const broken = await open('broken.rego', 'package custom.broken\n\nallow if {\n');
    const none = await vscode.commands.executeCommand<vscode.TextEdit[]>('vscode.executeFormatDocumentProvider', broken.document.uri, { tabSize: 4, insertSpaces: false });
    assert.strictEqual(none?.length ?? 0, 0);
    assert.strictEqual(broken.document.getText(), 'package custom.broken\n\nallow if {\n');
  });

  it('shows the outline and goes to a rule defined in another file', async () => {
    await activateExtension();
    await writeFile('lib.rego', 'package custom.lib\n\nis_console_user(u) if u.password_enabled == true\n');
    const { document } = await open('uses_lib.rego', 'package custom.uses\n\nimport data.custom.lib\n\ndeny contains u.user if {\n\tsome u in input.users\n\tlib.is_console_user(u)\n}\n\ntest_x if true\n');
    const symbols = await waitFor('document symbols', async () => {
      const answer = await vscode.commands.executeCommand<vscode.DocumentSymbol[]>('vscode.executeDocumentSymbolProvider', document.uri);
      return answer && answer.length > 0 && answer;
    });
    assert.deepStrictEqual(symbols.map((symbol) => symbol.name), ['custom.uses']);
    assert.deepStrictEqual(symbols[0]!.children.map((symbol) => [symbol.name, symbol.kind]), [['deny', vscode.SymbolKind.Variable], ['test_x', vscode.SymbolKind.Method]]);
    const locations = await waitFor('a definition in lib.rego', async () => {
      const answer = await vscode.commands.executeCommand<(vscode.Location | vscode.LocationLink)[]>('vscode.executeDefinitionProvider', document.uri, positionOf(document, 'lib.is_console', 6));
      return answer && answer.length > 0 && answer;
    });
    const target = locations[0]!;
    const uri = 'uri' in target ? target.uri : target.targetUri;
    const range = 'range' in target ? target.range : target.targetRange;
    assert.match(uri.path, /rego-authoring\/lib\.rego$/);
    assert.strictEqual(range.start.line, 2);
  });
});
