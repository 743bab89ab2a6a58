import { parseArgs } from 'node:util';
import { CatalogEntry, loadBundledPolicies } from '../../core/checks/catalog';
import { CliIo, UsageError } from '../io';

/** `credcheck checks [--format table|json]`: the bundled catalog with its framework mappings and parameters. */
export async function run(args: string[], io: CliIo): Promise<number> {
  let format: string;
  try {
    const { values } = parseArgs({ args, strict: true, options: { format: { type: 'string' } } });
    format = values.format ?? 'table';
  } catch (error) {
    throw new UsageError(`${(error as Error).message}\nusage: credcheck checks [--format table|json]`);
  }
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
