/**
 * Child processes started by tests (the CLI, moto), remembered so an after hook can prove none is left running.
 */
import { ChildProcess, spawn, SpawnOptions } from 'node:child_process';

const started: ChildProcess[] = [];

export function spawnTracked(command: string, args: string[], options: SpawnOptions): ChildProcess {
  const child = spawn(command, args, options);
  started.push(child);
  return child;
}

export function isProcessAlive(pid: number | undefined): boolean {
  if (pid === undefined) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM means it exists but is not ours, which still counts as alive.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Pids of tracked children that have not exited. */
export function runningTrackedProcesses(): number[] {
  return started.filter((child) => child.exitCode === null && child.signalCode === null && isProcessAlive(child.pid)).map((child) => child.pid as number);
}

/** Resolves when the child has exited; SIGKILLs it if it has not after `graceMs`. */
export function waitForExit(child: ChildProcess, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}
