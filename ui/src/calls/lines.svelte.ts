import type { Profile } from '../api/generated';
import type { ProviderLines } from '../providers/core/account-lines';
import type { RunningProvider } from '../providers/core/module';
import { NOT_REGISTERED, type RegistrationStatus } from '../providers/core/registration';
import { ECHO_LINE, type LineOption, lineOptions } from './line-options';

/** Where the last line used is remembered (its id only: `echo` or `account:<name>`). */
export const LINE_STORAGE_KEY = 'callscope.line';

export type LineStorage = Pick<Storage, 'getItem' | 'setItem'>;

/** What the dialer's lines need of a running provider. */
export type LineProvider = Pick<RunningProvider, 'module' | 'lines'>;

export function pageStorage(): LineStorage | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage;
  } catch {
    return null; // storage disabled in this browser
  }
}

/**
 * The lines the dialer offers, which one is selected (remembered across launches), and each
 * account line's registration (a SIP REGISTER, a Telnyx login, a Twilio Device registration).
 * A selected account line is started at once, so that it can also receive calls.
 */
export class Lines {
  options = $state.raw<LineOption[]>([ECHO_LINE]);
  selectedId = $state('echo');
  /** Each account line's registration (or login). */
  registrations = $state.raw<Record<string, RegistrationStatus>>({});
  readonly #providers: readonly LineProvider[];
  readonly #storage: LineStorage | null;
  /** The line the user chose last: selected as soon as it exists and can be called. */
  #wanted: string;

  constructor(providers: readonly LineProvider[], storage: LineStorage | null = pageStorage()) {
    this.#providers = providers;
    this.#storage = storage;
    this.#wanted = this.#read() ?? 'echo';
    const keep = ({ account, status }: { account: string; status: RegistrationStatus }) => {
      this.registrations = { ...this.registrations, [account]: status };
    };
    for (const provider of providers) provider.lines?.onStatus(keep);
  }

  get selected(): LineOption {
    return this.options.find((o) => o.id === this.selectedId) ?? ECHO_LINE;
  }

  registration(account: string): RegistrationStatus {
    return this.registrations[account] ?? NOT_REGISTERED;
  }

  select(id: string): void {
    const option = this.options.find((o) => o.id === id);
    if (!option || !option.callable) return;
    this.#wanted = id;
    this.#write(id);
    this.#apply(option);
  }

  /** The accounts changed (or were loaded): rebuild the list, keep or restore the selection. */
  update(profiles: readonly Profile[], saved: string | null = null): void {
    this.options = lineOptions(profiles, this.#providers.map((p) => p.module));
    for (const provider of this.#providers) provider.lines?.reconcile(profiles, saved);
    const wanted = this.options.find((o) => o.id === this.#wanted && o.callable);
    this.#apply(wanted ?? ECHO_LINE);
  }

  /** Register (or log in) the account again with fresh credentials. */
  registerAgain(account: string): void {
    const option = this.options.find((o) => o.account === account);
    if (!option?.profile) return;
    const lines = this.#linesOf(option);
    if (!lines) return;
    if (lines.line(account)) lines.restart(account);
    else lines.activate(option.profile);
  }

  /** Whether the line registers or logs in (and so has a status to show). */
  registers(option: LineOption): boolean {
    return this.#linesOf(option) !== null && option.account !== null;
  }

  #linesOf(option: LineOption): ProviderLines | null {
    return this.#providers.find((p) => p.module.id === option.provider)?.lines ?? null;
  }

  #apply(option: LineOption): void {
    this.selectedId = option.id;
    if (option.profile) this.#linesOf(option)?.activate(option.profile);
  }

  #read(): string | null {
    try {
      return this.#storage?.getItem(LINE_STORAGE_KEY) ?? null;
    } catch {
      return null;
    }
  }

  #write(id: string): void {
    try {
      this.#storage?.setItem(LINE_STORAGE_KEY, id);
    } catch {
      // Not remembered; the line is still selected.
    }
  }
}
