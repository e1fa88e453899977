import type { EchoSignal, EndInfo } from '../../api/generated';

/** What the Echo adapter does with each far-end signal. */
export type EchoReaction =
  | { kind: 'state'; state: 'trying' | 'ringing' }
  | { kind: 'answer'; sdp: string }
  | { kind: 'ended'; end: EndInfo }
  | { kind: 'hangup_confirmed'; status: number; reason: string }
  | { kind: 'unknown' };

/**
 * The Echo line's signalling onto the normalised call model:
 * trying → trying, ringing → ringing, answer → (apply the SDP) active,
 * reject → ended by the far end with its SIP status, reason and Q.850 cause,
 * bye → ended by the far end with its reason, hangup_confirmed → the answer to our own hangup.
 */
export function echoReaction(signal: EchoSignal): EchoReaction {
  switch (signal.signal) {
    case 'trying':
      return { kind: 'state', state: 'trying' };
    case 'ringing':
      return { kind: 'state', state: 'ringing' };
    case 'answer':
      return { kind: 'answer', sdp: signal.sdp };
    case 'reject':
      return {
        kind: 'ended',
        end: {
          by: 'remote',
          failure: { sip_status: signal.status, sip_reason: signal.reason, q850_cause: signal.q850_cause },
        },
      };
    case 'bye':
      return { kind: 'ended', end: { by: 'remote', failure: { message: signal.reason } } };
    case 'hangup_confirmed':
      return { kind: 'hangup_confirmed', status: signal.status, reason: signal.reason };
    default:
      // A signal this UI does not know yet (a newer backend): kept as a warning, not guessed at.
      return { kind: 'unknown' };
  }
}
