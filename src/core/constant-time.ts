/**
 * Comparison of secret strings in time that depends on their length only, never on where they differ.
 *
 * `crypto.timingSafeEqual` needs two Buffers, and turning a presented key into one costs more than the
 * comparison on the request path; this loop reads every character of both and decides once at the end.
 * Length is not secret here (key formats are public), so unequal lengths answer at once.
 */
export function sameSecret(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}
