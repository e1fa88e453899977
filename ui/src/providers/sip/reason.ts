/** One value of a `Reason:` header (RFC 3326): `Q.850;cause=34;text="No circuit/channel available"`. */
export interface ReasonValue {
  /** `Q.850`, `SIP`, or whatever the sender put (kept as written). */
  protocol: string;
  cause: number | null;
  text: string | null;
}

/** Split at `separator` where it is not inside a quoted string. */
function splitOutsideQuotes(value: string, separator: string): string[] {
  const parts: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < value.length; i++) {
    const ch = value[i]!;
    if (quoted && ch === '\\' && i + 1 < value.length) {
      current += ch + value[i + 1]!;
      i++;
      continue;
    }
    if (ch === '"') quoted = !quoted;
    if (ch === separator && !quoted) {
      parts.push(current);
      current = '';
    } else {
      current += ch;
    }
  }
  parts.push(current);
  return parts;
}

function unquote(value: string): string {
  const trimmed = value.trim();
  if (trimmed.length >= 2 && trimmed.startsWith('"') && trimmed.endsWith('"')) {
    return trimmed.slice(1, -1).replace(/\\(.)/g, '$1');
  }
  return trimmed;
}

/**
 * Every value of the `Reason` headers given (one string per header line; a line may carry
 * several values separated by commas). Values that do not parse are skipped.
 */
export function parseReasons(headers: readonly string[]): ReasonValue[] {
  const values: ReasonValue[] = [];
  for (const line of headers) {
    for (const raw of splitOutsideQuotes(line, ',')) {
      const [protocolPart, ...params] = splitOutsideQuotes(raw, ';');
      const protocol = (protocolPart ?? '').trim();
      if (!protocol) continue;
      let cause: number | null = null;
      let text: string | null = null;
      for (const param of params) {
        const eq = param.indexOf('=');
        if (eq < 0) continue;
        const name = param.slice(0, eq).trim().toLowerCase();
        const value = unquote(param.slice(eq + 1));
        if (name === 'cause' && /^\d+$/.test(value)) cause = Number(value);
        else if (name === 'text') text = value;
      }
      values.push({ protocol, cause, text });
    }
  }
  return values;
}

/** The codes a failure record takes from Reason values: the first Q.850 and the first SIP one. */
export function reasonCodes(values: readonly ReasonValue[]): { q850: ReasonValue | null; sip: ReasonValue | null } {
  const q850 = values.find((v) => v.protocol.toUpperCase() === 'Q.850' && v.cause !== null) ?? null;
  const sip = values.find((v) => v.protocol.toUpperCase() === 'SIP' && v.cause !== null) ?? null;
  return { q850, sip };
}
