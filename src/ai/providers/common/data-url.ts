/**
 * `data:` URLs (RFC 2397), the way OpenAI-format clients inline images: `data:image/png;base64,iVBOR…`.
 * Native protocols want the media type and the base64 payload apart.
 */
export interface InlineData {
  mediaType: string;
  /** Base64 payload, as sent. */
  data: string;
}

/** The parts of a base64 `data:` URL, or undefined for anything else (http URLs, percent-encoded data). */
export function parseDataUrl(url: string): InlineData | undefined {
  if (!url.startsWith('data:')) return undefined;
  const comma = url.indexOf(',');
  if (comma === -1) return undefined;
  const meta = url.slice(5, comma).split(';');
  if (!meta.includes('base64')) return undefined;
  const mediaType = meta[0] === '' ? 'application/octet-stream' : (meta[0] ?? '').toLowerCase();
  return { mediaType, data: url.slice(comma + 1) };
}

/** Image media type guessed from a URL's extension, for protocols that want one with a link (Gemini). */
export function mediaTypeFromUrl(url: string): string | undefined {
  const path = url.split(/[?#]/, 1)[0]?.toLowerCase() ?? '';
  if (path.endsWith('.png')) return 'image/png';
  if (path.endsWith('.jpg') || path.endsWith('.jpeg')) return 'image/jpeg';
  if (path.endsWith('.webp')) return 'image/webp';
  if (path.endsWith('.gif')) return 'image/gif';
  if (path.endsWith('.heic')) return 'image/heic';
  if (path.endsWith('.heif')) return 'image/heif';
  if (path.endsWith('.pdf')) return 'application/pdf';
  return undefined;
}
