/**
 * The one error type a fetch ends with. `code` is stable so front ends can react (offer `aws sso login`, show the
 * missing permission) without parsing messages. Messages never hold report contents, secrets or request signatures.
 */
export type FetchErrorCode =
  | 'credentials'
  /** The shared config names something that is not there (a services section): nothing was sent. */
  | 'configuration'
  | 'access-denied'
  | 'network'
  | 'timeout'
  | 'aborted'
  | 'report-unavailable'
  | 'service-failure'
  | 'bad-response';

export class FetchError extends Error {
  override readonly name = 'FetchError';

  constructor(
    readonly code: FetchErrorCode,
    message: string,
    readonly details: {
      profile?: string | null;
      /** The code AWS (or the network layer) answered with, e.g. `AccessDenied`, `ECONNRESET`. */
      awsCode?: string;
      /** The IAM action that was denied, e.g. `iam:GenerateCredentialReport`. */
      permission?: string;
    } = {},
  ) {
    super(message);
  }
}
