import { execFile } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const MAIN = join(__dirname, '../../../src/cli/main.js');

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs the real CLI (the compiled `credcheck` entry) in a child process with a clean environment: only PATH, HOME
 * and what the test adds, so nothing from the developer's shell (AWS variables included) leaks in.
 */
export async function credcheck(args: string[], options: { cwd: string; env?: Record<string, string>; stdin?: string | Uint8Array }): Promise<CliRun> {
  const script = `require(${JSON.stringify(MAIN)}).main(process.argv.slice(1)).then((c) => { process.exitCode = c; })`;
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: tmpdir(), ...options.env };
  try {
    const running = run(process.execPath, ['-e', script, ...args], { cwd: options.cwd, env, maxBuffer: 256 * 1024 * 1024 });
    // Piped as `cat file | credcheck ...` would; the pipe is closed after it, so a reader sees the end.
    if (options.stdin !== undefined) {
      running.child.stdin?.on('error', () => undefined);
      running.child.stdin?.end(options.stdin);
    }
    const { stdout, stderr } = await running;
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failure = error as { code: number; stdout: string; stderr: string };
    return { code: failure.code, stdout: failure.stdout, stderr: failure.stderr };
  }
}
