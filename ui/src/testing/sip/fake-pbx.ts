import { Utils } from 'jssip';
import type { Socket } from 'jssip';
import { parseSip, type SipText } from '../../providers/sip/wire';
import { fakeSdp, sdpDirection } from '../fake-webrtc';

/** How the far end answers an INVITE to a number (the lab's dial plan, reference/sip-lab.md §10). */
export type Scenario =
  | { kind: 'answer'; ringMs?: number }
  | { kind: 'reject'; status: number; reason: string; headers?: string[]; from?: 'proxy' | 'far_end' }
  | { kind: 'ring' }
  | { kind: 'early' }
  | { kind: 'silent' };

export const LAB_DIAL_PLAN: Record<string, Scenario> = {
  callee: { kind: 'answer' },
  ring: { kind: 'ring' },
  early: { kind: 'early' },
  silent: { kind: 'silent' },
  '486': { kind: 'reject', status: 486, reason: 'Busy Here', from: 'far_end' },
  '404': { kind: 'reject', status: 404, reason: 'Not Found', from: 'proxy' },
  '403': { kind: 'reject', status: 403, reason: 'Forbidden', from: 'proxy' },
  '603': { kind: 'reject', status: 603, reason: 'Decline', from: 'proxy' },
  '503': {
    kind: 'reject',
    status: 503,
    reason: 'Service Unavailable',
    headers: ['Reason: Q.850;cause=34;text="No circuit/channel available"'],
    from: 'proxy',
  },
};

const PROXY = 'lab-kamailio';
const FAR_END = 'baresip v1.0.0';

let counter = 0;
const token = (prefix: string) => `${prefix}${(++counter).toString(36)}${Math.random().toString(36).slice(2, 8)}`;

interface Dialog {
  callId: string;
  /** The INVITE as JsSIP sent it (outgoing) or as we sent it (incoming). */
  invite: SipText;
  inviteText: string;
  /** Our (the PBX/far end's) tag. */
  farTag: string;
  /** JsSIP's tag. */
  uaTag: string;
  /** JsSIP's Contact URI: where in-dialog requests to it go. */
  uaContact: string;
  farCseq: number;
  /** An incoming call: the browser is the callee. */
  toBrowser: boolean;
  answered: boolean;
}

/**
 * A scripted SIP-over-WebSocket server for JsSIP to talk to in tests: a registrar that challenges
 * and checks the digest (made from the HA1 the UA was given), a proxy that says 100 Trying, and
 * far ends that answer, ring, reject with the lab's codes, hang up or call in. JsSIP itself is
 * the real library; only the network is replaced.
 */
export class FakePbx {
  realm = 'lab.test';
  /** user → HA1 the registrar accepts. */
  readonly users = new Map<string, string>();
  /** Challenge REGISTER with 401 first (as Kamailio's `auth` module does). */
  challenge = true;
  /** Challenge new INVITEs with 407 (the lab does, as a carrier would). */
  challengeInvites = false;
  /**
   * Answer re-INVITEs with plain RTP/AVP SDP (no ICE, no DTLS fingerprint), as a proxy that
   * engages its media relay only for the first INVITE does.
   */
  plainReinviteAnswers = false;
  /** Answer every REGISTER with this instead (e.g. [403, 'Forbidden']). */
  registerReply: [number, string] | null = null;
  /** Refuse WebSocket connections (the server is down). */
  refuse = false;
  readonly dialPlan: Record<string, Scenario> = { ...LAB_DIAL_PLAN };
  /** Every message JsSIP sent, as text, in order. */
  readonly fromUa: string[] = [];
  /** Every message sent to JsSIP, as text, in order. */
  readonly toUa: string[] = [];
  readonly dialogs = new Map<string, Dialog>();
  #socket: PbxSocket | null = null;
  #uaContact: string | null = null;

  constructor(users: Record<string, string> = {}) {
    for (const [user, ha1] of Object.entries(users)) this.users.set(user, ha1);
  }

  /** MD5(user:realm:password), as the backend derives the HA1 it hands to the UI. */
  static ha1(user: string, realm: string, password: string): string {
    return Utils.calculateMD5(`${user}:${realm}:${password}`);
  }

  /** The socket JsSIP connects through (the line's `createSocket`). */
  socket(url: string): Socket {
    this.#socket = new PbxSocket(url, this);
    return this.#socket as unknown as Socket;
  }

  get connected(): boolean {
    return this.#socket?.isConnected() ?? false;
  }

  /** Drop the WebSocket from the server side. */
  drop(code = 1006): void {
    this.#socket?.serverClose(code);
  }

  /** The first lines of the messages JsSIP sent, e.g. ["REGISTER sip:lab.test SIP/2.0", ...]. */
  methodsFromUa(): string[] {
    return this.fromUa.map((t) => parseSip(t)?.firstLine ?? t);
  }

  // ---- the far end acts ----

  /** The far end hangs up an answered call with a BYE (optionally with a Reason header). */
  bye(callId: string, reason?: string): void {
    const d = this.#dialog(callId);
    this.#toUa(this.#inDialogRequest(d, 'BYE', reason ? [`Reason: ${reason}`] : []));
  }

  /** The far end holds the call (re-INVITE with a=sendonly). */
  reinvite(callId: string, direction: string): void {
    const d = this.#dialog(callId);
    const sdp = fakeSdp('offer', direction);
    this.#toUa(this.#inDialogRequest(d, 'INVITE', [`Contact: <sip:callee@127.0.0.1:15070>`, 'Content-Type: application/sdp'], sdp));
  }

  /** Someone calls the browser's registered contact; returns the INVITE's Call-ID. */
  callBrowser(from = 'sip:bob@lab.test', displayName = 'Bob'): string {
    if (!this.#uaContact) throw new Error('the UA has not registered a contact');
    const callId = token('in-');
    const farTag = token('t');
    const branch = token('z9hG4bK');
    const sdp = fakeSdp('offer');
    const lines = [
      `INVITE ${this.#uaContact} SIP/2.0`,
      `Via: SIP/2.0/WSS pbx.lab.test;branch=${branch}`,
      'Max-Forwards: 70',
      `From: "${displayName}" <${from}>;tag=${farTag}`,
      `To: <sip:alice@${this.realm}>`,
      `Call-ID: ${callId}`,
      'CSeq: 1 INVITE',
      `Contact: <${from.replace(/@.*/, '')}@127.0.0.1:15070>`,
      `User-Agent: ${FAR_END}`,
      'Content-Type: application/sdp',
    ];
    const text = message(lines, sdp);
    const invite = parseSip(text)!;
    this.dialogs.set(callId, { callId, invite, inviteText: text, farTag, uaTag: '', uaContact: this.#uaContact, farCseq: 1, toBrowser: true, answered: false });
    this.#toUa(text);
    return callId;
  }

  /** The caller gives up before the browser answers (CANCEL). */
  cancelCall(callId: string): void {
    const d = this.#dialog(callId);
    const inv = d.invite;
    const lines = [
      `CANCEL ${inv.firstLine.split(' ')[1]} SIP/2.0`,
      `Via: ${inv.header('via')}`,
      'Max-Forwards: 70',
      `From: ${inv.header('from')}`,
      `To: ${inv.header('to')}`,
      `Call-ID: ${callId}`,
      'CSeq: 1 CANCEL',
    ];
    this.#toUa(message(lines));
  }

  // ---- what JsSIP sends ----

  receive(text: string): void {
    this.fromUa.push(text);
    const m = parseSip(text);
    if (!m) return;
    if (m.kind === 'response') {
      this.#responseFromUa(m);
      return;
    }
    switch (m.method) {
      case 'REGISTER':
        this.#register(m);
        return;
      case 'INVITE':
        if (m.toTag) {
          const answer = fakeSdp('answer', answerDirection(m.body));
          const sdp = this.plainReinviteAnswers
            ? answer.replace('UDP/TLS/RTP/SAVPF', 'RTP/AVP').replace(/^a=(fingerprint|setup|ice-ufrag|ice-pwd):.*\r\n/gm, '')
            : answer;
          this.#reply(m, 200, 'OK', FAR_END, ['Contact: <sip:callee@127.0.0.1:15070>', 'Content-Type: application/sdp'], sdp, this.#dialogOf(m)?.farTag);
        }
        else this.#invite(m, text);
        return;
      case 'CANCEL': {
        this.#reply(m, 200, 'OK', PROXY);
        const d = this.#dialogOf(m);
        if (d && !d.answered) this.#reply(d.invite, 487, 'Request Terminated', FAR_END, [], '', d.farTag);
        return;
      }
      case 'BYE':
      case 'INFO':
      case 'OPTIONS':
        this.#reply(m, 200, 'OK', FAR_END, [], '', this.#dialogOf(m)?.farTag);
        return;
      case 'ACK':
        return;
      default:
        this.#reply(m, 405, 'Method Not Allowed', PROXY);
    }
  }

  #register(m: SipText): void {
    this.#uaContact = /<([^>]+)>/.exec(m.header('contact') ?? '')?.[1] ?? null;
    if (this.registerReply) {
      this.#reply(m, this.registerReply[0], this.registerReply[1], PROXY);
      return;
    }
    const auth = m.header('authorization');
    if (this.challenge && !auth) {
      this.#reply(m, 401, 'Unauthorized', PROXY, [`WWW-Authenticate: Digest realm="${this.realm}", nonce="${token('n')}", qop="auth", algorithm=MD5`]);
      return;
    }
    if (auth && !this.#digestOk(auth, 'REGISTER')) {
      this.#reply(m, 403, 'Forbidden', PROXY);
      return;
    }
    // JsSIP's Contact carries its own expires; a registrar echoes the binding.
    this.#reply(m, 200, 'OK', PROXY, [`Contact: ${m.header('contact')}`]);
  }

  #digestOk(header: string, method: string): boolean {
    const param = (name: string) => new RegExp(`${name}="?([^",]+)"?`, 'i').exec(header)?.[1] ?? '';
    const ha1 = this.users.get(param('username'));
    if (!ha1 || param('realm') !== this.realm) return false;
    const ha2 = Utils.calculateMD5(`${method}:${param('uri')}`);
    const expected = Utils.calculateMD5(`${ha1}:${param('nonce')}:${param('nc')}:${param('cnonce')}:${param('qop')}:${ha2}`);
    return expected === param('response');
  }

  #invite(m: SipText, text: string): void {
    const callId = m.callId ?? '';
    if (this.challengeInvites) {
      const auth = m.header('proxy-authorization');
      if (!auth) {
        this.#reply(m, 407, 'Proxy Authentication Required', PROXY, [`Proxy-Authenticate: Digest realm="${this.realm}", nonce="${token('n')}", qop="auth", algorithm=MD5`]);
        return;
      }
      if (!this.#digestOk(auth, 'INVITE')) {
        this.#reply(m, 403, 'Forbidden', PROXY);
        return;
      }
    }
    const user = /^sips?:([^@;>]+)/.exec(m.firstLine.split(' ')[1] ?? '')?.[1] ?? '';
    const scenario = this.dialPlan[user] ?? { kind: 'reject', status: 404, reason: 'Not Found', from: 'proxy' };
    const farTag = token('t');
    const uaTag = /;\s*tag=([^;>\s]+)/.exec(m.header('from') ?? '')?.[1] ?? '';
    const uaContact = /<([^>]+)>/.exec(m.header('contact') ?? '')?.[1] ?? '';
    const dialog: Dialog = { callId, invite: m, inviteText: text, farTag, uaTag, uaContact, farCseq: 0, toBrowser: false, answered: false };
    this.dialogs.set(callId, dialog);
    if (scenario.kind === 'silent') return;
    this.#reply(m, 100, 'Trying', PROXY, [], '', null);
    switch (scenario.kind) {
      case 'reject':
        this.#reply(m, scenario.status, scenario.reason, scenario.from === 'far_end' ? FAR_END : PROXY, scenario.headers ?? [], '', farTag);
        return;
      case 'ring':
        this.#reply(m, 180, 'Ringing', FAR_END, ['Contact: <sip:callee@127.0.0.1:15070>'], '', farTag);
        return;
      case 'early':
        this.#reply(m, 183, 'Session Progress', FAR_END, ['Contact: <sip:callee@127.0.0.1:15070>', 'Content-Type: application/sdp'], fakeSdp('answer'), farTag);
        return;
      case 'answer':
        this.#reply(m, 180, 'Ringing', FAR_END, ['Contact: <sip:callee@127.0.0.1:15070>'], '', farTag);
        dialog.answered = true;
        this.#reply(m, 200, 'OK', FAR_END, ['Contact: <sip:callee@127.0.0.1:15070>', 'Content-Type: application/sdp'], fakeSdp('answer'), farTag);
        return;
    }
  }

  #responseFromUa(m: SipText): void {
    const d = m.callId ? this.dialogs.get(m.callId) : undefined;
    if (!d || !d.toBrowser || m.cseq?.method !== 'INVITE') return;
    if (m.toTag) d.uaTag = m.toTag;
    const status = m.status ?? 0;
    if (status >= 200 && status < 300) {
      d.answered = true;
      d.uaContact = /<([^>]+)>/.exec(m.header('contact') ?? '')?.[1] ?? d.uaContact;
      this.#toUa(this.#inDialogRequest(d, 'ACK', [], '', 1));
    } else if (status >= 300) {
      // ACK for a non-2xx final response: same branch as the INVITE.
      const inv = d.invite;
      const lines = [
        `ACK ${inv.firstLine.split(' ')[1]} SIP/2.0`,
        `Via: ${inv.header('via')}`,
        'Max-Forwards: 70',
        `From: ${inv.header('from')}`,
        `To: ${m.header('to')}`,
        `Call-ID: ${d.callId}`,
        'CSeq: 1 ACK',
      ];
      this.#toUa(message(lines));
    }
  }

  // ---- building messages ----

  #dialog(callId: string): Dialog {
    const d = this.dialogs.get(callId);
    if (!d) throw new Error(`no dialog ${callId}`);
    return d;
  }

  #dialogOf(m: SipText): Dialog | undefined {
    return m.callId ? this.dialogs.get(m.callId) : undefined;
  }

  /** A request from the far end inside the dialog (BYE, re-INVITE, ACK). */
  #inDialogRequest(d: Dialog, method: string, headers: string[], body = '', cseq?: number): string {
    const seq = cseq ?? ++d.farCseq;
    let from: string;
    let to: string;
    if (d.toBrowser) {
      from = d.invite.header('from') ?? '';
      to = `${d.invite.header('to')};tag=${d.uaTag}`;
    } else {
      from = `${d.invite.header('to')};tag=${d.farTag}`;
      to = d.invite.header('from') ?? '';
    }
    const lines = [
      `${method} ${d.uaContact} SIP/2.0`,
      `Via: SIP/2.0/WSS pbx.lab.test;branch=${token('z9hG4bK')}`,
      'Max-Forwards: 70',
      `From: ${from}`,
      `To: ${to}`,
      `Call-ID: ${d.callId}`,
      `CSeq: ${seq} ${method}`,
      `User-Agent: ${FAR_END}`,
      ...headers,
    ];
    return message(lines, body);
  }

  #reply(req: SipText, status: number, reason: string, server: string, headers: string[] = [], body = '', toTag?: string | null): void {
    let to = req.header('to') ?? '';
    if (toTag && !/;\s*tag=/.test(to)) to = `${to};tag=${toTag}`;
    else if (toTag === undefined && !/;\s*tag=/.test(to) && status > 100) to = `${to};tag=${token('t')}`;
    const lines = [
      `SIP/2.0 ${status} ${reason}`,
      ...req.headers('via').map((v) => `Via: ${v}`),
      `From: ${req.header('from')}`,
      `To: ${to}`,
      `Call-ID: ${req.callId}`,
      `CSeq: ${req.cseq?.seq} ${req.cseq?.method}`,
      `Server: ${server}`,
      ...headers,
    ];
    this.#toUa(message(lines, body));
  }

  #toUa(text: string): void {
    this.toUa.push(text);
    this.#socket?.deliver(text);
  }
}

function answerDirection(offer: string): string {
  const offered = sdpDirection(offer);
  return offered === 'sendonly' ? 'recvonly' : offered === 'recvonly' ? 'sendonly' : offered === 'inactive' ? 'inactive' : 'sendrecv';
}

function message(lines: string[], body = ''): string {
  return `${[...lines, `Content-Length: ${new TextEncoder().encode(body).length}`].join('\r\n')}\r\n\r\n${body}`;
}

/** JsSIP's socket interface towards the fake PBX: every message is delivered on a later tick, as over a network. */
class PbxSocket {
  readonly url: string;
  via_transport = 'WSS';
  readonly sip_uri: string;
  readonly #pbx: FakePbx;
  #open = false;
  #connecting = false;
  onconnect: () => void = () => undefined;
  ondisconnect: (error: boolean, code?: number, reason?: string) => void = () => undefined;
  ondata: (data: string) => void = () => undefined;

  constructor(url: string, pbx: FakePbx) {
    this.url = url;
    this.#pbx = pbx;
    const host = /^wss?:\/\/([^/:]+)(?::(\d+))?/.exec(url);
    this.sip_uri = `sip:${host?.[1] ?? 'pbx.lab.test'}${host?.[2] ? `:${host[2]}` : ''};transport=ws`;
  }

  connect(): void {
    this.#connecting = true;
    setTimeout(() => {
      this.#connecting = false;
      if (this.#pbx.refuse) {
        this.ondisconnect(true, 1006, '');
        return;
      }
      this.#open = true;
      this.onconnect();
    }, 0);
  }

  disconnect(): void {
    this.#open = false;
  }

  send(text: string): boolean {
    if (!this.#open) return false;
    setTimeout(() => this.#pbx.receive(text), 0);
    return true;
  }

  isConnected(): boolean {
    return this.#open;
  }

  isConnecting(): boolean {
    return this.#connecting;
  }

  deliver(text: string): void {
    setTimeout(() => {
      if (this.#open) this.ondata(text);
    }, 0);
  }

  serverClose(code: number): void {
    if (!this.#open) return;
    this.#open = false;
    this.ondisconnect(true, code, '');
  }
}
