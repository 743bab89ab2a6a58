/**
 * Runs the built CLI (`node bin/credcheck ...`) as a user would, with an environment built from scratch so the
 * developer's own AWS configuration can never leak into (or be used by) a test.
 */
import { join } from 'node:path';
import { spawnTracked, waitForExit } from './trackedProcesses';

export const REPOSITORY_ROOT = join(__dirname, '..', '..', '..');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
  durationMs: number;
}

/** The environment every CLI test starts from: nothing from the host's AWS setup, no EC2 metadata probing. */
export function isolatedEnvironment(extra: Record<string, string>): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '/tmp',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_CONFIG_FILE: '/nonexistent/credcheck-test-config',
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/credcheck-test-credentials',
    CREDCHECK_FETCH_BACKOFF_MS: '20',
    ...extra,
  };
}

export async function runCli(args: string[], options: { env: NodeJS.ProcessEnv; cwd?: string; killAfterMs?: number }): Promise<CliResult> {
  const started = Date.now();
  const child = spawnTracked(process.execPath, [join(REPOSITORY_ROOT, 'bin', 'credcheck'), ...args], {
    cwd: options.cwd ?? REPOSITORY_ROOT,
    env: options.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  // A CLI that hangs must fail the test, not the whole run.
  const killer = setTimeout(() => child.kill('SIGKILL'), options.killAfterMs ?? 30_000);
  const code = await new Promise<number | null>((resolve) => child.once('close', (exitCode) => resolve(exitCode)));
  clearTimeout(killer);
  await waitForExit(child, 1000);
  return { code, stdout, stderr, durationMs: Date.now() - started };
}
