/**
 * The extension's settings as a typed, validated object. VS Code hands us whatever the user typed in settings.json;
 * a bad value falls back to its default and is reported, rather than reaching the policies as a string or NaN.
 */
import { Severity, SEVERITIES } from '../../core/model';

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

export interface ValidatedSettings {
  settings: EditorSettings;
  /** One sentence per rejected value, naming the setting. */
  problems: string[];
}

/** Validates raw values by key (missing keys take their default). */
export function validateSettings(raw: Partial<Record<SettingKey, unknown>>): ValidatedSettings {
  const problems: string[] = [];
  const reject = (key: SettingKey, why: string) => problems.push(`credcheck.${key}: ${why}; using the default`);

  const count = (key: SettingKey, fallback: number, minimum: number): number => {
    const value = raw[key];
    if (value === undefined || value === null) return fallback;
    if (typeof value !== 'number' || !Number.isFinite(value) || value < minimum) {
      reject(key, `expected a number >= ${minimum}, got ${JSON.stringify(value)}`);
      return fallback;
    }
    return value;
  };
  const strings = (key: SettingKey, fallback: string[]): string[] => {
    const value = raw[key];
    if (value === undefined || value === null) return fallback;
    if (!Array.isArray(value) || value.some((item) => typeof item !== 'string')) {
      reject(key, 'expected a list of strings');
      return fallback;
    }
    return [...new Set((value as string[]).map((item) => item.trim()).filter((item) => item.length > 0))];
  };
  const text = (key: SettingKey, fallback: string): string => {
    const value = raw[key];
    if (value === undefined || value === null) return fallback;
    if (typeof value !== 'string' || value.trim() === '') {
      reject(key, 'expected a non-empty string');
      return fallback;
    }
    return value.trim();
  };
  const optionalText = (key: SettingKey): string | null => {
    const value = raw[key];
    if (value === undefined || value === null || value === '') return null;
    if (typeof value !== 'string') {
      reject(key, 'expected a string');
      return null;
    }
    return value.trim() || null;
  };
  const oneOf = <T extends string>(key: SettingKey, allowed: readonly T[], fallback: T): T => {
    const value = raw[key];
    if (value === undefined || value === null) return fallback;
    if (typeof value !== 'string' || !allowed.includes(value as T)) {
      reject(key, `expected one of ${allowed.join(', ')}, got ${JSON.stringify(value)}`);
      return fallback;
    }
    return value as T;
  };

  const defaults = DEFAULT_SETTINGS;
  const endpoint = optionalText('fetch.endpointUrl');
  let fetchEndpointUrl: string | null = null;
  if (endpoint) {
    if (/^https?:\/\/[^\s]+$/i.test(endpoint)) fetchEndpointUrl = endpoint;
    else reject('fetch.endpointUrl', `expected an http(s) URL, got ${JSON.stringify(endpoint)}`);
  }
  const policyFolders = strings('policyFolders', defaults.policyFolders).filter((folder) => {
    // Folders are workspace-relative: an absolute path or a climb out would read policies from outside the workspace.
    const outside = folder.startsWith('/') || /^[a-zA-Z]:[\\/]/.test(folder) || folder.split(/[\\/]/).includes('..');
    if (outside) problems.push(`credcheck.policyFolders: "${folder}" is not inside the workspace; ignored`);
    return !outside;
  });

  return {
    settings: {
      thresholds: {
        rootRecentUseDays: count('thresholds.rootRecentUseDays', defaults.thresholds.rootRecentUseDays, 0),
        unusedCredentialDays: count('thresholds.unusedCredentialDays', defaults.thresholds.unusedCredentialDays, 1),
        accessKeyRotationDays: count('thresholds.accessKeyRotationDays', defaults.thresholds.accessKeyRotationDays, 1),
        passwordRotationDays: count('thresholds.passwordRotationDays', defaults.thresholds.passwordRotationDays, 1),
        initialKeySetupSeconds: count('thresholds.initialKeySetupSeconds', defaults.thresholds.initialKeySetupSeconds, 0),
      },
      enabledChecks: strings('enabledChecks', defaults.enabledChecks),
      disabledChecks: strings('disabledChecks', defaults.disabledChecks),
      framework: text('framework', defaults.framework),
      evaluationTime: oneOf('evaluationTime', ['now', 'reportGeneratedTime'] as const, defaults.evaluationTime),
      policyFolders,
      suppressionsFile: text('suppressionsFile', defaults.suppressionsFile),
      severityFilter: oneOf('severityFilter', SEVERITIES, defaults.severityFilter),
      opaPath: optionalText('opaPath'),
      fetchEndpointUrl,
      fetchRegion: optionalText('fetch.region'),
    },
    problems,
  };
}
