/**
 * The forms in which an echoed secret came back and got through (issue #15, class 7): URL-encoded, base64, split in
 * two, in a URL's userinfo. Each form is produced here the way a server or proxy would produce it, then redacted.
 */
import * as assert from 'node:assert/strict';
import { redactSecrets, SecretRedactor } from '../../../src/core/fetch/secretRedaction';

// Shaped like the real thing: a session token is long base64 with '/', '+' and '=', a secret key 40 characters.
const TOKEN =
  'IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQDx+3vJk9Qm2eTq7Lp1aZ8c/0Rb5YnWf4sGhK2uVt6oXAIgR3sLq8yN/' +
  'Zk1pD7bWv4Qe9mHc2Jt5uF0xAa6Ko+Yq3cq7AIIQxABGgw2MzcxNDQ1ODI3NDIiDP1mXcRsT7gH4oA2Lw==';
const SECRET_KEY = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYzEXAMPLEKEY';

function assertNoPieceOf(secret: string, text: string, context: string): void {
  for (let start = 0; start + 12 <= secret.length; start += 4) {
    const piece = secret.slice(start, start + 12);
    assert.ok(!text.includes(piece), `${context}: '${piece}' of the secret is still in: ${text}`);
  }
}

describe('secret redaction', () => {
  const redactor = new SecretRedactor([SECRET_KEY, TOKEN]);

  it('redacts the session token URL-encoded (upper- and lower-case hex, and twice)', () => {
    const encoded = encodeURIComponent(TOKEN);
    assert.notEqual(encoded, TOKEN, 'the token must change when encoded for this test to mean anything');
    for (const form of [encoded, encoded.replace(/%[0-9A-F]{2}/g, (e) => e.toLowerCase()), encodeURIComponent(encoded)]) {
      const text = `InvalidClientTokenId: The security token included in the request is invalid: Action=GetCredentialReport&SessionToken=${form}&Version=2010-05-08`;
      const redacted = redactor.redact(text);
      assert.ok(!redacted.includes(form.slice(20, 60)), redacted);
      assertNoPieceOf(form, redacted, 'encoded');
      assert.match(redacted, /SessionToken=\[redacted\]/);
    }
  });

  it('redacts the secret and the token in base64 and base64url, whole or from any offset', () => {
    for (const secret of [SECRET_KEY, TOKEN]) {
      for (const offset of [0, 1, 2, 5]) {
        const base64 = Buffer.from(secret.slice(offset)).toString('base64');
        for (const form of [base64, base64.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')]) {
          const redacted = redactor.redact(`proxy said: Authorization: Basic ${form} rejected`);
          assertNoPieceOf(form, redacted, `base64 from offset ${offset}`);
          assert.match(redacted, /^proxy said: Authorization: Basic \[redacted\]/);
        }
      }
    }
  });

  it('redacts a token split in two: wrapped across lines, or half in each of two messages', () => {
    const half = Math.floor(TOKEN.length / 2);
    const wrapped = redactor.redact(`token was\n${TOKEN.slice(0, half)}\n${TOKEN.slice(half)}\nend`);
    assertNoPieceOf(TOKEN, wrapped, 'wrapped');
    assert.equal(wrapped, 'token was\n[redacted]\n[redacted]\nend');
    // Two chunks, redacted one at a time (two progress lines, a message cut by the server's own truncation).
    const first = redactor.redact(`echo: ${TOKEN.slice(0, half)}`);
    const second = redactor.redact(`${TOKEN.slice(half)} (truncated)`);
    assertNoPieceOf(TOKEN, first + second, 'two chunks');
    assert.equal(`${first}|${second}`, 'echo: [redacted]|[redacted] (truncated)');
    // A 40-character secret key cut in three still loses every piece.
    const third = redactor.redact(`${SECRET_KEY.slice(0, 13)} ${SECRET_KEY.slice(13, 26)} ${SECRET_KEY.slice(26)}`);
    assertNoPieceOf(SECRET_KEY, third, 'three pieces');
  });

  it('redacts JSON-escaped secrets and a token echoed as a JSON header', () => {
    const json = JSON.stringify({ 'x-amz-security-token': 'UNKNOWNTOKENVALUE123', key: SECRET_KEY.replace(/\//g, '\\/') });
    const redacted = redactSecrets(json, [SECRET_KEY]);
    assert.ok(!redacted.includes('UNKNOWNTOKENVALUE123'), redacted);
    assertNoPieceOf(SECRET_KEY.replace(/\//g, '\\/'), redacted, 'json');
  });

  it('redacts the password (and user) of a URL, also when the password holds a raw slash', () => {
    const cases: Array<[string, string]> = [
      ['cannot reach https://alice:s3cr3t-pa55@iam.internal:8443/ for GetCredentialReport', 'cannot reach https://[redacted]@iam.internal:8443/ for GetCredentialReport'],
      ['proxy http://ghp_TOKENVALUE0123456789@proxy.corp refused', 'proxy http://[redacted]@proxy.corp refused'],
      ['endpoint http://u:pa/ss@host:1/x failed', 'endpoint http://[redacted]@host:1/x failed'],
      ["got 'https://user:p%40ss@h.example/'", "got 'https://[redacted]@h.example/'"],
    ];
    for (const [text, expected] of cases) assert.equal(redactSecrets(text), expected);
  });

  it('leaves ordinary text alone, and short values that would redact words', () => {
    const text = 'profile prod: the report is still being generated (ReportInProgress); checking again in 2 s at https://iam.amazonaws.com/';
    assert.equal(redactor.redact(text), text);
    assert.equal(redactSecrets('the word secret stays', ['secret']), 'the word secret stays');
  });

  it('still removes SigV4 material and shortens floods after redacting', () => {
    const text = `Credential=AKIDEXAMPLE/20261121/us-east-1/iam/aws4_request, Signature=0123abcdef X-Amz-Security-Token%3DABCDEF0123 ${'x'.repeat(400)}${TOKEN}`;
    const redacted = redactor.redact(text);
    for (const fragment of ['AKIDEXAMPLE', '0123abcdef', 'ABCDEF0123']) assert.ok(!redacted.includes(fragment), `${fragment} in ${redacted}`);
    assert.ok(redacted.length <= 303);
  });
});
