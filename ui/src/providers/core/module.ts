import type { Backend } from '../../api/backend';
import { ApiFailure } from '../../api/errors';
import type { Profile, Provider } from '../../api/generated';
import type { AppJournal } from '../../journal/app-journal';
import type { IncomingCall, LineFeatures, ProviderAdapter } from './adapter';
import { type AccountLine, AccountLines, type ProviderLines } from './account-lines';
import type { AccountProvider, LineKind } from './line-core';

/** What the page hands every provider when the app starts. */
export interface PageServices {
  backend: Backend;
  journal: AppJournal;
  /** The page's monotonic clock (ms). */
  clock: () => number;
}

/** How the dialer lists one account's line, and what a call through it can do. */
export interface LineDescription extends LineFeatures {
  label: string;
}

/** A line the user dials through (the dialer's LineOption has these and more). */
export interface DialTarget {
  provider: Provider;
  label: string;
  callable: boolean;
  reason: string | null;
  /** The account's settings (none for the built-in Echo line). */
  profile: Profile | null;
}

/**
 * One provider, as the app sees it: the model starts it once, the dialer lists its accounts'
 * lines, the phone asks it for each call's adapter. Every provider is one of these in one list
 * (providers/index.ts): adding a provider is a folder with its module plus one line there.
 */
export interface ProviderModule {
  readonly id: Provider;
  /** How the app names the provider: `SIP`, `Telnyx`, ... */
  readonly label: string;
  /** The dialer's entry for an account of this provider (null: not one of its accounts). */
  describeLine(profile: Profile): LineDescription | null;
  start(page: PageServices): RunningProvider;
}

/** A provider started on this page. */
export interface RunningProvider {
  readonly module: ProviderModule;
  /** Its long-lived lines, one per account (none for a provider without accounts). */
  readonly lines: ProviderLines | null;
  /** The adapter that places a call through `line`. */
  dial(line: DialTarget): ProviderAdapter;
  /** The adapter that answers an incoming call that came in on one of its lines. */
  answer(call: IncomingCall): ProviderAdapter;
}

/** An account of provider `P`. */
export type ProfileOf<P extends AccountProvider> = Extract<Profile, { provider: P }>;

/** What tests replace in a provider: how its SDK (or SIP stack) loads, and its calls' page environment. */
export interface ProviderOptions<Sdk, CallEnvironment> {
  loadSdk?: () => Promise<Sdk>;
  callEnvironment?: () => CallEnvironment;
}

/** What a provider with accounts supplies; `accountProvider` makes its module. */
export interface AccountProviderSpec<P extends AccountProvider, Line extends AccountLine<Incoming>, Incoming extends IncomingCall, Sdk, CallEnvironment> {
  kind: LineKind<P>;
  /** The page's SDK and call environment, unless the options replace them. */
  loadSdk: () => Promise<Sdk>;
  callEnvironment: () => CallEnvironment;
  describeLine(profile: ProfileOf<P>): LineDescription;
  /** A line for an account (started by the provider's lines when first used). */
  createLine(account: string, page: PageServices, loadSdk: () => Promise<Sdk>): Line;
  dial(line: Line, profile: ProfileOf<P>, env: CallEnvironment): ProviderAdapter;
  /** The adapter that answers `call`, or null when it is not this provider's kind of call. */
  answer(line: Line, call: IncomingCall, env: CallEnvironment): ProviderAdapter | null;
}

/** The module of a provider whose lines are accounts (SIP, Telnyx, Twilio). */
export function accountProvider<P extends AccountProvider, Line extends AccountLine<Incoming>, Incoming extends IncomingCall, Sdk, CallEnvironment>(
  spec: AccountProviderSpec<P, Line, Incoming, Sdk, CallEnvironment>,
  options: ProviderOptions<Sdk, CallEnvironment> = {},
): ProviderModule {
  const { provider, label } = spec.kind;
  const loadSdk = options.loadSdk ?? spec.loadSdk;
  const environment = options.callEnvironment ?? spec.callEnvironment;
  const isMine = (profile: Profile): profile is ProfileOf<P> => profile.provider === provider;
  const module: ProviderModule = {
    id: provider,
    label,
    describeLine: (profile) => (isMine(profile) ? spec.describeLine(profile) : null),
    start(page) {
      const lines = new AccountLines<Incoming, Line>(provider, (account) => spec.createLine(account, page, loadSdk));
      return {
        module,
        lines,
        dial(target) {
          const profile = target.profile;
          if (!profile || !isMine(profile)) throw new ApiFailure('bad_input', `${target.label} has no ${label} settings`);
          return spec.dial(lines.activate(profile), profile, environment());
        },
        answer(call) {
          const line = lines.line(call.account);
          if (!line) throw new ApiFailure(`${provider}_line`, `the line ${call.account} is no longer running`);
          const adapter = spec.answer(line, call, environment());
          if (!adapter) throw new ApiFailure('bad_input', `the call from ${call.from} is not a ${label} call`);
          return adapter;
        },
      };
    },
  };
  return module;
}
