/** Format Document for `.rego` with OPA's own formatter, built into the embedded compiler (no `opa` binary). */
import * as vscode from 'vscode';
import { FormatAnswer, formatModule } from '../../core/authoring/toolingRequests';
import type { LanguageDeps, LanguageLog } from './languageFeatures';

export class RegoFormattingProvider implements vscode.DocumentFormattingEditProvider {
  constructor(private readonly deps: LanguageDeps, private readonly log: LanguageLog) {}

  async provideDocumentFormattingEdits(document: vscode.TextDocument, _options: vscode.FormattingOptions, token: vscode.CancellationToken): Promise<vscode.TextEdit[]> {
    const source = document.getText();
    const file = vscode.workspace.asRelativePath(document.uri, false);
    let result: FormatAnswer;
    try {
      result = await formatModule(await this.deps.tooling(), { file, source });
    } catch (error) {
      this.log.showError(`Could not format ${file}`, error);
      return [];
    }
    // Edits made while formatting ran would be overwritten: leave the document alone.
    if (token.isCancellationRequested || document.getText() !== source) return [];
    if ('problems' in result) {
      // The document stays as it is; the first problem is said where it is (all of them go to the log).
      result.problems.forEach((line) => this.log.warn(`format: ${line}`));
      const more = result.problems.length > 1 ? ` (and ${result.problems.length - 1} more, see the log)` : '';
      void vscode.window.showWarningMessage(`Not formatted: ${result.problems[0]}${more}`);
      return [];
    }
    if (!result.changed) return [];
    const whole = new vscode.Range(document.positionAt(0), document.positionAt(source.length));
    return [vscode.TextEdit.replace(whole, result.formatted)];
  }
}
