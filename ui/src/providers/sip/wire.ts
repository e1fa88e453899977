import type { SignalDirection, SignalMessage } from '../../journal/signal';
import { redactSipText } from '../../journal/redact';

/** The compact header names of RFC 3261 §7.3.3 (and extensions) with their full names. */
const COMPACT: Record<string, string> = {
  i: 'call-id',
  m: 'contact',
  e: 'content-encoding',
  l: 'content-length',
  c: 'content-type',
  f: 'from',
  s: 'subject',
  k: 'supported',
  t: 'to',
  v: 'via',
  o: 'event',
  r: 'refer-to',
  b: 'referred-by',
  u: 'allow-events',
  x: 'session-expires',
};

/** One SIP message as read off the wire: its first line, the headers this app looks at, and the body. */
export interface SipText {
  kind: 'request' | 'response';
  /** The first line, e.g. "INVITE sip:486@lab.test SIP/2.0" or "SIP/2.0 486 Busy Here". */
  firstLine: string;
  /** Requests only. */
  method: string | null;
  /** Responses only. */
  status: number | null;
  reason: string | null;
  callId: string | null;
  cseq: { seq: number; method: string } | null;
  /** The To header's tag (none on an initial request). */
  toTag: string | null;
  body: string;
  /** Every value of a header (by full or compact name, any case), one per header line. */
  headers(name: string): string[];
  header(name: string): string | null;
}

function canonical(name: string): string {
  const lower = name.trim().toLowerCase();
  return COMPACT[lower] ?? lower;
}

/** Read a SIP message's text; null when it is not SIP (e.g. a keep-alive). */
export function parseSip(text: string): SipText | null {
  const boundary = text.search(/\r?\n\r?\n/);
  const head = boundary < 0 ? text : text.slice(0, boundary);
  const body = boundary < 0 ? '' : text.slice(boundary).replace(/^\r?\n\r?\n/, '');
  const lines = head.split(/\r?\n/);
  const firstLine = (lines.shift() ?? '').trim();

  let kind: SipText['kind'];
  let method: string | null = null;
  let status: number | null = null;
  let reason: string | null = null;
  const response = /^SIP\/2\.0\s+(\d{3})\s*(.*)$/i.exec(firstLine);
  const request = /^([A-Za-z]+)\s+\S+\s+SIP\/2\.0$/i.exec(firstLine);
  if (response) {
    kind = 'response';
    status = Number(response[1]);
    reason = response[2] ?? '';
  } else if (request) {
    kind = 'request';
    method = (request[1] ?? '').toUpperCase();
  } else {
    return null;
  }

  // Unfold continuation lines, then index by canonical name.
  const unfolded: string[] = [];
  for (const line of lines) {
    if (/^[ \t]/.test(line) && unfolded.length > 0) unfolded[unfolded.length - 1] += ` ${line.trim()}`;
    else if (line.length > 0) unfolded.push(line);
  }
  const byName = new Map<string, string[]>();
  for (const line of unfolded) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = canonical(line.slice(0, colon));
    const values = byName.get(name) ?? [];
    values.push(line.slice(colon + 1).trim());
    byName.set(name, values);
  }
  const headers = (name: string) => [...(byName.get(canonical(name)) ?? [])];
  const header = (name: string) => byName.get(canonical(name))?.[0] ?? null;

  const cseqMatch = /^(\d+)\s+([A-Za-z]+)/.exec(header('cseq') ?? '');
  const toTag = /;\s*tag=([^;>\s,]+)/i.exec(header('to') ?? '')?.[1] ?? null;
  return {
    kind,
    firstLine,
    method,
    status,
    reason,
    callId: header('call-id'),
    cseq: cseqMatch ? { seq: Number(cseqMatch[1]), method: (cseqMatch[2] ?? '').toUpperCase() } : null,
    toTag,
    body,
    headers,
    header,
  };
}

/** A SIP message captured on the wire, as the journal keeps it (already redacted). */
export function sipSignal(direction: SignalDirection, text: string, parsed: SipText | null = parseSip(text)): SignalMessage {
  return {
    direction,
    protocol: 'sip',
    summary: parsed?.firstLine ?? text.split(/\r?\n/, 1)[0] ?? '',
    body: redactSipText(text),
  };
}

/** Whether the text is a WebSocket keep-alive (CRLF ping or pong), not a SIP message. */
export function isKeepAlive(text: string): boolean {
  return /^(\r\n)+$/.test(text);
}
