/**
 * The Rego compiler for workspace policies, loaded on first use: the embedded compiler is tens of megabytes of wasm,
 * so activation never touches it. Recent compilations are remembered by content, so the policy watcher (which compiles
 * to show errors) and the next report evaluation (which compiles each policy unit on its own to run it) pay for one
 * compilation each, and an edit recompiles only the unit that changed.
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as vscode from 'vscode';
import { isTransientCompileError } from '../core/compiler/compilerCache';
import { CompilationAbortedError } from '../core/compiler/embeddedCompiler';
import { CompileRequest, CompileResult, RegoCompiler } from '../core/compiler/regoCompiler';
import { Log } from './logging';
import { webOpaPathMessage } from './web/webLimits';

/** Where the compiler comes from: an `opa` binary the user configured (trusted workspaces only), else the embedded one. */
export interface CompilerChoice {
  opaPath(): string | null;
  trusted(): boolean;
  /** In VS Code for the Web no program can run: a configured opa path is reported, and the embedded compiler used. */
  inBrowser?: boolean;
}

export class LazyPolicyCompiler implements RegoCompiler {
  private compiler: Promise<RegoCompiler> | undefined;
  /** Where the loaded compiler came from (the log says it too). */
  private loadedFrom: string | undefined;
  /** Recent compilations by content, most recently used last: one per policy unit, plus the watcher's whole set. */
  private readonly recent = new Map<string, Promise<CompileResult>>();

  constructor(
    private readonly log: Log,
    private readonly choice: CompilerChoice,
  ) {}

  /** Drops the loaded compiler (the opa path or trust changed); the next compilation loads the right one. */
  reset(): void {
    this.dispose();
  }

  /** Where the compiler in use came from, once loaded. */
  get provenance(): string | undefined {
    return this.loadedFrom;
  }

  /** Whether the compiler has been loaded (activation must leave it unloaded). */
  get loaded(): boolean {
    return this.compiler !== undefined;
  }

  compile(request: CompileRequest): Promise<CompileResult> {
    // Callers share a compilation of the same content (the watcher, each report's audit, the query panel), so none of
    // them may cancel it for the others: it runs without their signals, and a caller that cancels stops waiting.
    const { signal, ...shared } = request;
    const key = contentKey(shared);
    let result = this.recent.get(key);
    if (result) {
      this.recent.delete(key);
      this.recent.set(key, result);
    } else {
      const started = this.instance().then((compiler) => compiler.compile(shared));
      result = started;
      this.recent.set(key, started);
      if (this.recent.size > MAX_REMEMBERED) this.recent.delete(this.recent.keys().next().value!);
      // A compilation that could not finish (time limit, crash) says nothing about the sources: not served again.
      started.then(
        (answer) => answer.ok || !answer.errors.some(isTransientCompileError) || this.forget(key, started),
        () => this.forget(key, started),
      );
    }
    return signal ? untilAborted(result, signal) : result;
  }

  private forget(key: string, result: Promise<CompileResult>): void {
    if (this.recent.get(key) === result) this.recent.delete(key);
  }

  private instance(): Promise<RegoCompiler> {
    if (!this.compiler) {
      const started = Date.now();
      this.compiler = this.load().then(
        ({ compiler, provenance }) => {
          this.loadedFrom = provenance;
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
    this.loadedFrom = undefined;
    this.recent.clear();
  }

  private async load(): Promise<{ compiler: RegoCompiler; provenance: string }> {
    const opaPath = this.choice.opaPath();
    let ignored = '';
    if (opaPath && this.choice.trusted() && this.choice.inBrowser) {
      this.log.warn(webOpaPathMessage(opaPath));
      void vscode.window.showWarningMessage(webOpaPathMessage(opaPath));
      ignored = '; credcheck.opaPath ignored: VS Code for the Web cannot run a program';
    } else if (opaPath && this.choice.trusted()) {
      if (fs.existsSync(opaPath)) {
        const { OpaBinaryCompiler } = await import('../core/compiler/opaBinaryCompiler');
        return { compiler: new OpaBinaryCompiler(opaPath), provenance: `opa binary ${opaPath} (from the credcheck.opaPath setting)` };
      }
      this.log.warn(`credcheck.opaPath is ${opaPath}, which does not exist: using the embedded compiler`);
    }
    // Imported here, not at the top, so the module and its wasm are read only when a workspace policy must be compiled.
    const { createEmbeddedCompiler } = await import('../core/compiler/embeddedCompiler');
    return { compiler: createEmbeddedCompiler(), provenance: `embedded (compiler.wasm shipped with the extension)${ignored}` };
  }
}

/** The shared compilation's answer, or CompilationAbortedError as soon as this caller's signal aborts. */
function untilAborted(result: Promise<CompileResult>, signal: AbortSignal): Promise<CompileResult> {
  if (signal.aborted) return Promise.reject(new CompilationAbortedError());
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(new CompilationAbortedError());
    signal.addEventListener('abort', onAbort, { once: true });
    result.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/** Compilations remembered: far more policy units than a workspace edits at once. */
const MAX_REMEMBERED = 32;

function contentKey(request: CompileRequest): string {
  const hash = createHash('sha256');
  for (const module of [...request.modules].sort((a, b) => a.file.localeCompare(b.file))) hash.update(`${module.file}\0${module.source}\0`);
  hash.update(JSON.stringify(request.entrypoints ?? []));
  return hash.digest('hex');
}
