import { RegoCompiler } from '../core/compiler/regoCompiler';
import { UsageError } from './io';

/** The Rego compiler for user policies: the embedded one (no opa binary needed). */
export async function createDefaultCompiler(): Promise<RegoCompiler> {
  throw new UsageError('the embedded Rego compiler is not available in this build');
}
