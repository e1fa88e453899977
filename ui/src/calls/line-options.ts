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

const NOT_YET: Record<'telnyx' | 'twilio', string> = {
  telnyx: 'Telnyx calls are not supported in this version yet',
  twilio: 'Twilio calls are not supported in this version yet',
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
      const name = profile.provider === 'telnyx' ? 'Telnyx' : 'Twilio';
      return { ...base, label: `${profile.name} (${name})`, callable: false, reason: NOT_YET[profile.provider], hold: false, dtmf: null };
    }),
  ];
}
