/**
 * The conftest-compatible policy contract: turns each package's raw document into findings, or into located
 * PolicyProblems when a policy breaks the contract.
 *
 * Rules: `deny` / `violation` (fail), `warn` (warn), `info`, `skip`, each optionally suffixed (`deny_old_key`). Each
 * result is a string or an object `{msg, user?, line?, key?, field?, severity?}`. `exception` (as in conftest) is a set
 * of arrays of rule-name suffixes: `exception contains ["old_key"]` excepts `deny_old_key`, `[""]` the bare rules.
 * Excepted results stay visible as status `skip` so nothing silently disappears.
 */
import { Finding, FindingStatus, NormalizedUser, ParsedReport, PolicyInput, PolicyProblem, ReportRow, Severity, SEVERITIES } from '../model';
import { PolicyAnnotation, RuleLocation } from '../compiler/regoCompiler';
import { packageOfRule } from './ruleEntrypoints';
import { CURRENT_COLUMNS } from '../report/columns';
import { closestNames } from '../text/closestNames';

const RULE_NAME = /^(deny|violation|warn|info|skip)(?:_(\w+))?$/;
const STATUS_OF: Record<string, FindingStatus> = { deny: 'fail', violation: 'fail', warn: 'warn', info: 'info', skip: 'skip' };

/** What METADATA says about one package (rule-scope annotations override package-scope ones). */
export interface CheckMetadata {
  id: string;
  title?: string;
  description?: string;
  severity: Severity;
  relatedResources?: { ref: string; description?: string }[];
  custom: Record<string, unknown>;
  /** Where the package is declared (the METADATA or the first rule). */
  file: string;
  line: number;
  /** A METADATA `custom.severity` that is not a documented severity: the package falls back to medium and says so. */
  invalidSeverity?: unknown;
}

export interface PolicyDescription {
  annotations: PolicyAnnotation[];
  rules: RuleLocation[];
}

/** Default check id: bundled packages `credcheck.checks.root_mfa` give `root-mfa`; any other package its dotted path. */
export function deriveCheckId(packagePath: string): string {
  const dotted = packagePath.replace(/\//g, '.').replace(/^data\./, '');
  const bundled = /^credcheck\.checks\.(\w+)$/.exec(dotted);
  return bundled ? bundled[1]!.replace(/_/g, '-') : dotted;
}

/** Metadata of a package; a rule entrypoint (`pkg/deny`, as a compiler returns them) describes its package. */
export function describePackage(packagePath: string, description: PolicyDescription): CheckMetadata {
  let slash = packagePath.replace(/\./g, '/');
  const owner = packageOfRule(slash);
  if (owner !== undefined && !description.rules.some((r) => r.package === slash) && description.rules.some((r) => r.package === owner)) slash = owner;
  const own = description.annotations.filter((a) => a.path === slash || a.path.startsWith(`${slash}/`));
  // Package scope first, then rule scopes, so a rule's METADATA wins where both speak.
  own.sort((a, b) => Number(a.path !== slash) - Number(b.path !== slash));
  const custom: Record<string, unknown> = {};
  let title: string | undefined;
  let descriptionText: string | undefined;
  let related: PolicyAnnotation['related_resources'];
  for (const annotation of own) {
    Object.assign(custom, annotation.custom ?? {});
    title = annotation.title ?? title;
    descriptionText = annotation.description ?? descriptionText;
    related = annotation.related_resources ?? related;
  }
  const firstRule = description.rules.find((r) => r.package === slash);
  const anchor = own[0] ?? firstRule;
  const validSeverity = typeof custom.severity === 'string' && (SEVERITIES as readonly string[]).includes(custom.severity);
  const severity = validSeverity ? (custom.severity as Severity) : 'medium';
  return {
    ...(custom.severity !== undefined && !validSeverity ? { invalidSeverity: custom.severity } : {}),
    id: typeof custom.id === 'string' && custom.id !== '' ? custom.id : deriveCheckId(slash),
    title,
    description: descriptionText,
    severity,
    relatedResources: related,
    custom,
    file: anchor?.file ?? '',
    line: anchor?.line ?? 0,
  };
}

export interface MappingContext {
  packagePath: string;
  metadata: CheckMetadata;
  rules: RuleLocation[];
  input: PolicyInput;
  parsed: ParsedReport;
}

export interface MappingResult {
  findings: Finding[];
  problems: PolicyProblem[];
}

/** Maps one package's raw document (`data.<package>`) for one report. */
export function mapPackageResult(document: unknown, context: MappingContext): MappingResult {
  const findings: Finding[] = [];
  const problems: PolicyProblem[] = [];
  if (document === undefined || document === null) return { findings, problems };
  const slash = context.packagePath.replace(/\./g, '/');
  const ruleLocation = (name: string) => context.rules.find((r) => r.package === slash && r.name === name);
  const problemAt = (name: string, message: string): PolicyProblem => {
    const location = ruleLocation(name);
    return {
      file: location?.file ?? context.metadata.file,
      line: location?.line ?? context.metadata.line,
      column: location ? 1 : 0,
      message: `${slash.replace(/\//g, '.')}.${name}: ${message}`,
      code: 'policy-contract',
    };
  };
  if (typeof document !== 'object' || Array.isArray(document)) {
    problems.push(problemAt('', 'the package document is not an object'));
    return { findings, problems };
  }
  if (context.metadata.invalidSeverity !== undefined) {
    problems.push({
      file: context.metadata.file,
      line: context.metadata.line,
      column: context.metadata.line > 0 ? 1 : 0,
      message: `${slash.replace(/\//g, '.')}: METADATA custom.severity must be one of ${SEVERITIES.join(', ')}, got ${describeType(context.metadata.invalidSeverity)}; its findings are reported as medium`,
      code: 'policy-contract',
    });
  }
  const rulesOfPackage = document as Record<string, unknown>;
  const excepted = collectExceptions(rulesOfPackage.exception, (message) => problems.push(problemAt('exception', message)));

  for (const [name, value] of Object.entries(rulesOfPackage)) {
    const match = RULE_NAME.exec(name);
    if (!match) continue;
    const status = STATUS_OF[match[1]!]!;
    const suffix = match[2] ?? '';
    if (!Array.isArray(value)) {
      problems.push(problemAt(name, `must be a set of results (strings or objects with msg), got ${describeType(value)}`));
      continue;
    }
    const location = ruleLocation(name);
    for (const result of value) {
      const finding = toFinding(result, status, context, (message) => problems.push(problemAt(name, message)));
      if (!finding) continue;
      if (location) finding.source = { file: location.file, line: location.line };
      if (excepted.has(suffix)) {
        finding.message = `excepted by an exception rule: ${finding.message}`;
        finding.status = 'skip';
      }
      findings.push(finding);
    }
  }
  return { findings, problems };
}

function collectExceptions(value: unknown, report: (message: string) => void): Set<string> {
  const suffixes = new Set<string>();
  if (value === undefined) return suffixes;
  if (!Array.isArray(value)) {
    report(`must be a set of arrays of rule-name suffixes, got ${describeType(value)}`);
    return suffixes;
  }
  for (const entry of value) {
    const names = Array.isArray(entry) ? entry : [entry];
    for (const name of names) {
      if (typeof name === 'string') suffixes.add(name);
      else report(`rule-name suffixes must be strings, got ${describeType(name)}`);
    }
  }
  return suffixes;
}

function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value} (${JSON.stringify(value)})`;
}

function toFinding(result: unknown, status: FindingStatus, context: MappingContext, report: (message: string) => void): Finding | undefined {
  const { metadata, input, parsed } = context;
  let fields: Record<string, unknown>;
  if (typeof result === 'string') fields = { msg: result };
  else if (result && typeof result === 'object' && !Array.isArray(result)) fields = result as Record<string, unknown>;
  else {
    report(`a result must be a string or an object with msg, got ${describeType(result)}`);
    return undefined;
  }
  if (typeof fields.msg !== 'string') {
    report(`a result object must have a string msg, got ${fields.msg === undefined ? 'none' : describeType(fields.msg)}`);
    return undefined;
  }
  const key = fields.key ?? null;
  if (key !== null && key !== 1 && key !== 2) {
    report(`key must be 1, 2 or absent, got ${describeType(key)}`);
    return undefined;
  }
  let severity = metadata.severity;
  if (fields.severity !== undefined) {
    if (typeof fields.severity !== 'string' || !(SEVERITIES as readonly string[]).includes(fields.severity.toLowerCase())) {
      report(`severity must be one of ${SEVERITIES.join(', ')}, got ${describeType(fields.severity)}`);
      return undefined;
    }
    severity = fields.severity.toLowerCase() as Severity;
  }
  for (const name of ['user', 'field'] as const) {
    if (fields[name] !== undefined && fields[name] !== null && typeof fields[name] !== 'string') {
      report(`${name} must be a string, got ${describeType(fields[name])}`);
      return undefined;
    }
  }
  if (fields.line !== undefined && fields.line !== null && !Number.isInteger(fields.line)) {
    report(`line must be an integer, got ${describeType(fields.line)}`);
    return undefined;
  }
  // The row: by line when the policy gives one (duplicate user names exist in the wild), else by user name. A finding
  // about a user, line or column the report does not have would be placed somewhere made up: it is a contract problem.
  const index = rowIndex(input, parsed);
  if (typeof fields.line === 'number' && !index.userByLine.has(fields.line)) {
    report(`line ${fields.line} is not the line of a user row in ${input.report.file}`);
    return undefined;
  }
  if (typeof fields.user === 'string' && typeof fields.line !== 'number' && !index.userByName.has(fields.user)) {
    const near = closestNames(fields.user, index.userByName.keys());
    report(`user ${JSON.stringify(fields.user)} is not a user of ${input.report.file}${near.length ? ` (did you mean ${near.map((n) => JSON.stringify(n)).join(' or ')}?)` : ''}`);
    return undefined;
  }
  const column = typeof fields.field === 'string' ? fields.field : null;
  if (column !== null && !isKnownColumn(column, input)) {
    const near = closestNames(column, new Set([...CURRENT_COLUMNS, ...input.report.columns]));
    report(`field ${JSON.stringify(column)} is not a column of a credential report${near.length ? ` (did you mean ${near.join(' or ')}?)` : ''}`);
    return undefined;
  }
  const user =
    (typeof fields.line === 'number' ? index.userByLine.get(fields.line) : undefined) ??
    (typeof fields.user === 'string' ? index.userByName.get(fields.user) : undefined);
  const row = user ? index.rowByLine.get(user.line) : undefined;
  const location = row ? (column && Object.hasOwn(row.locations, column) ? row.locations[column] : undefined) || row.locations.user : undefined;
  const finding: Finding = {
    check: metadata.id,
    status,
    severity,
    user: user?.user ?? (typeof fields.user === 'string' ? fields.user : null),
    arn: user?.arn ?? null,
    key: key as 1 | 2 | null,
    file: input.report.file,
    line: user?.line ?? (typeof fields.line === 'number' ? fields.line : null),
    column,
    message: fields.msg,
    account: user?.account_id ?? input.report.account_id ?? null,
  };
  if (metadata.title) finding.title = metadata.title;
  if (location) finding.location = location;
  return finding;
}

/** A column AWS documents for credential reports, or one this report's header has (custom layouts keep extra columns). */
function isKnownColumn(name: string, input: PolicyInput): boolean {
  return CURRENT_COLUMNS.includes(name) || input.report.columns.includes(name);
}

interface RowIndex {
  userByLine: Map<number, NormalizedUser>;
  userByName: Map<string, NormalizedUser>;
  rowByLine: Map<number, ReportRow>;
}

const rowIndexes = new WeakMap<PolicyInput, { parsed: ParsedReport; index: RowIndex }>();

/**
 * Users and rows by line and by name, built once per report: a linear search per finding made mapping quadratic (13,500
 * findings x 5,000 users: ~125 ms of a 5,000-user report). The first of equal keys wins, as Array.find did.
 */
function rowIndex(input: PolicyInput, parsed: ParsedReport): RowIndex {
  const cached = rowIndexes.get(input);
  if (cached && cached.parsed === parsed) return cached.index;
  const index: RowIndex = { userByLine: new Map(), userByName: new Map(), rowByLine: new Map() };
  for (const user of input.users) {
    if (!index.userByLine.has(user.line)) index.userByLine.set(user.line, user);
    if (!index.userByName.has(user.user)) index.userByName.set(user.user, user);
  }
  for (const row of parsed.rows) if (!index.rowByLine.has(row.line)) index.rowByLine.set(row.line, row);
  rowIndexes.set(input, { parsed, index });
  return index;
}
