/**
 * The profile names in the shared AWS config and credentials files, for a profile picker. Only section names are
 * read from the text: no key, secret or other value leaves this function.
 */

/** Profile names in order of first appearance: `[default]`, `[profile name]` (config) and `[name]` (credentials). */
export function listProfileNames(configText: string | undefined, credentialsText: string | undefined): string[] {
  const names: string[] = [];
  const add = (name: string) => {
    if (name && !names.includes(name)) names.push(name);
  };
  for (const [text, isConfig] of [[configText, true], [credentialsText, false]] as const) {
    if (!text) continue;
    for (const line of text.split(/\r?\n/)) {
      const section = /^\s*\[\s*([^\]]+?)\s*\]\s*(?:[#;].*)?$/.exec(line)?.[1];
      if (!section) continue;
      if (isConfig) {
        // The config file also holds [sso-session x] and [services x] sections, which are not profiles.
        if (section === 'default') add('default');
        else if (/^profile\s+/.test(section)) add(section.replace(/^profile\s+/, '').trim());
      } else {
        add(section);
      }
    }
  }
  return names;
}
