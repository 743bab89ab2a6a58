/**
 * The extension's settings as a typed, validated object. VS Code hands us whatever the user typed in settings.json
 * (its JSON schema only underlines a bad value, it still passes it on); a bad value falls back to its default and is
 * reported, rather than reaching the policies as a string, NaN, an unknown check id or an absurd threshold.
 */
import { closestNames } from '../../core/text/closestNames';
import type { CatalogEntry } from '../../core/checks/catalog';
import { knownFrameworks } from '../../core/checks/compliance';
import { Severity, SEVERITIES } from '../../core/model';
import { outsideWorkspaceReason } from './workspacePath';

export interface Thresholds {
  rootRecentUseDays: number;
  unusedCredentialDays: number;
  accessKeyRotationDays: number;
  passwordRotationDays: number;
  initialKeySetupSeconds: number;
}

export interface EditorSettings {
  thresholds: Thresholds;
  enabledChecks: string[];
  disabledChecks: string[];
  framework: string;
  evaluationTime: 'now' | 'reportGeneratedTime';
  policyFolders: string[];
  suppressionsFile: string;
  severityFilter: Severity;
  opaPath: string | null;
  fetchEndpointUrl: string | null;
  fetchRegion: string | null;
}

export const DEFAULT_SETTINGS: EditorSettings = {
  thresholds: { rootRecentUseDays: 90, unusedCredentialDays: 45, accessKeyRotationDays: 90, passwordRotationDays: 90, initialKeySetupSeconds: 10 },
  enabledChecks: [],
  disabledChecks: [],
  framework: 'cis-5.0',
  evaluationTime: 'now',
  policyFolders: ['policies'],
  suppressionsFile: '.credcheck/suppressions.yaml',
  severityFilter: 'info',
  opaPath: null,
  fetchEndpointUrl: null,
  fetchRegion: null,
};

/** Setting keys (below `credcheck.`) in the order they are read. */
export const SETTING_KEYS = [
  'thresholds.rootRecentUseDays',
  'thresholds.unusedCredentialDays',
  'thresholds.accessKeyRotationDays',
  'thresholds.passwordRotationDays',
  'thresholds.initialKeySetupSeconds',
  'enabledChecks',
  'disabledChecks',
  'framework',
  'evaluationTime',
  'policyFolders',
  'suppressionsFile',
  'severityFilter',
  'opaPath',
  'fetch.endpointUrl',
  'fetch.region',
] as const;

export type SettingKey = (typeof SETTING_KEYS)[number];

/**
 * The settings a workspace may not set until it is trusted (package.json `restrictedConfigurations` lists the same):
 * each decides what runs (check lists, thresholds, the evaluation time, policy folders, the opa binary), what is shown
 * (the severity filter), what is read or where a file is written (the suppressions file), or where credentials go (the
 * fetch endpoint and region). Only the framework, which merely labels findings, is left to the workspace.
 */
export const RESTRICTED_SETTING_KEYS: readonly SettingKey[] = SETTING_KEYS.filter((key) => key !== 'framework');

/** A rejected setting value: which setting, the value as the user wrote it, and what was used instead. */
export interface SettingsProblem {
  /** The full setting name, e.g. `credcheck.enabledChecks`. */
  setting: string;
  value: unknown;
  /** One sentence naming the setting, the bad value, why, and what is used instead. */
  message: string;
}

export interface ValidatedSettings {
  settings: EditorSettings;
  problems: SettingsProblem[];
}

/** What the bundled checks define: the ids and frameworks the settings may name. */
export interface SettingsVocabulary {
  checkIds: readonly string[];
  frameworks: readonly string[];
}

export function settingsVocabulary(catalog: readonly CatalogEntry[]): SettingsVocabulary {
  return { checkIds: catalog.map((entry) => entry.id).sort(), frameworks: knownFrameworks([...catalog]) };
}

/**
 * The largest threshold accepted. No AWS account holds a credential older than IAM itself (2010), so a day count past
 * a century can only be a slip that silently turns a check off; more than a day between creating a user and its first
 * key is no longer "initial setup".
 */
export const MAX_THRESHOLD_DAYS = 36_500;
export const MAX_INITIAL_KEY_SETUP_SECONDS = 86_400;

/**
 * Validates raw values by key (missing keys take their default). With the vocabulary, check ids and the framework
 * are checked against the bundled catalog, and an unknown one is named with the closest known one.
 */
export function validateSettings(raw: Partial<Record<SettingKey, unknown>>, vocabulary?: SettingsVocabulary): ValidatedSettings {
  const problems: SettingsProblem[] = [];
  const reject = (key: SettingKey, why: string, fallback: unknown, value: unknown = raw[key]) =>
    problems.push({ setting: `credcheck.${key}`, value, message: `credcheck.${key} is ${JSON.stringify(value)}: ${why}; using the default ${JSON.stringify(fallback)} instead` });
  const suggestion = (value: string, known: readonly string[]) => {
    const near = closestNames(value, known);
    return near.length ? ` (did you mean ${near.map((name) => `"${name}"`).join(' or ')}?)` : '';
  };

  const count = (key: SettingKey, fallback: number, minimum: number, maximum: number): number => {
    const value = raw[key];
    if (value === undefined || value === null) return fallback;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < minimum || value > maximum) {
      reject(key, `expected a whole number from ${minimum} to ${maximum}`, fallback);
      return fallback;
    }
    return value;
  };
  const strings = (key: SettingKey, fallback: string[]): string[] => {
    const value = raw[key];
    if (value === undefined || value === null) return fallback;
    if (!Array.isArray(value) || value.some((item) => typeof item !== 'string')) {
      reject(key, 'expected a list of strings', fallback);
      return fallback;
    }
    return [...new Set((value as string[]).map((item) => item.trim()).filter((item) => item.length > 0))];
  };
  const text = (key: SettingKey, fallback: string): string => {
    const value = raw[key];
    if (value === undefined || value === null) return fallback;
    if (typeof value !== 'string' || value.trim() === '') {
      reject(key, 'expected a non-empty string', fallback);
      return fallback;
    }
    return value.trim();
  };
  const optionalText = (key: SettingKey): string | null => {
    const value = raw[key];
    if (value === undefined || value === null || value === '') return null;
    if (typeof value !== 'string') {
      reject(key, 'expected a string', null);
      return null;
    }
    return value.trim() || null;
  };
  const oneOf = <T extends string>(key: SettingKey, allowed: readonly T[], fallback: T): T => {
    const value = raw[key];
    if (value === undefined || value === null) return fallback;
    if (typeof value !== 'string' || !allowed.includes(value as T)) {
      reject(key, `expected one of ${allowed.join(', ')}${typeof value === 'string' ? suggestion(value, allowed) : ''}`, fallback);
      return fallback;
    }
    return value as T;
  };

  /**
   * A list of check ids. One unknown id rejects the whole list: running a guessed subset (or, for the enabled list,
   * nothing at all) would silently change what is audited, while the default is what the user sees documented.
   */
  const checkIds = (key: 'enabledChecks' | 'disabledChecks', fallback: string[]): string[] => {
    const ids = strings(key, fallback);
    if (!vocabulary) return ids;
    const unknown = ids.filter((id) => !vocabulary.checkIds.includes(id));
    if (unknown.length === 0) return ids;
    const named = unknown.map((id) => `"${id}"${suggestion(id, vocabulary.checkIds)}`).join(', ');
    reject(key, `unknown check id${unknown.length > 1 ? 's' : ''} ${named}; the ids are ${vocabulary.checkIds.join(', ')}`, fallback);
    return fallback;
  };
  const framework = (fallback: string): string => {
    const value = text('framework', fallback);
    if (!vocabulary || vocabulary.frameworks.includes(value)) return value;
    reject('framework', `unknown framework${suggestion(value, vocabulary.frameworks)}; the frameworks are ${vocabulary.frameworks.join(', ')}`, fallback);
    return fallback;
  };

  /** A workspace-relative file: an absolute path or a climb out would read and write outside the workspace. */
  const workspaceFile = (key: SettingKey, fallback: string): string => {
    const value = text(key, fallback);
    const outside = outsideWorkspaceReason(value);
    if (!outside) return value;
    reject(key, `not inside the workspace folder (${outside})`, fallback);
    return fallback;
  };

  const defaults = DEFAULT_SETTINGS;
  const endpoint = optionalText('fetch.endpointUrl');
  let fetchEndpointUrl: string | null = null;
  if (endpoint) {
    if (/^https?:\/\/[^\s]+$/i.test(endpoint)) fetchEndpointUrl = endpoint;
    else reject('fetch.endpointUrl', 'expected an http(s) URL', null, endpoint);
  }
  const policyFolders = strings('policyFolders', defaults.policyFolders).filter((folder) => {
    // Folders are workspace-relative: an absolute path or a climb out would read policies from outside the workspace.
    const outside = folder.startsWith('/') || /^[a-zA-Z]:[\\/]/.test(folder) || folder.split(/[\\/]/).includes('..');
    if (outside) {
      problems.push({ setting: 'credcheck.policyFolders', value: folder, message: `credcheck.policyFolders names ${JSON.stringify(folder)}, which is not inside the workspace; that folder is ignored` });
    }
    return !outside;
  });

  return {
    settings: {
      thresholds: {
        rootRecentUseDays: count('thresholds.rootRecentUseDays', defaults.thresholds.rootRecentUseDays, 0, MAX_THRESHOLD_DAYS),
        unusedCredentialDays: count('thresholds.unusedCredentialDays', defaults.thresholds.unusedCredentialDays, 1, MAX_THRESHOLD_DAYS),
        accessKeyRotationDays: count('thresholds.accessKeyRotationDays', defaults.thresholds.accessKeyRotationDays, 1, MAX_THRESHOLD_DAYS),
        passwordRotationDays: count('thresholds.passwordRotationDays', defaults.thresholds.passwordRotationDays, 1, MAX_THRESHOLD_DAYS),
        initialKeySetupSeconds: count('thresholds.initialKeySetupSeconds', defaults.thresholds.initialKeySetupSeconds, 0, MAX_INITIAL_KEY_SETUP_SECONDS),
      },
      enabledChecks: checkIds('enabledChecks', defaults.enabledChecks),
      disabledChecks: checkIds('disabledChecks', defaults.disabledChecks),
      framework: framework(defaults.framework),
      evaluationTime: oneOf('evaluationTime', ['now', 'reportGeneratedTime'] as const, defaults.evaluationTime),
      policyFolders,
      suppressionsFile: workspaceFile('suppressionsFile', defaults.suppressionsFile),
      severityFilter: oneOf('severityFilter', SEVERITIES, defaults.severityFilter),
      opaPath: optionalText('opaPath'),
      fetchEndpointUrl,
      fetchRegion: optionalText('fetch.region'),
    },
    problems,
  };
}

/** Where VS Code found a setting's value, as `WorkspaceConfiguration.inspect` tells it. */
export interface SettingOrigins {
  globalValue?: unknown;
  workspaceValue?: unknown;
  workspaceFolderValue?: unknown;
}

/** A restricted setting the workspace sets, and where (a settings file and line, when known). */
export interface WorkspaceSetting {
  key: SettingKey;
  /** `.vscode/settings.json:3`, or a description of the origin. */
  location: string;
}

/**
 * The raw values to validate in an untrusted workspace: a restricted setting that the workspace sets takes the user's
 * own value instead (or the default), and each one is a problem naming where the workspace set it. VS Code already
 * drops restricted workspace values it recognises, but not all of them (a value nested as `"credcheck": {...}` is not
 * matched against the declared keys), so what `inspect` still shows is dropped here; what VS Code dropped is found in
 * the settings files (`settingsFileEntries`) so the user learns why the repository's settings have no effect.
 */
export function withoutUntrustedWorkspaceValues(
  raw: Partial<Record<SettingKey, unknown>>,
  origins: Partial<Record<SettingKey, SettingOrigins>>,
  inFiles: readonly WorkspaceSetting[],
): { raw: Partial<Record<SettingKey, unknown>>; problems: SettingsProblem[] } {
  const result = { ...raw };
  const locations = new Map<SettingKey, string[]>();
  const add = (key: SettingKey, location: string) => locations.set(key, [...(locations.get(key) ?? []), location]);
  for (const key of RESTRICTED_SETTING_KEYS) {
    const origin = origins[key];
    if (origin && (origin.workspaceValue !== undefined || origin.workspaceFolderValue !== undefined)) {
      result[key] = origin.globalValue;
      add(key, origin.workspaceFolderValue !== undefined ? 'the workspace folder settings' : 'the workspace settings');
    }
  }
  for (const entry of inFiles) if (RESTRICTED_SETTING_KEYS.includes(entry.key)) add(entry.key, entry.location);
  const problems = [...locations].map(([key, where]) => ({
    setting: `credcheck.${key}`,
    value: where.join(', '),
    message: `credcheck.${key} is set by this workspace (${[...new Set(where)].join(', ')}), which is not trusted: that value is ignored until you trust the workspace; your user setting or the default is used`,
  }));
  return { raw: result, problems };
}
