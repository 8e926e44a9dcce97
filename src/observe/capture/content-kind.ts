/**
 * What a captured body is, from its Content-Type and Content-Encoding: JSON and forms are redacted field by
 * field, other text is kept when it holds no credential, and everything else — images, archives,
 * multipart uploads, and any compressed body — is recorded as its type and size only.
 */

export type ContentKind = 'json' | 'form' | 'text' | 'binary';

export function contentKind(
  contentType: string | undefined,
  contentEncoding: string | undefined,
): ContentKind {
  if (contentEncoding !== undefined && contentEncoding !== '' && contentEncoding.toLowerCase() !== 'identity')
    return 'binary';
  if (contentType === undefined) return 'binary';
  const semi = contentType.indexOf(';');
  const type = (semi === -1 ? contentType : contentType.slice(0, semi)).trim().toLowerCase();
  if (type === 'application/json' || type.endsWith('+json')) return 'json';
  if (type === 'application/x-www-form-urlencoded') return 'form';
  if (type.startsWith('text/')) return 'text';
  if (
    type === 'application/xml' ||
    type.endsWith('+xml') ||
    type === 'application/x-ndjson' ||
    type === 'application/javascript' ||
    type === 'application/graphql'
  )
    return 'text';
  return 'binary';
}
