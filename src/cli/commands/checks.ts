import { CatalogEntry, loadBundledPolicies } from '../../core/checks/catalog';
import { defineCommand, readCommandLine } from '../commandLine';
import { CliIo, UsageError } from '../io';

export const definition = defineCommand({
  name: 'checks',
  operands: '',
  summary: 'list the bundled checks with their mappings and parameters',
  description:
    'Lists the bundled checks: id, severity, title, the controls of each compliance framework they map to, their ' +
    "parameters with defaults (set with check's --param), the same check in other tools, and their documentation.",
  options: {
    format: { value: '<name>', description: 'table (default) or json' },
  },
  examples: [['the ids and parameters of every check, as JSON', "credcheck checks --format json"]],
  exitCodes: [
    [0, 'the list is printed'],
    [2, 'a usage error'],
  ],
});

/** `credcheck checks [--format table|json]`: the bundled catalog with its framework mappings and parameters. */
export async function run(args: string[], io: CliIo): Promise<number> {
  const format = readCommandLine(definition, args).values.format ?? 'table';
  const { checks } = loadBundledPolicies();
  if (format === 'json') {
    io.stdout(`${JSON.stringify(checks.map(publicEntry), null, 2)}\n`);
    return 0;
  }
  if (format !== 'table') throw new UsageError(`unknown --format "${format}" (expected table or json)`);
  const lines: string[] = [];
  for (const entry of [...checks].sort((a, b) => a.id.localeCompare(b.id))) {
    lines.push(`${entry.id}  [${entry.severity}${entry.enabledByDefault ? '' : ', off by default'}]  ${entry.title}`);
    const frameworks = Object.entries(entry.frameworks).map(([name, controls]) => `${name} ${controls.join('/')}`);
    if (frameworks.length > 0) lines.push(`    controls: ${frameworks.join(', ')}`);
    if (entry.parameters.length > 0) {
      lines.push(`    parameters: ${entry.parameters.map((p) => (p.default !== undefined ? `${p.name}=${JSON.stringify(p.default)}` : p.name)).join(', ')}`);
    }
    const peers = Object.entries(entry.peers).map(([tool, name]) => `${tool} ${name}`);
    if (peers.length > 0) lines.push(`    peers: ${peers.join(', ')}`);
    lines.push(`    docs: ${entry.docs}`);
  }
  io.stdout(`${lines.join('\n')}\n`);
  return 0;
}

function publicEntry(entry: CatalogEntry) {
  const rest: Partial<CatalogEntry> = { ...entry };
  delete rest.entrypoint;
  return { ...rest, package: entry.entrypoint.replace(/\//g, '.') };
}
