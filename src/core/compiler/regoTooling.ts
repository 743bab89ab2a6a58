// CONTRACT between the `compiler` helper (implements it) and the `authoring` helper (uses it).
// Lives at src/core/compiler/regoTooling.ts in both branches, byte-identical: do not edit; extensions go elsewhere.
import { PolicyProblem } from '../model';
import { RegoModule } from './regoCompiler';

/** A located problem from checking Rego: a compile/type error or a lint. Lines and columns are 1-based, UTF-16. */
export interface RegoDiagnostic extends PolicyProblem {
  severity: 'error' | 'warning' | 'info';
  /** End of the offending range (exclusive column), when known; else the range is the word at line/column. */
  endLine?: number;
  endColumn?: number;
  /** Closest valid names, best first (e.g. ["mfa_active"] for `u.mfa_actve`). */
  suggestions?: string[];
}

export interface CheckRequest {
  modules: RegoModule[];
  /** Type-check `input` against the shipped input schema (schema/policy-input.schema.json). Default true. */
  schema?: boolean;
  /** Run the lints (sprintf arity, unused assignment, `=` for `:=`, leftover print). Default true. */
  lint?: boolean;
  signal?: AbortSignal;
}

export type FormatResult = { ok: true; formatted: string } | { ok: false; errors: RegoDiagnostic[] };

export interface RegoTestResult {
  /** Package path in dot form, e.g. `custom.my_check_test`. */
  package: string;
  /** Test rule name, e.g. `test_old_sign_in_is_reported`. */
  name: string;
  file: string;
  line: number;
  status: 'pass' | 'fail' | 'error' | 'skip';
  durationMs: number;
  /** For fail/error: what failed and where (the failing expression's location when known). */
  failure?: { message: string; file: string; line: number; column: number };
  /** Everything the test print()ed, in order, one entry per call. */
  output: string[];
}

export interface TestRequest {
  modules: RegoModule[];
  /** Run only tests whose `<package>.<name>` matches this regular expression (as `opa test --run`). */
  run?: string;
  /** Per-test-run time limit; when hit, the remaining tests are `error` with a message naming the limit. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface TestRunResult {
  results: RegoTestResult[];
  /** Compile errors that stopped tests from running (located). */
  errors: RegoDiagnostic[];
}

/** Signature and documentation of a Rego builtin, from the compiler's own builtin metadata. */
export interface BuiltinDoc {
  name: string;
  /** e.g. `sprintf(format: string, values: array[any]) => string` */
  signature: string;
  description: string;
  categories: string[];
}

/** Rego authoring services of the embedded compiler (no opa binary). */
export interface RegoTooling {
  check(request: CheckRequest): Promise<RegoDiagnostic[]>;
  format(module: RegoModule): Promise<FormatResult>;
  test(request: TestRequest): Promise<TestRunResult>;
  builtins(): Promise<BuiltinDoc[]>;
  dispose(): void;
}
