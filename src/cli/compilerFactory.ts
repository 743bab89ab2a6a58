import { readFileSync } from 'node:fs';
import { CachedCompiler, compileCacheDir, CompilerIdentity } from '../core/compiler/compileCache';
import { locateCompilerAssets, readCompilerCapabilities } from '../core/compiler/compilerAssets';
import { createEmbeddedCompiler } from '../core/compiler/embeddedCompiler';
import { RegoCompiler } from '../core/compiler/regoCompiler';

/**
 * The Rego compiler for user policies and queries: the embedded one, so no opa binary is ever needed, behind the disk
 * cache of compiled policies (compileCache.ts), which starts it only when something is not in the cache.
 */
export async function createDefaultCompiler(env: NodeJS.ProcessEnv = process.env): Promise<RegoCompiler> {
  const dir = compileCacheDir(env);
  const identity = dir ? compilerIdentity() : undefined;
  if (!dir || !identity) return createEmbeddedCompiler();
  return new CachedCompiler(() => createEmbeddedCompiler(), dir, identity);
}

/** This compiler build's hash and its input schema, or undefined when the build does not record one. */
function compilerIdentity(): CompilerIdentity | undefined {
  try {
    const build = (readCompilerCapabilities() as { build?: string }).build;
    if (!build) return undefined;
    return { build, schema: readFileSync(locateCompilerAssets().schema, 'utf8') };
  } catch {
    return undefined;
  }
}
