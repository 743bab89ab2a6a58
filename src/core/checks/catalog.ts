/**
 * The bundled check catalog, read from what the build wrote next to the compiled bundle (dist/policies/catalog.json:
 * the METADATA annotations, rule locations and entrypoints of policies/credcheck/checks). Nothing is restated by hand
 * here, so the catalog cannot drift from the Rego.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PolicyAnnotation, RuleLocation } from '../compiler/regoCompiler';
import type { InputProjection } from '../engine/inputProjection';
import { describePackage } from '../engine/resultMapper';
import { groupEntrypoints } from '../engine/ruleEntrypoints';
import { Severity } from '../model';

export interface CheckParameter {
  name: string;
  default?: unknown;
  description?: string;
  /** Bounds declared in METADATA (`minimum`, `maximum`); run/runSettings.ts derives them from the unit when absent. */
  minimum?: number;
  maximum?: number;
}

export interface CatalogEntry {
  id: string;
  /** Package path, slash form: the document the engine evaluates (from the package's per-rule wasm entrypoints). */
  entrypoint: string;
  title: string;
  description: string;
  severity: Severity;
  enabledByDefault: boolean;
  parameters: CheckParameter[];
  /** Framework id (cis-1.2 ... cis-7.0, securityhub, aws-config) to control id(s). */
  frameworks: Record<string, string[]>;
  peers: Record<string, string>;
  remediation?: string;
  relatedResources: { ref: string; description?: string }[];
  /** The check's documentation page, relative to the repository / extension root. */
  docs: string;
  source: { file: string; line: number };
}

/** What dist/policies/catalog.json holds. */
export interface CompiledCatalog {
  compiler?: string;
  entrypoints: string[];
  annotations: PolicyAnnotation[];
  rules: RuleLocation[];
  /** What of the input the bundled checks read (absent: the whole input; a catalog built by opa has none). */
  projection?: InputProjection;
}

export interface BundledPolicies {
  wasm: Uint8Array;
  compiled: CompiledCatalog;
  checks: CatalogEntry[];
}

export function buildCatalog(compiled: CompiledCatalog): CatalogEntry[] {
  // The wasm entrypoints are per rule (credcheck/checks/root_mfa/deny); a check is their package.
  return [...groupEntrypoints(compiled.entrypoints).keys()].map((entrypoint) => {
    const metadata = describePackage(entrypoint, compiled);
    const custom = metadata.custom;
    return {
      id: metadata.id,
      entrypoint,
      title: metadata.title ?? metadata.id,
      description: metadata.description ?? '',
      severity: metadata.severity,
      enabledByDefault: custom.enabled_by_default !== false,
      parameters: readParameters(custom.parameters),
      frameworks: readFrameworks(custom.frameworks),
      peers: Object.fromEntries(Object.entries(asRecord(custom.peers)).map(([k, v]) => [k, String(v)])),
      remediation: typeof custom.remediation === 'string' ? custom.remediation : undefined,
      relatedResources: metadata.relatedResources ?? [],
      docs: `docs/checks/${metadata.id}.md`,
      source: { file: metadata.file, line: metadata.line },
    };
  });
}

function asRecord(value: unknown): Record<string, unknown> {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function readParameters(value: unknown): CheckParameter[] {
  if (Array.isArray(value)) {
    return value.flatMap((entry): CheckParameter[] => {
      if (typeof entry === 'string') return [{ name: entry }];
      const record = asRecord(entry);
      return typeof record.name === 'string'
        ? [{ name: record.name, default: record.default, description: typeof record.description === 'string' ? record.description : undefined, ...bounds(record) }]
        : [];
    });
  }
  // Also accept a map name -> default (or name -> {default, description}).
  return Object.entries(asRecord(value)).map(([name, entry]) => {
    const record = asRecord(entry);
    return 'default' in record
      ? { name, default: record.default, description: typeof record.description === 'string' ? record.description : undefined, ...bounds(record) }
      : { name, default: entry };
  });
}

function bounds(record: Record<string, unknown>): Pick<CheckParameter, 'minimum' | 'maximum'> {
  return {
    ...(typeof record.minimum === 'number' ? { minimum: record.minimum } : {}),
    ...(typeof record.maximum === 'number' ? { maximum: record.maximum } : {}),
  };
}

function readFrameworks(value: unknown): Record<string, string[]> {
  const frameworks: Record<string, string[]> = {};
  for (const [framework, controls] of Object.entries(asRecord(value))) {
    const list = (Array.isArray(controls) ? controls : [controls]).filter((c) => c !== null && c !== undefined && c !== '').map(String);
    if (list.length > 0) frameworks[framework] = list;
  }
  return frameworks;
}

/**
 * Where the build put the compiled bundle: next to the running bundle (dist/cli.js, dist/extension.js) or, from the
 * test build (out/src/core), in the repository's dist/.
 */
export function findBundledPoliciesDir(): string | undefined {
  const candidates = [join(__dirname, 'policies'), join(__dirname, '..', '..', '..', 'dist', 'policies'), join(__dirname, '..', '..', '..', '..', 'dist', 'policies')];
  return candidates.find((dir) => existsSync(join(dir, 'bundle.wasm')) && existsSync(join(dir, 'catalog.json')));
}

let cached: { dir: string; policies: BundledPolicies } | undefined;

export function loadBundledPolicies(dir = findBundledPoliciesDir()): BundledPolicies {
  if (!dir) throw new Error('the bundled checks are not built (dist/policies/bundle.wasm is missing): run npm run build');
  if (cached?.dir === dir) return cached.policies;
  const compiled = JSON.parse(readFileSync(join(dir, 'catalog.json'), 'utf8')) as CompiledCatalog;
  const policies = { wasm: new Uint8Array(readFileSync(join(dir, 'bundle.wasm'))), compiled, checks: buildCatalog(compiled) };
  cached = { dir, policies };
  return policies;
}
