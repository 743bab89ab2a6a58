/**
 * Fetches several profiles (accounts) at once. Concurrency is bounded because IAM refuses to generate too many reports
 * in parallel (LimitExceeded, field research C.1/C.7); one report per account, as two profiles may reach one account.
 */
import { CredentialReportFetchOptions, FetchedCredentialReport, fetchCredentialReport } from './credentialReportFetcher';
import { FetchError } from './fetchError';

export interface ProfileFetchOutcome {
  /** null: the SDK's default chain (AWS_PROFILE, environment, ...). */
  profile: string | null;
  report?: FetchedCredentialReport;
  error?: FetchError;
  /** Set when an earlier profile already fetched this account's report; `report` is then left out. */
  duplicateOf?: string | null;
}

export interface MultiAccountFetchOptions extends Omit<CredentialReportFetchOptions, 'profile' | 'onProgress'> {
  /** How many accounts are fetched at the same time. Default 3. */
  concurrency?: number;
  onProgress?: (profile: string | null, message: string) => void;
}

/** Outcomes in the order of `profiles`; one failing profile does not stop the others. */
export async function fetchCredentialReports(profiles: readonly (string | null)[], options: MultiAccountFetchOptions = {}): Promise<ProfileFetchOutcome[]> {
  const { concurrency = 3, onProgress, ...shared } = options;
  const outcomes: ProfileFetchOutcome[] = new Array(profiles.length);
  let next = 0;
  const worker = async () => {
    while (next < profiles.length) {
      const index = next++;
      const profile = profiles[index];
      try {
        const report = await fetchCredentialReport({ ...shared, ...(profile !== null ? { profile } : {}), onProgress: (message) => onProgress?.(profile, message) });
        outcomes[index] = { profile, report };
      } catch (error) {
        const fetchError = error instanceof FetchError ? error : new FetchError('service-failure', `${profile === null ? 'the default AWS credentials' : `profile '${profile}'`}: ${error instanceof Error ? error.message : String(error)}`, { profile });
        outcomes[index] = { profile, error: fetchError };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, profiles.length)) }, worker));

  const firstProfileOfAccount = new Map<string, string | null>();
  for (const outcome of outcomes) {
    const account = outcome.report?.accountId;
    if (!account) continue;
    const first = firstProfileOfAccount.get(account);
    if (first === undefined) {
      firstProfileOfAccount.set(account, outcome.profile);
    } else {
      outcome.duplicateOf = first;
      delete outcome.report;
    }
  }
  return outcomes;
}
