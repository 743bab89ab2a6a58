/**
 * What policies can read from `input`, field by field: the shape and our descriptions come from the shipped JSON Schema
 * (schema/policy-input.schema.json, the same file `credcheck input` output is validated against), AWS's meaning of each
 * report column from AWS's own page (awsColumnDocs.ts). Completion and hover both read this one catalogue, so they
 * cannot disagree with each other or with the schema.
 */
import schemaDocument from '../../../schema/policy-input.schema.json';
import { columnKind, CURRENT_COLUMNS } from '../report/columns';
import { AWS_COLUMN_DOCS, AWS_COLUMN_DOCS_SOURCE } from './awsColumnDocs';

/** A step into `input`: a property name, or `[]` for "an element of this array". */
export type FieldPath = readonly string[];
export const ELEMENT = '[]';

export interface InputField {
  name: string;
  /** Where it is, from `input` (e.g. ['users', '[]', 'mfa_active']). */
  path: FieldPath;
  /** Rego-facing type, e.g. `boolean | null`, `string (UTC time) | null`, `"used" | "never_used" | ...`. */
  type: string;
  /** Our description of the value in `input` (from the schema). */
  description: string;
  /** AWS's description of the report column this field comes from, when it is one. */
  aws?: string;
  /** What null and the other special values mean here, in our words. */
  specialValues?: string;
  /** True for fields the normaliser adds (`*_days`, statuses, `is_root`, ...) rather than a column AWS writes. */
  derived: boolean;
}

interface SchemaNode {
  $ref?: string;
  type?: string | string[];
  enum?: unknown[];
  oneOf?: SchemaNode[];
  /** The schema spells "X or null" as anyOf (OPA's type checker drops null from a type array; anyOf it reads as any). */
  anyOf?: SchemaNode[];
  items?: SchemaNode;
  properties?: Record<string, SchemaNode>;
  additionalProperties?: SchemaNode | boolean;
  description?: string;
  format?: string;
}

const schema = schemaDocument as unknown as SchemaNode & { $defs: Record<string, SchemaNode> };

function resolve(node: SchemaNode | undefined): SchemaNode | undefined {
  let current = node;
  for (let hops = 0; current?.$ref && hops < 10; hops++) {
    const name = current.$ref.replace('#/$defs/', '');
    // The field's own description wins over the shared definition's.
    current = { ...schema.$defs[name], ...(current.description ? { description: current.description } : {}), $ref: schema.$defs[name]?.$ref };
  }
  return current;
}

/** The non-null alternative of `oneOf: [null, X]`, which is how the schema spells "X or null". */
function withoutNull(node: SchemaNode): SchemaNode {
  const options = node.oneOf ?? node.anyOf;
  if (!options) return node;
  const other = options.map(resolve).find((option) => option && option.type !== 'null');
  return other ? { ...other, description: node.description ?? other.description } : node;
}

function typeText(node: SchemaNode | undefined): string {
  const resolved = resolve(node);
  if (!resolved) return 'any';
  if (resolved.enum) return resolved.enum.map((value) => JSON.stringify(value)).join(' | ');
  if (resolved.oneOf) return resolved.oneOf.map(typeText).join(' | ');
  if (resolved.anyOf) return resolved.anyOf.map(typeText).join(' | ');
  const types = Array.isArray(resolved.type) ? resolved.type : resolved.type ? [resolved.type] : [];
  const named = types.map((type) => {
    if (type === 'string' && resolved.format === 'date-time') return 'string (UTC time)';
    if (type === 'array') return `array of ${typeText(resolved.items).includes('|') ? `(${typeText(resolved.items)})` : typeText(resolved.items)}`;
    return type;
  });
  return named.length > 0 ? named.join(' | ') : 'any';
}

function isArray(node: SchemaNode): boolean {
  return node.type === 'array' || (Array.isArray(node.type) && node.type.includes('array'));
}

/** The schema node at `path`, or undefined when the path leaves the schema (an unknown name). */
function nodeAt(path: FieldPath): SchemaNode | undefined {
  let node: SchemaNode | undefined = schema;
  for (const step of path) {
    node = resolve(node);
    if (!node) return undefined;
    node = withoutNull(node);
    if (step === ELEMENT) {
      node = isArray(node) ? node.items : undefined;
    } else if (node.properties && Object.hasOwn(node.properties, step)) {
      node = node.properties[step];
    } else if (typeof node.additionalProperties === 'object') {
      node = node.additionalProperties;
    } else {
      return undefined;
    }
  }
  return resolve(node);
}

/** Whether `path` is an array (so `[_]` or `some x in` steps into its elements). */
export function isArrayPath(path: FieldPath): boolean {
  const node = nodeAt(path);
  return node !== undefined && isArray(withoutNull(node));
}

/** Whether `path` names something in `input` at all. */
export function isKnownPath(path: FieldPath): boolean {
  return nodeAt(path) !== undefined;
}

const USER_ROW: FieldPath = ['users', ELEMENT];

function isUserRow(path: FieldPath): boolean {
  return path.length === 2 && path[0] === 'users' && path[1] === ELEMENT;
}

/** The fields one can write after `<path>.`: the schema's properties, or the report's column names under `raw`. */
export function fieldsAt(path: FieldPath): InputField[] {
  const node = nodeAt(path);
  if (!node) return [];
  const object = withoutNull(node);
  if (object.properties) {
    return Object.entries(object.properties).map(([name, child]) => describe([...path, name], name, child, isUserRow(path)));
  }
  if (path.length === 3 && isUserRow(path.slice(0, 2)) && path[2] === 'raw') {
    return CURRENT_COLUMNS.map((column) => ({
      name: column,
      path: [...path, column],
      type: 'string',
      description: `The \`${column}\` cell exactly as written in the CSV, before trimming or typing (absent when the file has no such column or the row is short).`,
      ...(AWS_COLUMN_DOCS[column] ? { aws: AWS_COLUMN_DOCS[column] } : {}),
      derived: false,
    }));
  }
  return [];
}

/** The one field at `path` (its last step a name), or undefined. */
export function fieldAt(path: FieldPath): InputField | undefined {
  const name = path[path.length - 1];
  if (name === undefined || name === ELEMENT) return undefined;
  return fieldsAt(path.slice(0, -1)).find((field) => field.name === name);
}

function describe(path: FieldPath, name: string, node: SchemaNode, inUserRow: boolean): InputField {
  const resolved = resolve(node) ?? {};
  const aws = inUserRow ? AWS_COLUMN_DOCS[name] : undefined;
  const field: InputField = {
    name,
    path,
    type: typeText(node),
    description: node.description ?? resolved.description ?? '',
    derived: inUserRow && aws === undefined,
    ...(aws ? { aws } : {}),
  };
  const special = inUserRow ? specialValuesOf(name) : undefined;
  if (special) field.specialValues = special;
  return field;
}

/** Our words on what null means for a field of a user row (the normaliser's rules, see normalizer.ts). */
function specialValuesOf(name: string): string | undefined {
  const raw = `what AWS wrote stays in \`raw.${name}\``;
  switch (columnKind(name)) {
    case 'boolean':
      return `\`TRUE\`/\`FALSE\` in any case become \`true\`/\`false\`; \`null\` for AWS's \`not_supported\`/\`N/A\`, an empty or unreadable cell, or a column the file lacks (${raw}). \`null\` is not \`false\`: \`not u.${name}\` is also true for null.`;
    case 'time':
      return `A UTC ISO 8601 time; \`null\` for AWS's \`N/A\`, \`no_information\` and \`not_supported\`, an empty cell, or a column the file lacks (${raw}; the \`*_status\` fields say which). \`${name}_days\` holds its age in days.`;
    case 'text':
    case 'arn':
      return `Trimmed text; \`null\` for AWS's \`N/A\`/\`no_information\`/\`not_supported\` or an empty cell (${raw}).`;
    case 'user':
      return 'Never null: `<root_account>` for the account root user (see `is_root`).';
    default:
      if (name.endsWith('_days')) return `A number of days (fractional); \`null\` when \`${name.slice(0, -'_days'.length)}\` is null.`;
      if (name.endsWith('_status')) return 'Always one of the listed words: it says why the matching field is null.';
      return undefined;
  }
}

/** The top-level `input` fields. */
export function rootFields(): InputField[] {
  return fieldsAt([]);
}

export { USER_ROW, AWS_COLUMN_DOCS_SOURCE };
