/** What a secret is replaced with wherever the UI records or shows a message. */
export const REDACTED = '[redacted]';

const SECRET_HEADER = /^(authorization|proxy-authorization)([ \t]*:)/i;

/**
 * A SIP message (or any header block in that style) with the values of its `Authorization` and
 * `Proxy-Authorization` headers replaced by `[redacted]` (folded continuation lines of such a
 * header are dropped). Only the header section is touched, unless `everywhere` is set: then
 * any line in the text that looks like such a header is redacted too (display-time defence,
 * e.g. a `message/sipfrag` body). Line endings are kept as they were.
 */
export function redactSipText(text: string, everywhere = false): string {
  const parts = text.split(/(\r\n|\n)/);
  const out: string[] = [];
  let inHeaders = true;
  let redacting = false;
  for (let i = 0; i < parts.length; i += 2) {
    const line = parts[i] ?? '';
    const separator = parts[i + 1] ?? '';
    if (!inHeaders && !everywhere) {
      out.push(line, separator);
      continue;
    }
    if (line === '') {
      inHeaders = false;
      redacting = false;
      out.push(line, separator);
      continue;
    }
    if (redacting && /^[ \t]/.test(line)) continue; // the folded rest of a redacted header
    const match = SECRET_HEADER.exec(line);
    if (match) {
      out.push(`${match[1]}${match[2]} ${REDACTED}`, separator);
      redacting = true;
    } else {
      out.push(line, separator);
      redacting = false;
    }
  }
  return out.join('');
}

const SECRET_KEY = /authorization|password|passwd|secret|token|credential|^ha1$/i;

/** A JSON value with every value under a secret-looking key replaced (display-time defence). */
export function redactJson(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redactJson);
  if (typeof value === 'string') return redactSipText(value, true);
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value as Record<string, unknown>)) {
    out[key] = SECRET_KEY.test(key) && inner !== null ? REDACTED : redactJson(inner);
  }
  return out;
}

/** A journaled message body as text to show: SIP text as it was, JSON pretty-printed; secrets redacted either way. */
export function displayBody(body: unknown): string {
  if (body === null || body === undefined) return '';
  if (typeof body === 'string') return redactSipText(body, true);
  return JSON.stringify(redactJson(body), null, 2);
}
