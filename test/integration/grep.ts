// The mocha grep both test indexes build (the Node one in index.ts, the web one in ../web/index.ts): pure, so it
// bundles for the browser too.

/** The tag that marks tests meant for a launch in an untrusted workspace. */
export const untrustedTag = '@untrusted';

/**
 * Mocha takes a single grep; lookaheads let one expression say both "matches the caller's pattern"
 * and "has (or lacks) the untrusted tag".
 */
export function buildGrep(userPattern: string | undefined, tagMode: string | undefined): RegExp | undefined {
  const parts: string[] = [];
  if (tagMode === 'only-untrusted') {
    parts.push(`(?=[\\s\\S]*${untrustedTag})`);
  } else if (tagMode === 'exclude-untrusted') {
    parts.push(`(?![\\s\\S]*${untrustedTag})`);
  } else if (tagMode) {
    throw new Error(`CREDCHECK_TEST_TAG_MODE must be "only-untrusted" or "exclude-untrusted", not "${tagMode}"`);
  }
  if (userPattern) {
    new RegExp(userPattern); // fail early with the caller's pattern in the message
    parts.push(`(?=[\\s\\S]*(?:${userPattern}))`);
  }
  return parts.length ? new RegExp(`^${parts.join('')}`) : undefined;
}

