/**
 * What the commands are built from. Each command factory takes only the members it uses (a `Pick` of this), so a
 * reader sees a command's dependencies in its signature (rust-analyzer's `commands.ts` shape).
 */
import type * as vscode from 'vscode';
import type { Config } from '../config';
import type { CheckDocumentation } from '../diagnostics';
import type { FindingsTree } from '../findingsTree';
import type { Log } from '../logging';
import type { QueryPanel } from '../queryPanel';
import type { ReportAuditor } from '../reportAuditor';
import type { ReportWatcher } from '../reportWatcher';
import type { SummaryWebview } from '../summaryWebview';
import type { SuppressionStore } from '../suppressionStore';

export interface Services {
  context: vscode.ExtensionContext;
  log: Log;
  config: Config;
  auditor: ReportAuditor;
  reports: ReportWatcher;
  tree: FindingsTree;
  summary: SummaryWebview;
  suppressions: SuppressionStore;
  documentation: CheckDocumentation;
  queryPanel: QueryPanel;
}

/** A command handler; arguments let tests and other commands drive it without prompts. */
export type Command = (...args: never[]) => unknown;
