/**
 * The Rego compiler for workspace policies, loaded on first use: the embedded compiler is tens of megabytes of wasm,
 * so activation never touches it. The last compilation is remembered by content, so the policy watcher (which compiles
 * to show errors) and the next report evaluation (which compiles to run) pay for one compilation, not two.
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import { CompileRequest, CompileResult, RegoCompiler } from '../core/compiler/regoCompiler';
import { Log } from './logging';

/** Where the compiler comes from: an `opa` binary the user configured (trusted workspaces only), else the embedded one. */
export interface CompilerChoice {
  opaPath(): string | null;
  trusted(): boolean;
}

export class LazyPolicyCompiler implements RegoCompiler {
  private compiler: Promise<RegoCompiler> | undefined;
  private last: { key: string; result: Promise<CompileResult> } | undefined;

  constructor(
    private readonly log: Log,
    private readonly choice: CompilerChoice,
  ) {}

  /** Drops the loaded compiler (the opa path or trust changed); the next compilation loads the right one. */
  reset(): void {
    this.dispose();
  }

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
        ({ compiler, provenance }) => {
          this.log.info(`Rego compiler: ${provenance}, loaded in ${Date.now() - started} ms`);
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

  private async load(): Promise<{ compiler: RegoCompiler; provenance: string }> {
    const opaPath = this.choice.opaPath();
    if (opaPath && this.choice.trusted()) {
      if (fs.existsSync(opaPath)) {
        const { OpaBinaryCompiler } = await import('../core/compiler/opaBinaryCompiler');
        return { compiler: new OpaBinaryCompiler(opaPath), provenance: `opa binary ${opaPath} (from the credcheck.opaPath setting)` };
      }
      this.log.warn(`credcheck.opaPath is ${opaPath}, which does not exist: using the embedded compiler`);
    }
    // Imported here, not at the top, so the module and its wasm are read only when a workspace policy must be compiled.
    const { createEmbeddedCompiler } = await import('../core/compiler/embeddedCompiler');
    return { compiler: createEmbeddedCompiler(), provenance: 'embedded (compiler.wasm shipped with the extension)' };
  }
}

function contentKey(request: CompileRequest): string {
  const hash = createHash('sha256');
  for (const module of [...request.modules].sort((a, b) => a.file.localeCompare(b.file))) hash.update(`${module.file}\0${module.source}\0`);
  hash.update(JSON.stringify(request.entrypoints ?? []));
  return hash.digest('hex');
}
