import type { JournalEvent } from '../api/generated';
import { parseSip, type SipText } from '../providers/sip/wire';
import { displayBody } from '../journal/redact';
import { type SignalMessage, signalOf } from '../journal/signal';

/** Who the other end of an arrow is: the signalling server we talk to, or the far end behind it. */
export type LadderPeer = 'proxy' | 'far_end';

/** One arrow of a ladder diagram. */
export interface LadderArrow {
  /** The journal event (`seq` within the call). */
  seq: number;
  /** Milliseconds since dialling (or since the call's first event, for an incoming call). */
  offsetMs: number;
  direction: SignalMessage['direction'];
  peer: LadderPeer;
  protocol: string;
  summary: string;
  /** The whole message as text, secrets redacted (again: redaction at capture is not trusted alone). */
  text: string;
}

/** The ladder's columns, left to right. */
export const LADDER_COLUMNS = ['This app', 'Proxy', 'Far end'] as const;

/**
 * Which column a SIP message belongs to, from this app's side of the WebSocket. Hop-by-hop
 * messages are the proxy's: REGISTER and its answers, 100 Trying, digest challenges (401/407),
 * the answer to a CANCEL, and any response carrying the same `Server` header as one of those;
 * an ACK goes where the final response it acknowledges came from. Everything else (the dialog's
 * 18x, 2xx, BYE, re-INVITE, INFO) is the far end's, through the proxy.
 */
class SipPeers {
  readonly #proxyServers = new Set<string>();
  /** INVITE CSeq number → the peer of its final non-2xx response (for the ACK). */
  readonly #finalFrom = new Map<number, LadderPeer>();

  classify(message: SipText): LadderPeer {
    const method = message.cseq?.method ?? message.method ?? '';
    const server = message.header('server') ?? message.header('user-agent');
    let peer: LadderPeer = 'far_end';
    if (method === 'REGISTER' || (message.kind === 'request' && method === 'OPTIONS' && message.toTag === null)) peer = 'proxy';
    else if (message.kind === 'response') {
      const status = message.status ?? 0;
      if (status === 100 || status === 401 || status === 407 || method === 'CANCEL') {
        peer = 'proxy';
        if (server) this.#proxyServers.add(server);
      } else if (server !== null && this.#proxyServers.has(server)) {
        peer = 'proxy';
      }
      if (method === 'INVITE' && status >= 300 && message.cseq) this.#finalFrom.set(message.cseq.seq, peer);
    } else if (method === 'ACK' && message.cseq) {
      peer = this.#finalFrom.get(message.cseq.seq) ?? 'far_end';
    }
    if (message.kind === 'response' && method === 'REGISTER' && server) this.#proxyServers.add(server);
    return peer;
  }
}

function bodyText(signal: SignalMessage): string {
  return typeof signal.body === 'string' ? signal.body : '';
}

/**
 * The arrows of a call's ladder, in journal order, from its events (any protocol: SIP, Echo,
 * Verto, PStream). Offsets count from the first `dialing` state (or the call's first event: an
 * incoming call has no dialing); the journal stamps each message when it crossed the wire.
 */
export function ladderArrows(events: readonly JournalEvent[]): LadderArrow[] {
  const ordered = [...events].sort((a, b) => a.seq - b.seq);
  const dialing = ordered.find((e) => e.kind === 'state' && (e.payload as { state?: unknown } | null)?.state === 'dialing');
  const sip = new SipPeers();
  const arrows: LadderArrow[] = [];
  for (const event of ordered) {
    const signal = signalOf(event);
    if (!signal) continue;
    let peer: LadderPeer = 'far_end';
    if (signal.protocol === 'sip') {
      const parsed = parseSip(bodyText(signal));
      if (parsed) peer = sip.classify(parsed);
    }
    arrows.push({
      seq: event.seq,
      offsetMs: event.t_ms,
      direction: signal.direction,
      peer,
      protocol: signal.protocol,
      summary: displayBody(signal.summary),
      text: displayBody(signal.body),
    });
  }
  // Messages were captured in journal order; the times derived from each write's own delay can
  // jitter by a few ms (one HTTP request each), so a message is never shown before the one ahead.
  for (let i = 1; i < arrows.length; i++) arrows[i]!.offsetMs = Math.max(arrows[i]!.offsetMs, arrows[i - 1]!.offsetMs);
  // The journal stamps each event when its write arrives; a message's own capture time can be
  // earlier than the `dialing` record written just before it, so the origin is whichever came first.
  const origin = Math.min(dialing?.t_ms ?? ordered[0]?.t_ms ?? 0, arrows[0]?.offsetMs ?? Number.POSITIVE_INFINITY);
  return arrows.map((a) => ({ ...a, offsetMs: a.offsetMs - origin }));
}
