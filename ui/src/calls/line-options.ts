import type { DtmfMode, Profile, Provider } from '../api/generated';
import { ECHO_LABEL } from '../providers/echo';

/** One line the dialer offers: the built-in Echo line or an account. */
export interface LineOption {
  /** `echo`, or `account:<name>`. */
  id: string;
  label: string;
  provider: Provider;
  /** The account's name (none for the Echo line). */
  account: string | null;
  /** Calls can be placed through it now. */
  callable: boolean;
  /** Why not, when it cannot. */
  reason: string | null;
  hold: boolean;
  dtmf: DtmfMode | null;
  /** The account's settings, for lines that have them. */
  profile: Profile | null;
}

export const ECHO_LINE: LineOption = {
  id: 'echo',
  label: ECHO_LABEL,
  provider: 'echo',
  account: null,
  callable: true,
  reason: null,
  hold: false,
  dtmf: null,
  profile: null,
};

export function accountLineId(account: string): string {
  return `account:${account}`;
}

/** The Echo line, then every account in the order the backend lists them. */
export function lineOptions(profiles: readonly Profile[]): LineOption[] {
  return [
    ECHO_LINE,
    ...profiles.map((profile): LineOption => {
      const base = { id: accountLineId(profile.name), account: profile.name, provider: profile.provider, profile };
      if (profile.provider === 'sip') {
        return { ...base, label: `${profile.name} (SIP, ${profile.sip_uri})`, callable: true, reason: null, hold: true, dtmf: profile.dtmf };
      }
      if (profile.provider === 'telnyx') {
        // DTMF goes as Verto `info` frames; hold is a Verto `modify`.
        return { ...base, label: `${profile.name} (Telnyx)`, callable: true, reason: null, hold: true, dtmf: 'info' };
      }
      // The Voice SDK has no hold; `sendDigits` plays RFC 2833 tones.
      return { ...base, label: `${profile.name} (Twilio)`, callable: true, reason: null, hold: false, dtmf: 'rfc2833' };
    }),
  ];
}
