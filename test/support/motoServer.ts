/**
 * A real IAM endpoint for tests: moto in server mode on loopback (installed by `scripts/setup.sh --test` into
 * .tools/venv). Started per suite, stopped in the suite's after hook.
 */
import { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer, request } from 'node:http';
import { join } from 'node:path';
import { REPOSITORY_ROOT } from './cliRunner';
import { spawnTracked, waitForExit } from './trackedProcesses';

export const MOTO_SERVER_BINARY = join(REPOSITORY_ROOT, '.tools', 'venv', 'bin', 'moto_server');

export class MotoServer {
  private output = '';

  private constructor(
    readonly url: string,
    readonly process: ChildProcess,
  ) {
    process.stdout?.on('data', (chunk: Buffer) => (this.output += chunk.toString('utf8')));
    process.stderr?.on('data', (chunk: Buffer) => (this.output += chunk.toString('utf8')));
  }

  static isInstalled(): boolean {
    return existsSync(MOTO_SERVER_BINARY);
  }

  static async start(): Promise<MotoServer> {
    const port = await freePort();
    const child = spawnTracked(MOTO_SERVER_BINARY, ['-H', '127.0.0.1', '-p', String(port)], { stdio: ['ignore', 'pipe', 'pipe'] });
    const server = new MotoServer(`http://127.0.0.1:${port}`, child);
    try {
      await server.waitUntilReady(20_000);
    } catch (error) {
      await server.stop();
      throw error;
    }
    return server;
  }

  async stop(): Promise<void> {
    if (this.process.exitCode === null && this.process.signalCode === null) this.process.kill('SIGTERM');
    await waitForExit(this.process, 5000);
  }

  private async waitUntilReady(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.process.exitCode !== null) throw new Error(`moto_server exited with ${this.process.exitCode}: ${this.output.slice(-500)}`);
      if (await answers(`${this.url}/moto-api/`)) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`moto_server did not answer within ${timeoutMs} ms: ${this.output.slice(-500)}`);
  }
}

function answers(url: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request(url, { timeout: 1000 }, (response) => {
      response.resume();
      resolve(true);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => {
      req.destroy();
      resolve(false);
    });
    req.end();
  });
}

/** A port nobody listens on right now (there is a small race with other processes; loopback makes it negligible). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
