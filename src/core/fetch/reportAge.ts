/**
 * How old a fetched report is, in words. AWS hands back the cached report for up to four hours, so "generated 3 hours
 * ago" is the only hint that an IAM change made since is not in it yet (field research C.2).
 */
export const AWS_REPORT_REUSE_MS = 4 * 60 * 60 * 1000;

export function describeReportAge(ageMs: number): string {
  // A few minutes of clock skew between this machine and AWS is normal, more is worth a word.
  if (ageMs < -5 * 60_000) return 'in the future: check the clock';
  const minutes = Math.floor(ageMs / 60000);
  if (minutes < 1) return 'just now';
  if (minutes < 60) return `${minutes} minute${minutes === 1 ? '' : 's'} ago`;
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  if (hours < 48) {
    const hourText = `${hours} hour${hours === 1 ? '' : 's'}`;
    return rest === 0 ? `${hourText} ago` : `${hourText} ${rest} minute${rest === 1 ? '' : 's'} ago`;
  }
  const days = Math.floor(hours / 24);
  return `${days} days ago`;
}
