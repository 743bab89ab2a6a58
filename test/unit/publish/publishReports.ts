/**
 * Credential reports for the publish tests: the root user (2 findings at EVALUATION_TIME) and users with a console
 * password, no MFA and an old active key (4 findings each: console-user-mfa, password-rotation, access-key-rotation,
 * console-and-access-keys).
 */
import { writeFileSync } from 'node:fs';
import { STUB_REPORT } from '../../support/iamStubServer';

export const EVALUATION_TIME = '2026-11-21T10:00:00Z';
export const FINDINGS_PER_USER = 4;
export const ROOT_FINDINGS = 2;

export function writeReport(file: string, account: string, users: string[]): void {
  const [header, root, user] = STUB_REPORT.trim().split('\n');
  const rows = [header, root.replace(/210987654321/g, account), ...users.map((name) => user.replace(/210987654321/g, account).replace(/stub-user/g, name))];
  writeFileSync(file, `${rows.join('\n')}\n`);
}

export function userNames(count: number, prefix = 'user'): string[] {
  return Array.from({ length: count }, (_, index) => `${prefix}-${index}`);
}
