/**
 * Scrubs text that came from outside (AWS error messages, network errors) before it reaches a message. A server or a
 * proxy may echo the request back; the secret key, the session token and the SigV4 signature must not travel with it.
 */
const SIGNING_PATTERNS: RegExp[] = [
  /(Signature=)[0-9a-fA-F]+/g,
  /(Credential=)[^,\s]+/g,
  /(X-Amz-Security-Token[=:]\s*)[^&\s,]+/gi,
  /(X-Amz-Signature[=:]\s*)[^&\s,]+/gi,
  /(aws_secret_access_key\s*[=:]\s*)\S+/gi,
  /(aws_session_token\s*[=:]\s*)\S+/gi,
];

export function redactSecrets(text: string, secrets: readonly string[] = []): string {
  let result = text;
  for (const secret of secrets) {
    // Short values would redact ordinary words; real secrets and tokens are long.
    if (secret && secret.length >= 8) result = result.split(secret).join('[redacted]');
  }
  for (const pattern of SIGNING_PATTERNS) result = result.replace(pattern, '$1[redacted]');
  // Server messages are for humans, and a flood of echoed request text helps no one.
  return result.length > 300 ? `${result.slice(0, 300)}...` : result;
}
