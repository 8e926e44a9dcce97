/** Small readings of canonical messages shared by the native-protocol request mappings. */
import type { ChatMessage, ContentPart } from '../../types.js';

/** The text of a message's content: a string as is, text parts joined (images skipped), null as ''. */
export function textOf(content: ChatMessage['content']): string {
  if (content === null) return '';
  if (typeof content === 'string') return content;
  let out = '';
  for (const part of content) if (part.type === 'text') out += part.text;
  return out;
}

/** A message's content as parts (a string becomes one text part; empty text is dropped). */
export function partsOf(content: ChatMessage['content']): ContentPart[] {
  if (content === null) return [];
  if (typeof content === 'string') return content === '' ? [] : [{ type: 'text', text: content }];
  return content.filter((p) => p.type !== 'text' || p.text !== '');
}

/**
 * `base` joined with an API path under a version segment, not doubling the segment when the operator
 * already put one in base_url (`https://api.anthropic.com/v1` and `https://api.anthropic.com` both reach
 * `/v1/messages`). `accepted` lists the versions that count as already there.
 */
export function apiUrl(
  base: string,
  version: string,
  path: string,
  accepted: readonly string[] = [version],
): string {
  const trimmed = base.replace(/\/+$/, '');
  const last = trimmed.slice(trimmed.lastIndexOf('/') + 1);
  return accepted.includes(last) ? `${trimmed}/${path}` : `${trimmed}/${version}/${path}`;
}
