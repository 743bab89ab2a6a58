/**
 * The command table, in one place: every palette command and every command the tree, quick fixes and welcome view
 * call, each built by a named factory from the services it uses. Each command can also be driven with arguments
 * instead of prompts, which is how the integration tests run them.
 */
import { openCheckDocumentation, showLog } from './documentation';
import { exportFindings } from './exportFindings';
import { fetchOrganization } from './fetchOrganization';
import { fetchReport } from './fetchReport';
import { newPolicy } from './newPolicy';
import { query, runExampleQuery } from './query';
import { openReport, openSample, runChecks, showPolicyInput, showSummary } from './reports';
import type { Command, Services } from './services';
import { suppressFinding } from './suppressFinding';
import { filterTreeBySeverity, groupTreeBy, revealFinding } from './tree';

export type { Command, Services } from './services';
export { findTreeNode } from './tree';

export function createCommands(services: Services): Record<string, Command> {
  return {
    'credcheck.run': runChecks(services),
    'credcheck.openSample': openSample(services),
    'credcheck.openReport': openReport(),
    'credcheck.fetchReport': fetchReport(services),
    'credcheck.fetchOrganization': fetchOrganization(services),
    'credcheck.newPolicy': newPolicy(services),
    'credcheck.showPolicyInput': showPolicyInput(services),
    'credcheck.exportFindings': exportFindings(services),
    'credcheck.showSummary': showSummary(services),
    'credcheck.tree.groupByUser': groupTreeBy(services, 'user'),
    'credcheck.tree.groupByCheck': groupTreeBy(services, 'check'),
    'credcheck.tree.filterSeverity': filterTreeBySeverity(services),
    'credcheck.revealFinding': revealFinding(),
    'credcheck.suppressFinding': suppressFinding(services),
    'credcheck.openCheckDocumentation': openCheckDocumentation(services),
    'credcheck.showLog': showLog(services),
    'credcheck.query': query(services),
    'credcheck.runExampleQuery': runExampleQuery(),
  };
}
