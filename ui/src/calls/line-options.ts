import type { DtmfMode, Profile, Provider } from '../api/generated';
import type { ProviderModule } from '../providers/core/module';
import { ECHO_LABEL } from '../providers/echo/call';

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

/** The Echo line, then every account in the order the backend lists them, as its provider describes it. */
export function lineOptions(profiles: readonly Profile[], providers: readonly Pick<ProviderModule, 'id' | 'describeLine'>[]): LineOption[] {
  return [
    ECHO_LINE,
    ...profiles.map((profile): LineOption => {
      const base = { id: accountLineId(profile.name), account: profile.name, provider: profile.provider, profile };
      const line = providers.find((p) => p.id === profile.provider)?.describeLine(profile);
      if (!line) {
        return { ...base, label: `${profile.name} (${profile.provider})`, callable: false, reason: `this Callscope has no ${profile.provider} lines`, hold: false, dtmf: null };
      }
      return { ...base, ...line, callable: true, reason: null };
    }),
  ];
}
