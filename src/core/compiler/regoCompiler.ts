import { PolicyProblem } from '../model';
import type { InputProjection } from '../engine/inputProjection';

/** One Rego source file. `file` is the path shown in errors (workspace-relative or absolute). */
export interface RegoModule {
  file: string;
  source: string;
}

export interface CompileRequest {
  modules: RegoModule[];
  /**
   * Entrypoints as slash paths (`credcheck/checks/root_mfa/deny`, `credcheck/query/result`). When empty, the compiler
   * picks every rule (not function) named deny, violation, warn, info or skip (optionally suffixed: deny_foo) or
   * exception, one entrypoint `<package>/<rule>` each (package entrypoints hit open-policy-agent/opa#4411), and returns
   * the choice in `entrypoints`; PolicyEngine groups them back per package.
   */
  entrypoints?: string[];
  /**
   * Type-check `input` against the shipped input schema (schema/policy-input.schema.json), so a misspelled field is a
   * located compile error with the closest valid names. Default true; an opa binary compiler ignores it.
   */
  schema?: boolean;
  /** Abort a long compilation (the compiler instance may be discarded). */
  signal?: AbortSignal;
}

/** A METADATA annotation as OPA parses it (package or rule scope). */
export interface PolicyAnnotation {
  /** The annotated package or rule path, slash form: `credcheck/checks/root_mfa` or `credcheck/checks/root_mfa/deny`. */
  path: string;
  scope: string;
  title?: string;
  description?: string;
  related_resources?: { ref: string; description?: string }[];
  custom?: Record<string, unknown>;
  file: string;
  line: number;
}

/** Where a rule is defined, so a finding can point at the Rego that produced it. */
export interface RuleLocation {
  /** Package path, slash form. */
  package: string;
  /** Rule name, e.g. `deny` or `warn_old_key`. */
  name: string;
  file: string;
  line: number;
}

export type CompileResult =
  | {
      ok: true;
      /** policy.wasm bytes, loadable with @open-policy-agent/opa-wasm's loadPolicy. */
      wasm: Uint8Array;
      entrypoints: string[];
      annotations: PolicyAnnotation[];
      rules: RuleLocation[];
      /** What of the input the policy can read (the embedded compiler's analysis); absent means the whole input. */
      projection?: InputProjection;
    }
  | { ok: false; errors: PolicyProblem[] };

/** Rego sources in, policy.wasm or located errors out. Implemented by the embedded compiler and by an optional opa binary. */
export interface RegoCompiler {
  compile(request: CompileRequest): Promise<CompileResult>;
  /** Free the compiler (workers, wasm instances). */
  dispose(): void;
}
