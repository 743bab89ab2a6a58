/** The query editor: a Rego query over the current report, and the shipped example queries. */
import * as vscode from 'vscode';
import { findExampleDirectory, loadExampleQueries } from '../../core/query/exampleQueries';
import { currentReport, requireReport } from './currentReport';
import type { Command, Services } from './services';

const STARTER_QUERY = 'top10-08-users-without-mfa';

// The shipped examples are found beside the running bundle (the extension's own files), not through `extensionUri`:
// in VS Code for the Web that URI is not a path the core can read (src/web/files.ts).
export function query(services: Pick<Services, 'auditor' | 'tree' | 'queryPanel'>): Command {
  const { queryPanel } = services;
  return async (text?: string): Promise<vscode.TextDocument | undefined> => {
    // The report is chosen before the query editor takes the focus; a query editor already open keeps its report.
    const report = currentReport(services)?.uri ?? queryPanel.reportUri;
    if (!report) {
      requireReport(services);
      return undefined;
    }
    const examples = loadExampleQueries(findExampleDirectory());
    const starter = examples.find((example) => example.name === STARTER_QUERY) ?? examples[0];
    return queryPanel.open(text ?? starter?.query ?? '[u.user | some u in input.users; u.mfa_active == false]', report);
  };
}

export function runExampleQuery(): Command {
  return async (name?: string): Promise<vscode.TextDocument | undefined> => {
    const examples = loadExampleQueries(findExampleDirectory());
    const chosen = name
      ? examples.find((example) => example.name === name)
      : (await vscode.window.showQuickPick(
          examples.map((example) => ({ label: example.title, description: example.name, detail: example.question, example })),
          { title: 'Run an example query', placeHolder: 'A question about the credential report', matchOnDescription: true, matchOnDetail: true },
        ))?.example;
    if (!chosen) return undefined;
    return vscode.commands.executeCommand<vscode.TextDocument | undefined>('credcheck.query', chosen.query);
  };
}
