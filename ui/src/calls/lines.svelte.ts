import type { Profile } from '../api/generated';
import type { SipLines } from '../providers/sip/lines';
import { NOT_REGISTERED, type RegistrationStatus } from '../providers/sip/registration';
import { ECHO_LINE, type LineOption, lineOptions } from './line-options';

/** Where the last line used is remembered (its id only: `echo` or `account:<name>`). */
export const LINE_STORAGE_KEY = 'callscope.line';

export type LineStorage = Pick<Storage, 'getItem' | 'setItem'>;

export function pageStorage(): LineStorage | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage;
  } catch {
    return null; // storage disabled in this browser
  }
}

/**
 * The lines the dialer offers, which one is selected (remembered across launches), and each
 * SIP line's registration. A selected SIP line is started (registered) at once, so that it
 * can also receive calls.
 */
export class Lines {
  options = $state.raw<LineOption[]>([ECHO_LINE]);
  selectedId = $state('echo');
  /** Registration per SIP account. */
  registrations = $state.raw<Record<string, RegistrationStatus>>({});
  readonly #sip: SipLines;
  readonly #storage: LineStorage | null;
  /** The line the user chose last: selected as soon as it exists and can be called. */
  #wanted: string;

  constructor(sip: SipLines, storage: LineStorage | null = pageStorage()) {
    this.#sip = sip;
    this.#storage = storage;
    this.#wanted = this.#read() ?? 'echo';
    sip.onStatus(({ account, status }) => {
      this.registrations = { ...this.registrations, [account]: status };
    });
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
    this.options = lineOptions(profiles);
    this.#sip.reconcile(profiles, saved);
    const wanted = this.options.find((o) => o.id === this.#wanted && o.callable);
    this.#apply(wanted ?? ECHO_LINE);
  }

  /** Register the account again with fresh credentials. */
  registerAgain(account: string): void {
    const option = this.options.find((o) => o.account === account);
    if (!option?.profile) return;
    if (this.#sip.line(account)) this.#sip.restart(account);
    else this.#sip.activate(option.profile);
  }

  #apply(option: LineOption): void {
    this.selectedId = option.id;
    if (option.provider === 'sip' && option.profile) this.#sip.activate(option.profile);
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
