/**
 * Scrubs text that came from outside (AWS error messages, network errors) before it reaches a message. A server or a
 * proxy may echo the request back; the secret key, the session token, the SigV4 signature and a password in a URL must
 * not travel with it, in any of the forms an echo gives them: as they are, URL-encoded (once or twice, upper- or
 * lower-case hex), base64 or base64url, JSON-escaped, or cut into pieces (a line wrapped in two, a message truncated
 * half-way through a token, two chunks printed one after the other).
 */
const SIGNING_PATTERNS: RegExp[] = [
  /(Signature(?:=|%3D))[0-9a-fA-F]+/gi,
  /(Credential(?:=|%3D))[^,\s&]+/gi,
  /(X-Amz-Security-Token["']?\s*(?:[=:]|%3D)\s*["']?)[^&\s,"']+/gi,
  /(X-Amz-Signature["']?\s*(?:[=:]|%3D)\s*["']?)[^&\s,"']+/gi,
  /(aws_secret_access_key\s*[=:]\s*)\S+/gi,
  /(aws_session_token\s*[=:]\s*)\S+/gi,
  // The userinfo of a URL (`https://user:password@host`, `https://token@host`). A password may hold a raw '/', so once
  // a ':' follows the scheme, everything up to the '@' before the next space is taken as userinfo.
  /(\b[a-z][a-z0-9+.-]*:\/\/)(?:[^\s/:@]+|[^\s/@]*:[^\s@]*)(?=@)/gi,
];

/** Shorter values would redact ordinary words; real secrets and tokens are long (an access key secret is 40 characters). */
const MIN_SECRET_LENGTH = 8;
/**
 * A piece of a secret this long found anywhere is redacted: a random 12-character run of a key or token does not occur
 * in ordinary text, and a 40-character secret key cut in three still leaves pieces this long.
 */
const FRAGMENT_LENGTH = 12;
const MAX_MESSAGE_LENGTH = 300;

/** Redacts messages for one fixed set of secrets; the encoded forms and their pieces are computed once. */
export class SecretRedactor {
  private readonly fragments = new Set<string>();
  /** Secrets shorter than a fragment: only redacted whole. */
  private readonly shortForms: string[] = [];

  constructor(secrets: readonly string[] = []) {
    for (const secret of secrets) {
      if (!secret || secret.length < MIN_SECRET_LENGTH) continue;
      for (const form of encodedForms(secret)) {
        if (form.length < FRAGMENT_LENGTH) this.shortForms.push(form);
        else for (let start = 0; start + FRAGMENT_LENGTH <= form.length; start++) this.fragments.add(form.slice(start, start + FRAGMENT_LENGTH));
      }
    }
    // The longest first, so a form is not left half-redacted by a shorter one inside it.
    this.shortForms.sort((a, b) => b.length - a.length);
  }

  redact(text: string): string {
    let result = this.redactFragments(text);
    for (const form of this.shortForms) result = result.split(form).join('[redacted]');
    for (const pattern of SIGNING_PATTERNS) result = result.replace(pattern, '$1[redacted]');
    // Server messages are for humans, and a flood of echoed request text helps no one. Cut after redacting: cutting
    // first could leave the start of a secret too short to be recognised.
    return result.length > MAX_MESSAGE_LENGTH ? `${result.slice(0, MAX_MESSAGE_LENGTH)}...` : result;
  }

  /** Every run of the text made of a secret's fragments (in any of its forms) becomes one `[redacted]`. */
  private redactFragments(text: string): string {
    if (this.fragments.size === 0 || text.length < FRAGMENT_LENGTH) return text;
    let result = '';
    let copiedUpTo = 0;
    let coveredUpTo = -1;
    let runStart = -1;
    for (let start = 0; start + FRAGMENT_LENGTH <= text.length; start++) {
      if (!this.fragments.has(text.slice(start, start + FRAGMENT_LENGTH))) continue;
      if (start > coveredUpTo) {
        if (runStart >= 0) {
          result += `${text.slice(copiedUpTo, runStart)}[redacted]`;
          copiedUpTo = coveredUpTo;
        }
        runStart = start;
      }
      coveredUpTo = start + FRAGMENT_LENGTH;
    }
    if (runStart < 0) return text;
    result += `${text.slice(copiedUpTo, runStart)}[redacted]`;
    return result + text.slice(coveredUpTo);
  }
}

export function redactSecrets(text: string, secrets: readonly string[] = []): string {
  return new SecretRedactor(secrets).redact(text);
}

/** The forms a secret takes when something echoes it: what the text may hold instead of the secret itself. */
function encodedForms(secret: string): Set<string> {
  const percent = encodeURIComponent(secret);
  const lowerHex = (text: string) => text.replace(/%[0-9A-F]{2}/g, (escape) => escape.toLowerCase());
  const forms = new Set([secret, percent, lowerHex(percent), encodeURIComponent(percent), secret.replace(/\//g, '\\/')]);
  // base64 maps 3 bytes to 4 characters: a piece of the secret starting at any offset is, inside, a piece of the base64
  // of the secret cut at one of three offsets.
  for (let offset = 0; offset < 3 && offset < secret.length; offset++) {
    const base64 = Buffer.from(secret.slice(offset), 'utf8').toString('base64');
    forms.add(base64);
    forms.add(base64.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, ''));
  }
  return forms;
}
