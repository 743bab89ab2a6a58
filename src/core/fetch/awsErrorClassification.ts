/**
 * Sorts what the SDK throws into the few situations a fetch reacts to differently. AWS names the same situation in
 * several ways (modeled exception names, raw Query API codes, Node socket codes), so the mapping lives in one place.
 */
export type AwsErrorKind =
  | 'report-in-progress'
  | 'report-not-present'
  | 'report-expired'
  | 'limit-exceeded'
  | 'throttled'
  | 'access-denied'
  | 'credentials'
  | 'network-transient'
  | 'network'
  | 'request-timeout'
  | 'aborted'
  | 'service-failure'
  | 'other';

export interface ClassifiedAwsError {
  kind: AwsErrorKind;
  /** The most specific code known: the AWS error code, the Node socket code, or the error name. */
  code: string;
  /** The original message (not yet redacted). */
  message: string;
}

const BY_CODE: Record<string, AwsErrorKind> = {
  ReportInProgress: 'report-in-progress',
  CredentialReportNotReadyException: 'report-in-progress',
  ReportNotPresent: 'report-not-present',
  CredentialReportNotPresentException: 'report-not-present',
  ReportExpired: 'report-expired',
  CredentialReportExpiredException: 'report-expired',
  LimitExceeded: 'limit-exceeded',
  LimitExceededException: 'limit-exceeded',
  Throttling: 'throttled',
  ThrottlingException: 'throttled',
  RequestLimitExceeded: 'throttled',
  TooManyRequestsException: 'throttled',
  RequestThrottled: 'throttled',
  SlowDown: 'throttled',
  AccessDenied: 'access-denied',
  AccessDeniedException: 'access-denied',
  UnauthorizedOperation: 'access-denied',
  CredentialsProviderError: 'credentials',
  TokenProviderError: 'credentials',
  ExpiredToken: 'credentials',
  ExpiredTokenException: 'credentials',
  InvalidClientTokenId: 'credentials',
  UnrecognizedClientException: 'credentials',
  SignatureDoesNotMatch: 'credentials',
  MissingAuthenticationToken: 'credentials',
  IncompleteSignature: 'credentials',
  ServiceFailure: 'service-failure',
  ServiceFailureException: 'service-failure',
  InternalFailure: 'service-failure',
  ServiceUnavailable: 'service-failure',
  TimeoutError: 'request-timeout',
  RequestTimeout: 'request-timeout',
  AbortError: 'aborted',
};

/** A connection that broke mid-way may work on the next try; one that was never possible will not. */
const TRANSIENT_SOCKET_CODES = new Set(['ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ECONNABORTED', 'EAI_AGAIN', 'UND_ERR_SOCKET']);
const FATAL_SOCKET_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL', 'CERT_HAS_EXPIRED', 'DEPTH_ZERO_SELF_SIGNED_CERT']);

export function classifyAwsError(error: unknown): ClassifiedAwsError {
  const record = (error ?? {}) as { name?: unknown; code?: unknown; Code?: unknown; message?: unknown; $metadata?: { httpStatusCode?: number } };
  const message = typeof record.message === 'string' ? record.message : String(error);
  const socketCode = typeof record.code === 'string' ? record.code : undefined;
  if (socketCode && TRANSIENT_SOCKET_CODES.has(socketCode)) return { kind: 'network-transient', code: socketCode, message };
  if (socketCode && FATAL_SOCKET_CODES.has(socketCode)) return { kind: 'network', code: socketCode, message };
  // Node reports a server that closed the socket before answering as "socket hang up" with ECONNRESET, but not always the code.
  if (/socket hang up/i.test(message)) return { kind: 'network-transient', code: socketCode ?? 'ECONNRESET', message };

  const awsCode = typeof record.Code === 'string' ? record.Code : undefined;
  const name = typeof record.name === 'string' ? record.name : undefined;
  for (const candidate of [awsCode, name, socketCode]) {
    if (candidate && BY_CODE[candidate]) return { kind: BY_CODE[candidate], code: candidate, message };
  }
  const status = record.$metadata?.httpStatusCode;
  if (status === 429) return { kind: 'throttled', code: awsCode ?? name ?? 'HTTP 429', message };
  if (status === 403) return { kind: 'access-denied', code: awsCode ?? name ?? 'HTTP 403', message };
  if (status !== undefined && status >= 500) return { kind: 'service-failure', code: awsCode ?? name ?? `HTTP ${status}`, message };
  return { kind: 'other', code: awsCode ?? name ?? socketCode ?? 'Error', message };
}
