/**
 * What an audit needs from the workspace's policies. Its own module so the auditor depends on this contract, not on
 * the watcher that implements it (the watcher, the auditor and the diagnostics used to import each other).
 */
import type { RegoCompiler, RegoModule } from '../core/compiler/regoCompiler';

export interface PolicySources {
  /** The workspace policy files to evaluate (empty when untrusted or when there are none). */
  workspaceModules(): Promise<RegoModule[]>;
  readonly compiler: RegoCompiler;
}
