/**
 * What a run may be asked to change, checked against the catalog before anything runs: check parameters
 * (`--param`, the editor's thresholds), the check selection and the compliance framework. A mistake is a problem the
 * user sees (exit 2, a settings problem in the editor), never a silent change of what runs: a misspelled parameter
 * would otherwise leave the default threshold in force, and a misspelled check id would turn every check off.
 */
import { CatalogEntry } from '../checks/catalog';
import { knownFrameworks } from '../checks/compliance';
import { RunProblem } from '../output/outputModel';

/** A parameter the bundled checks read, with the values it accepts. */
export interface ParameterSpec {
  name: string;
  /** The checks that read it. */
  checks: string[];
  default: number;
  integer: boolean;
  minimum: number;
  maximum: number;
  description?: string;
}

/** A hundred years, in the parameter's unit: no credential is older, so a larger threshold can only be a mistake. */
const CENTURY_DAYS = 36_525;
const CENTURY_SECONDS = CENTURY_DAYS * 86_400;

/** Every parameter the catalog declares, by name (a name read by several checks once), sorted by name. */
export function parameterSpecs(catalog: CatalogEntry[]): ParameterSpec[] {
  const specs = new Map<string, ParameterSpec>();
  for (const entry of catalog) {
    for (const parameter of entry.parameters) {
      const known = specs.get(parameter.name);
      if (known) {
        known.checks.push(entry.id);
        continue;
      }
      const fallback = typeof parameter.default === 'number' ? parameter.default : 0;
      const seconds = /seconds/i.test(parameter.name);
      specs.set(parameter.name, {
        name: parameter.name,
        checks: [entry.id],
        default: fallback,
        integer: Number.isInteger(fallback),
        minimum: parameter.minimum ?? 0,
        maximum: parameter.maximum ?? (seconds ? CENTURY_SECONDS : CENTURY_DAYS),
        description: parameter.description,
      });
    }
  }
  return [...specs.values()].sort((a, b) => a.name.localeCompare(b.name));
}

/** `name (integer 0..36525, default 45)`: how usage messages list a parameter. */
export function describeParameter(spec: ParameterSpec): string {
  return `${spec.name} (${spec.integer ? 'integer' : 'number'} ${spec.minimum}..${spec.maximum}, default ${spec.default})`;
}

export interface ValidatedParameters {
  /** Only the valid values, typed: what the policies see as `data.params`. */
  params: Record<string, number>;
  problems: RunProblem[];
}

/**
 * Checks parameter values against the catalog. Values are numbers (editor settings) or text (`--param name=value`,
 * decimal only: `1e308`, `0x10` and `Infinity` are refused). Names are case-sensitive. `origin` names where the
 * values came from in problems (`--param`, `credcheck.thresholds`). Invalid values are left out of `params`.
 */
export function validateParameters(values: Record<string, unknown>, catalog: CatalogEntry[], origin = '--param'): ValidatedParameters {
  const specs = parameterSpecs(catalog);
  const params: Record<string, number> = {};
  const problems: RunProblem[] = [];
  const problem = (code: string, message: string) =>
    problems.push({ source: 'settings', file: origin, line: null, column: null, severity: 'error', code, message });
  const valid = `valid parameters: ${specs.map(describeParameter).join(', ')}`;
  for (const [name, value] of Object.entries(values)) {
    const spec = specs.find((s) => s.name === name);
    if (!spec) {
      const near = specs.find((s) => s.name.toLowerCase() === name.toLowerCase());
      problem('unknown-parameter', `unknown parameter "${name}"${near ? ` (did you mean "${near.name}"? names are case-sensitive)` : ''}; ${valid}`);
      continue;
    }
    const number = typeof value === 'number' ? value : typeof value === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(value) ? Number(value) : NaN;
    const range = describeParameter(spec);
    if (!Number.isFinite(number)) problem('bad-parameter', `${name} is ${JSON.stringify(value)}, not a number; expected ${range}`);
    else if (spec.integer && !Number.isInteger(number)) problem('bad-parameter', `${name} is ${number}, not a whole number; expected ${range}`);
    else if (number < spec.minimum || number > spec.maximum) problem('bad-parameter', `${name} is ${number}, out of range; expected ${range}`);
    else params[name] = number;
  }
  return { params, problems };
}

/** Unknown check ids in a selection (enable, disable or an explicit list), each a problem naming the known ids. */
export function validateCheckIds(ids: string[], catalog: CatalogEntry[], origin = '--enable/--disable'): RunProblem[] {
  const known = catalog.map((entry) => entry.id);
  return ids
    .filter((id) => !known.includes(id))
    .map((id) => ({
      source: 'settings' as const, file: origin, line: null, column: null, severity: 'error' as const, code: 'unknown-check',
      message: `unknown check "${id}" (known checks: ${known.join(', ')})`,
    }));
}

/** A problem when the framework is not one any check maps to. */
export function validateFramework(framework: string | undefined, catalog: CatalogEntry[], origin = '--framework'): RunProblem[] {
  if (framework === undefined) return [];
  const known = knownFrameworks(catalog);
  if (known.includes(framework)) return [];
  return [{ source: 'settings', file: origin, line: null, column: null, severity: 'error', code: 'unknown-framework', message: `unknown framework "${framework}" (expected one of ${known.join(', ')})` }];
}
