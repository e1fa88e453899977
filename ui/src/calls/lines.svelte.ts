import type { Profile } from '../api/generated';
import { NOT_REGISTERED, type RegistrationStatus } from '../providers/sip/registration';
import { ECHO_LINE, type LineOption, lineOptions } from './line-options';

/** Where the last line used is remembered (its id only: `echo` or `account:<name>`). */
export const LINE_STORAGE_KEY = 'callscope.line';

export type LineStorage = Pick<Storage, 'getItem' | 'setItem'>;

/**
 * The long-lived lines of one provider, one per account (SIP user agents, Telnyx clients): what
 * the dialer's lines need of them.
 */
export interface AccountLines {
  onStatus(cb: (change: { account: string; status: RegistrationStatus }) => void): () => void;
  activate(profile: Profile): unknown;
  line(account: string): unknown;
  restart(account: string): void;
  reconcile(profiles: readonly Profile[], saved: string | null): void;
}

export function pageStorage(): LineStorage | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage;
  } catch {
    return null; // storage disabled in this browser
  }
}

/**
 * The lines the dialer offers, which one is selected (remembered across launches), and each
 * account line's registration (a SIP REGISTER, a Telnyx login). A selected SIP or Telnyx line
 * is started at once, so that it can also receive calls.
 */
export class Lines {
  options = $state.raw<LineOption[]>([ECHO_LINE]);
  selectedId = $state('echo');
  /** Registration (SIP) or login (Telnyx) per account. */
  registrations = $state.raw<Record<string, RegistrationStatus>>({});
  readonly #sip: AccountLines;
  readonly #telnyx: AccountLines | null;
  readonly #twilio: AccountLines | null;
  readonly #storage: LineStorage | null;
  /** The line the user chose last: selected as soon as it exists and can be called. */
  #wanted: string;

  constructor(sip: AccountLines, storage: LineStorage | null = pageStorage(), telnyx: AccountLines | null = null, twilio: AccountLines | null = null) {
    this.#sip = sip;
    this.#telnyx = telnyx;
    this.#twilio = twilio;
    this.#storage = storage;
    this.#wanted = this.#read() ?? 'echo';
    const keep = ({ account, status }: { account: string; status: RegistrationStatus }) => {
      this.registrations = { ...this.registrations, [account]: status };
    };
    sip.onStatus(keep);
    telnyx?.onStatus(keep);
    twilio?.onStatus(keep);
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
    this.#telnyx?.reconcile(profiles, saved);
    this.#twilio?.reconcile(profiles, saved);
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

  #linesOf(option: LineOption): AccountLines | null {
    if (option.provider === 'sip') return this.#sip;
    if (option.provider === 'telnyx') return this.#telnyx;
    if (option.provider === 'twilio') return this.#twilio;
    return null;
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
