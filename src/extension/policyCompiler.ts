/**
 * The Rego compiler for workspace policies, loaded on first use: the embedded compiler is tens of megabytes of wasm,
 * so activation never touches it. The last compilation is remembered by content, so the policy watcher (which compiles
 * to show errors) and the next report evaluation (which compiles to run) pay for one compilation, not two.
 */
import { createHash } from 'crypto';
import { CompileRequest, CompileResult, RegoCompiler } from '../core/compiler/regoCompiler';
import { Log } from './logging';

export class LazyPolicyCompiler implements RegoCompiler {
  private compiler: Promise<RegoCompiler> | undefined;
  private last: { key: string; result: Promise<CompileResult> } | undefined;

  constructor(
    private readonly log: Log,
    private readonly load: () => Promise<RegoCompiler> = loadEmbeddedCompiler,
  ) {}

  /** Whether the compiler has been loaded (activation must leave it unloaded). */
  get loaded(): boolean {
    return this.compiler !== undefined;
  }

  compile(request: CompileRequest): Promise<CompileResult> {
    const key = contentKey(request);
    if (this.last?.key === key) return this.last.result;
    const result = this.instance().then((compiler) => compiler.compile(request));
    this.last = { key, result };
    // A cancelled or crashed compilation must not be served to the next caller.
    result.then(
      (answer) => answer.ok || answer.errors.length > 0 || this.forget(key),
      () => this.forget(key),
    );
    return result;
  }

  private forget(key: string): void {
    if (this.last?.key === key) this.last = undefined;
  }

  private instance(): Promise<RegoCompiler> {
    if (!this.compiler) {
      const started = Date.now();
      this.compiler = this.load().then(
        (compiler) => {
          this.log.info(`embedded Rego compiler loaded in ${Date.now() - started} ms`);
          return compiler;
        },
        (error: unknown) => {
          this.compiler = undefined;
          throw error;
        },
      );
    }
    return this.compiler;
  }

  dispose(): void {
    void this.compiler?.then((compiler) => compiler.dispose(), () => undefined);
    this.compiler = undefined;
    this.last = undefined;
  }
}

function contentKey(request: CompileRequest): string {
  const hash = createHash('sha256');
  for (const module of [...request.modules].sort((a, b) => a.file.localeCompare(b.file))) hash.update(`${module.file}\0${module.source}\0`);
  hash.update(JSON.stringify(request.entrypoints ?? []));
  return hash.digest('hex');
}

async function loadEmbeddedCompiler(): Promise<RegoCompiler> {
  // Imported here, not at the top, so the module and its wasm are read only when a workspace policy must be compiled.
  const { createEmbeddedCompiler } = await import('../core/compiler/embeddedCompiler');
  return createEmbeddedCompiler();
}
