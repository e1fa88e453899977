import { Accounts } from '../accounts/accounts.svelte';
import type { Backend } from '../api/backend';
import type { WebrtcSupport } from '../api/generated';
import { CallJournal } from '../calls/call-journal.svelte';
import { Lines, type LineStorage, pageStorage } from '../calls/lines.svelte';
import { Phone } from '../calls/phone.svelte';
import { History } from '../history/history.svelte';
import { AppJournal } from '../journal/app-journal';
import { PROVIDERS } from '../providers';
import type { ProviderModule } from '../providers/core/module';
import { Providers, withReplacements } from '../providers/core/registry';
import { ErrorLog } from '../lib/error-log.svelte';
import { probeWebrtc } from './startup';
import { installTestHooks } from './test-hooks';

/** Everything the page shows, built once at start. */
export interface AppModel {
  backend: Backend;
  support: WebrtcSupport;
  errors: ErrorLog;
  phone: Phone;
  lines: Lines;
  /** The current call's journal events, live (its ladder). */
  callJournal: CallJournal;
  history: History;
  accounts: Accounts;
}

/** What tests replace: providers built on fakes of their SDKs and media, the storage. */
export interface ModelOptions {
  /** Modules that stand in for the built-in ones of the same id. */
  providers?: readonly ProviderModule[];
  storage?: LineStorage | null;
}

export function createAppModel(backend: Backend, options: ModelOptions = {}): AppModel {
  const errors = new ErrorLog();
  const journal = new AppJournal(backend);
  const providers = new Providers(withReplacements(PROVIDERS, options.providers), { backend, journal, clock: () => performance.now() });
  const phone = new Phone(backend, errors, providers);
  providers.onIncoming((call) => phone.offer(call));
  const lines = new Lines(providers.running, options.storage === undefined ? pageStorage() : options.storage);
  const accounts = new Accounts(backend);
  accounts.onChange(({ profiles, saved }) => lines.update(profiles, saved));
  // End-to-end tests read the page through these; builds without the flag leave them out entirely.
  if (import.meta.env.CALLSCOPE_TEST_HOOKS) installTestHooks({ phone, lines });
  // Leaving the page unregisters (otherwise the registrar keeps offering calls to a closed page).
  if (typeof window !== 'undefined') window.addEventListener('pagehide', () => providers.stopAll());
  return {
    backend,
    support: probeWebrtc(),
    errors,
    phone,
    lines,
    callJournal: new CallJournal(backend),
    history: new History(backend, errors),
    accounts,
  };
}
