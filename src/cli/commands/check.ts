import { CliIo, UsageError } from '../io';

// Placeholder until the owning work lands: fails loudly rather than pretending.
export async function run(_args: string[], _io: CliIo): Promise<number> {
  throw new UsageError('the check command is not built yet');
}
