/**
 * Redacts `application/x-www-form-urlencoded` bodies field by field: a field whose name is sensitive, or
 * whose decoded value holds a presented credential, keeps its name and gets `[redacted]` as its value.
 * Everything else stays byte for byte as it came (still URL-encoded), so the record shows what was sent.
 * A field the byte limit cut in half is judged by what is left: a cut password is still a password.
 */
import { REDACTED, type PresentedCredentials } from './presented-credentials.js';

export function redactForm(
  text: string,
  sensitive: (name: string) => boolean,
  credentials: PresentedCredentials,
): string {
  return text
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      if (eq === -1) return pair;
      const name = pair.slice(0, eq);
      const value = pair.slice(eq + 1);
      if (sensitive(decode(name)) || credentials.contains(decode(value)) || credentials.contains(value))
        return `${name}=${REDACTED}`;
      return pair;
    })
    .join('&');
}

function decode(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    return s;
  }
}
