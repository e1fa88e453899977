import { vi } from 'vitest';
import type { RecordEvent, TelnyxCall } from '../../api/generated';
import { AppJournal } from '../../journal/app-journal';
import { CallSession } from '../../calls/session';
import type { SignalMessage } from '../../journal/signal';
import type { TelnyxCallAdapter, TelnyxCallEnvironment } from '../../providers/telnyx/call';
import { TelnyxLine } from '../../providers/telnyx/line';
import type { FakeBackend } from '../fake-backend';
import { fakeJwt, fakeTelnyxSdk, FakeVertoServer } from './fake-telnyx';

/** What `call_credentials` answers for the lab's Telnyx account (a JWT the backend minted). */
export function telnyxCredentials(change: Partial<TelnyxCall> = {}): { provider: 'telnyx' } & TelnyxCall {
  const expires = Math.floor(Date.now() / 1000) + 86_400;
  return {
    provider: 'telnyx',
    login_token: fakeJwt(expires),
    expires_at: expires,
    signalling_host: 'rtc.telnyx.com',
    caller_id: '+15557654321',
    connection_id: '1462086742710155012',
    credential_id: 'cred-1',
    ...change,
  };
}

/**
 * A Telnyx line for `name` on the fake SDK and server; `credentials` answers each
 * `call_credentials` (a function: a fresh token each time).
 */
export function telnyxLab(backend: FakeBackend, credentials: () => ReturnType<typeof telnyxCredentials> = () => telnyxCredentials(), name = 'lab') {
  const server = new FakeVertoServer();
  const fake = fakeTelnyxSdk(server);
  backend.handle('call_credentials', () => credentials());
  const journal = new AppJournal(backend);
  const line = new TelnyxLine(name, { backend, journal, loadSdk: async () => fake.sdk, clock: () => performance.now() });
  let n = 0;
  const audio = { play: vi.fn(), stop: vi.fn() };
  const env: TelnyxCallEnvironment = { remoteAudio: audio, readyTimeoutMs: 2000, offerTimeoutMs: 2000, hangupConfirmTimeoutMs: 500, newId: () => `tx-${++n}` };
  const errors: string[] = [];
  const session = (adapter: TelnyxCallAdapter, destination: string, direction?: 'inbound') =>
    new CallSession({
      backend,
      adapter,
      destination,
      account: name,
      ...(direction ? { direction } : {}),
      onError: (context, error) => errors.push(`${context}: ${String(error)}`),
    });
  return { server, ...fake, line, journal, audio, env, errors, session, client: () => fake.clients.at(-1)! };
}

/** The Verto frames recorded for a call (or at app level with `null`), as `→ method` / `← result method`. */
export function vertoLadder(backend: FakeBackend, callId: string | null): string[] {
  return vertoSignals(backend, callId).map((s) => `${s.direction === 'sent' ? '→' : '←'} ${s.summary}`);
}

export function vertoSignals(backend: FakeBackend, callId: string | null): (SignalMessage & { account?: string })[] {
  return backend
    .params('record_event')
    .filter((p: RecordEvent) => p.call_id === callId && p.kind === 'signal')
    .map((p) => p.payload as SignalMessage);
}
