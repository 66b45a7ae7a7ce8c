/**
 * What HTTP task reasons and log lines may show of a request: never the password of a URL's
 * userinfo, nor the value of a query parameter or header that usually carries a credential.
 */
const sensitiveHeaders = new Set([
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  'x-api-key',
  'api-key',
  'x-auth-token',
  'x-authorization',
  'x-access-token',
  'x-csrf-token',
]);

const sensitiveParam = /(token|secret|password|passwd|pwd|api[-_]?key|apikey|signature|sig|auth|credential|session)/i;

export const REDACTED = '***';

export function isSensitiveHeader(name: string): boolean {
  return sensitiveHeaders.has(name.toLowerCase());
}

/** The URL as it may be shown: userinfo and credential-like query values replaced. */
export function redactUrl(url: URL | string): string {
  let u: URL;
  try {
    u = new URL(String(url));
  } catch {
    // Not a URL: hide anything between "//" and "@" that looks like userinfo.
    return String(url).replace(/\/\/[^/@\s]*@/, `//${REDACTED}@`);
  }
  if (u.username) u.username = REDACTED;
  if (u.password) u.password = REDACTED;
  for (const key of [...u.searchParams.keys()]) if (sensitiveParam.test(key)) u.searchParams.set(key, REDACTED);
  return u.href;
}

export function redactHeaders(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, isSensitiveHeader(k) ? REDACTED : v]));
}

/** A message (a Node or peer error text) with any URL in it redacted. */
export function redactText(text: string): string {
  return text.replace(/\bhttps?:\/\/[^\s'"<>]+/gi, (m) => redactUrl(m));
}
