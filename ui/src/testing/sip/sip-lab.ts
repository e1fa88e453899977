import * as JsSIP from 'jssip';
import type { Profile, RecordEvent, SipCall } from '../../api/generated';
import { AppJournal } from '../../journal/app-journal';
import type { SignalMessage } from '../../journal/signal';
import { SipLine } from '../../providers/sip/line';
import type { SipStack } from '../../providers/sip/stack';
import type { FakeBackend } from '../fake-backend';
import { FakePbx } from './fake-pbx';

export const LAB_PASSWORD = 'alice-secret-password';
export const ALICE_HA1 = FakePbx.ha1('alice', 'lab.test', LAB_PASSWORD);

/** What `call_credentials` answers for the lab account (as crates/core builds it: HA1, never the password). */
export function labCredentials(change: Partial<SipCall> = {}): { provider: 'sip' } & SipCall {
  return {
    provider: 'sip',
    wss_uri: 'wss://pbx.lab.test:18443',
    sip_uri: 'sip:alice@lab.test',
    auth_user: 'alice',
    realm: 'lab.test',
    ha1: ALICE_HA1,
    display_name: 'Alice',
    outbound_proxy: null,
    ice_servers: [{ urls: ['turn:127.0.0.1:13478?transport=udp'], username: 'test', credential: 'secret' }],
    relay_only: false,
    dtmf: 'info',
    ...change,
  };
}

export function labProfile(name = 'lab', change: Partial<Extract<Profile, { provider: 'sip' }>> = {}): Profile {
  return { name, provider: 'sip', wss_uri: 'wss://pbx.lab.test:18443', sip_uri: 'sip:alice@lab.test', dtmf: 'info', ...change };
}

/** The real JsSIP, talking to the fake PBX instead of a WebSocket. */
export function pbxStack(pbx: FakePbx): SipStack {
  return { createSocket: (url) => pbx.socket(url), createUa: (config) => new JsSIP.UA(config), version: JsSIP.version };
}

/** A SIP line for `name` against the fake PBX; the backend answers `call_credentials` with the lab account. */
export function labLine(backend: FakeBackend, pbx: FakePbx, name = 'lab', credentials = labCredentials()) {
  backend.handle('call_credentials', () => credentials);
  const journal = new AppJournal(backend);
  const line = new SipLine(name, { backend, journal, loadStack: async () => pbxStack(pbx), clock: () => performance.now() });
  return { line, journal };
}

/** The signalling messages recorded for a call (or app-level with `null`), in order. */
export function recordedSignals(backend: FakeBackend, callId: string | null): SignalMessage[] {
  return backend
    .params('record_event')
    .filter((p: RecordEvent) => p.call_id === callId && p.kind === 'signal')
    .map((p) => p.payload as SignalMessage);
}

/** Their summaries with an arrow: "→ INVITE sip:callee@lab.test SIP/2.0", "← SIP/2.0 100 Trying". */
export function ladderText(signals: SignalMessage[]): string[] {
  return signals.map((s) => `${s.direction === 'sent' ? '→' : '←'} ${s.summary}`);
}
