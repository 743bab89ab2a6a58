/** The Markdown shown for a field of `input` (completion documentation, hover) and for a builtin. */
import type { BuiltinDoc } from '../compiler/regoTooling';
import type { PolicyInput } from '../model';
import { AWS_COLUMN_DOCS_SOURCE, ELEMENT, InputField } from './inputFields';

const EXAMPLE_LIMIT = 3;

export function fieldMarkdown(field: InputField, example?: PolicyInput): string {
  const parts = [`**${field.name}** \`${field.type}\`${field.derived ? ' (added by credcheck)' : ''}`];
  if (field.description) parts.push(field.description);
  if (field.specialValues) parts.push(`**Special values:** ${field.specialValues}`);
  if (field.aws) parts.push(`**AWS:** ${field.aws}\n\n[AWS: understanding the report format](${AWS_COLUMN_DOCS_SOURCE})`);
  const examples = example ? exampleValues(field, example) : undefined;
  if (examples) parts.push(`**In the open report:** ${examples}`);
  return parts.join('\n\n');
}

/** A few values of the field from the open report: per user for row fields, the value for the others. */
export function exampleValues(field: InputField, input: PolicyInput): string | undefined {
  const path = field.path;
  const show = (value: unknown) => `\`${JSON.stringify(value)}\``;
  if (path[0] === 'users' && path[1] === ELEMENT) {
    const rest = path.slice(2);
    const rows = input.users.map((user) => ({ user: user.user, value: valueAt(user, rest) })).filter((row) => row.value !== undefined);
    if (rows.length === 0) return undefined;
    // Non-null values first: they show the format; one null (if any) shows that it happens.
    const nonNull = rows.filter((row) => row.value !== null);
    const picked = [...nonNull.slice(0, EXAMPLE_LIMIT - 1), ...(rows.find((row) => row.value === null) ? [rows.find((row) => row.value === null)!] : nonNull.slice(EXAMPLE_LIMIT - 1, EXAMPLE_LIMIT))];
    return picked.map((row) => `${row.user}: ${show(row.value)}`).join(', ') + (rows.length > picked.length ? ` (${rows.length} users)` : '');
  }
  if (path.includes(ELEMENT)) return undefined;
  const value = valueAt(input, path);
  return value === undefined ? undefined : show(value);
}

function valueAt(root: unknown, path: readonly string[]): unknown {
  let current: unknown = root;
  for (const step of path) {
    if (current === null || typeof current !== 'object' || !Object.hasOwn(current, step)) return undefined;
    current = (current as Record<string, unknown>)[step];
  }
  return current;
}

export function builtinMarkdown(builtin: BuiltinDoc): string {
  const parts = ['```rego\n' + builtin.signature + '\n```'];
  if (builtin.description) parts.push(builtin.description);
  if (builtin.categories.length > 0) parts.push(`*${builtin.categories.join(', ')}*`);
  return parts.join('\n\n');
}
