/**
 * What end-to-end tests (and the benchmarks) read from the page: `window.callscopeDebug`. Built
 * only into test builds (`import.meta.env.CALLSCOPE_TEST_HOOKS`, see vite.config.ts); the shipped
 * bundle has none of it.
 */
import type { EndInfo } from '../api/generated';
import type { RegistrationStatus } from '../providers/core/registration';

/** What end-to-end tests read from the page (and drive where clicking is not the point). */
export interface CallscopeDebug {
  peerConnection(): RTCPeerConnection | null;
  callId(): string | null;
  state(): string;
  /** How the current (or last) call ended, once it has. */
  end(): EndInfo | null;
  /** The selected line's id: `echo` or `account:<name>`. */
  line(): string;
  /** Every line the dialer offers. */
  lines(): { id: string; label: string; callable: boolean; reason: string | null }[];
  /** A SIP account's registration (by account name, or by line id `account:<name>`). */
  registrationState(line: string): RegistrationStatus;
  /** The call ringing in, if any. */
  incoming(): { account: string; from: string; displayName: string | null } | null;
}

declare global {
  interface Window {
    callscopeDebug?: CallscopeDebug;
  }
}

export interface TestHookSource {
  phone: {
    peerConnection(): RTCPeerConnection | null;
    readonly callId: string | null;
    readonly state: string;
    readonly snapshot: { end: EndInfo | null } | null;
    readonly incoming: { account: string; from: string; displayName: string | null } | null;
  };
  lines: {
    readonly selectedId: string;
    readonly options: readonly { id: string; label: string; callable: boolean; reason: string | null }[];
    registration(account: string): RegistrationStatus;
  };
}

export function installTestHooks({ phone, lines }: TestHookSource, target: Window = window): void {
  target.callscopeDebug = {
    peerConnection: () => phone.peerConnection(),
    callId: () => phone.callId,
    state: () => phone.state,
    end: () => phone.snapshot?.end ?? null,
    line: () => lines.selectedId,
    lines: () => lines.options.map(({ id, label, callable, reason }) => ({ id, label, callable, reason })),
    registrationState: (line) => ({ ...lines.registration(line.replace(/^account:/, '')) }),
    incoming: () => {
      const call = phone.incoming;
      return call ? { account: call.account, from: call.from, displayName: call.displayName } : null;
    },
  };
}
