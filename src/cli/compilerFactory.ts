import { createEmbeddedCompiler } from '../core/compiler/embeddedCompiler';
import { RegoCompiler } from '../core/compiler/regoCompiler';

/** The Rego compiler for user policies: the embedded one, so no opa binary is ever needed. */
export async function createDefaultCompiler(): Promise<RegoCompiler> {
  return createEmbeddedCompiler();
}
