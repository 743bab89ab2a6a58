/**
 * When the open reports are evaluated again: anything that changes what their findings would be (settings, trust,
 * the workspace policies, the suppressions). Kept out of `main.ts`, which only wires services and commands.
 */
import type * as vscode from 'vscode';
import type { Config } from './config';
import type { LazyPolicyCompiler } from './policyCompiler';
import type { PolicyWatcher } from './policyWatcher';
import type { ReportWatcher } from './reportWatcher';
import type { SuppressionStore } from './suppressionStore';
import type { TrustGate } from './trust';

export interface RerunSources {
  config: Config;
  trust: TrustGate;
  compiler: LazyPolicyCompiler;
  policies: PolicyWatcher;
  suppressions: SuppressionStore;
  reports: ReportWatcher;
}

/** Subscribes the re-runs; the caller owns (disposes) the subscriptions. */
export function rerunOnChanges({ config, trust, compiler, policies, suppressions, reports }: RerunSources): vscode.Disposable[] {
  const refresh = () => void reports.refreshAll();
  let opaPath = config.settings.opaPath;
  return [
    // A different opa binary, or a newly trusted workspace, needs a new compiler before anything is evaluated again.
    config.onDidChange((settings) => {
      if (settings.opaPath !== opaPath) compiler.reset();
      opaPath = settings.opaPath;
    }),
    trust.onDidGrant(() => compiler.reset()),
    config.onDidChange(refresh),
    trust.onDidGrant(refresh),
    policies.onDidChangePolicies(refresh),
    suppressions.onDidChange(refresh),
  ];
}
