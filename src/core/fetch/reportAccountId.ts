/**
 * The account a report belongs to, read from the ARNs inside it. The report carries no account field, and asking STS
 * would need another permission and another client for something every row already says.
 */
const IAM_ARN = /arn:aws[a-z-]*:iam::(\d{12}):/;

export function reportAccountId(csv: string): string | null {
  return IAM_ARN.exec(csv)?.[1] ?? null;
}
