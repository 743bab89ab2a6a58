/**
 * The `credcheck.*` settings a workspace settings file (`.vscode/settings.json`, or the `settings` of a
 * `.code-workspace` file) sets, with their lines. In an untrusted workspace VS Code hides restricted values from the
 * extension altogether, so this is the only way to tell the user that the repository tried to set them.
 * jsonc-parser is VS Code's own parser for these files (comments, trailing commas), so it reads them as VS Code does.
 */
import { Node, parseTree } from 'jsonc-parser';
import { SETTING_KEYS, SettingKey, WorkspaceSetting } from './editorSettings';

const FULL_KEYS = new Map<string, SettingKey>(SETTING_KEYS.map((key) => [`credcheck.${key}`, key]));

/** Every credcheck setting in the file, flat (`"credcheck.x": 1`), nested (`"credcheck": {"x": 1}`) or per language. */
export function settingsInFile(text: string, file: string, section?: string): WorkspaceSetting[] {
  const root = parseTree(text, [], { allowTrailingComma: true, disallowComments: false });
  if (!root) return [];
  const settings = section ? propertyValue(root, section) : root;
  const found: WorkspaceSetting[] = [];
  const lineOf = (offset: number) => text.slice(0, offset).split('\n').length;
  const visit = (object: Node, prefix: string) => {
    if (object.type !== 'object') return;
    for (const property of object.children ?? []) {
      const [name, value] = property.children ?? [];
      if (!name || typeof name.value !== 'string') continue;
      const fullName = /^\[.*\]$/.test(name.value) ? '' : prefix ? `${prefix}.${name.value}` : name.value;
      const key = FULL_KEYS.get(fullName);
      if (key) found.push({ key, location: `${file}:${lineOf(property.offset)}` });
      else if (value && (fullName === '' || [...FULL_KEYS.keys()].some((known) => known.startsWith(`${fullName}.`)))) visit(value, fullName);
    }
  };
  if (settings) visit(settings, '');
  return found;
}

function propertyValue(object: Node, name: string): Node | undefined {
  if (object.type !== 'object') return undefined;
  return object.children?.find((property) => property.children?.[0]?.value === name)?.children?.[1];
}
