/**
 * The compliance view: labels findings with one framework's control ids (CIS AWS Foundations 1.2 ... 7.0, Security Hub,
 * AWS Config) and summarises pass/fail per control. The control numbers come from each check's METADATA, because CIS
 * renumbers controls between versions.
 */
import { CatalogEntry } from './catalog';
import { Finding } from '../model';

export interface ControlSummary {
  control: string;
  checks: string[];
  status: 'pass' | 'fail';
  /** Unsuppressed failing findings. */
  failing: number;
  suppressed: number;
  warnings: number;
}

export interface ComplianceView {
  framework: string;
  findings: Finding[];
  controls: ControlSummary[];
}

/** Every framework id any check maps to, sorted (cis-1.2 ... cis-7.0, aws-config, securityhub). */
export function knownFrameworks(catalog: CatalogEntry[]): string[] {
  return [...new Set(catalog.flatMap((entry) => Object.keys(entry.frameworks)))].sort();
}

/** Natural order for control ids: 1.2 < 1.10, IAM.4 < IAM.19. */
function compareControls(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true });
}

export function buildComplianceView(framework: string, findings: Finding[], catalog: CatalogEntry[]): ComplianceView {
  const controlsOf = new Map(catalog.map((entry) => [entry.id, entry.frameworks[framework] ?? []]));
  const labelled = findings.map((finding) => {
    const controls = controlsOf.get(finding.check);
    return controls && controls.length > 0 ? { ...finding, controls } : finding;
  });
  const byControl = new Map<string, ControlSummary>();
  for (const entry of catalog) {
    for (const control of entry.frameworks[framework] ?? []) {
      const summary = byControl.get(control) ?? { control, checks: [], status: 'pass', failing: 0, suppressed: 0, warnings: 0 };
      summary.checks.push(entry.id);
      byControl.set(control, summary);
    }
  }
  for (const finding of labelled) {
    for (const control of finding.controls ?? []) {
      const summary = byControl.get(control)!;
      if (finding.status === 'fail' && finding.suppressed) summary.suppressed++;
      else if (finding.status === 'fail') {
        summary.failing++;
        summary.status = 'fail';
      } else if (finding.status === 'warn') summary.warnings++;
    }
  }
  return { framework, findings: labelled, controls: [...byControl.values()].sort((a, b) => compareControls(a.control, b.control)) };
}
