import { Accounts } from '../accounts/accounts.svelte';
import type { Backend } from '../api/backend';
import type { WebrtcSupport } from '../api/generated';
import { AppJournal } from '../calls/app-journal';
import { CallJournal } from '../calls/call-journal.svelte';
import { installDebugHooks } from '../calls/debug';
import { Lines, type LineStorage, pageStorage } from '../calls/lines.svelte';
import { Phone } from '../calls/phone.svelte';
import { History } from '../history/history.svelte';
import { createAdapters } from '../providers';
import { pageSipCallEnvironment, type SipCallEnvironment } from '../providers/sip/call';
import { SipLines } from '../providers/sip/lines';
import { loadJsSip, type SipStack } from '../providers/sip/stack';
import { pageTelnyxCallEnvironment, type TelnyxCallEnvironment } from '../providers/telnyx/call';
import { TelnyxLines } from '../providers/telnyx/lines';
import { loadTelnyxSdk, type TelnyxSdk } from '../providers/telnyx/sdk';
import { pageTwilioCallEnvironment, type TwilioCallEnvironment } from '../providers/twilio/call';
import { TwilioLines } from '../providers/twilio/lines';
import { loadTwilioSdk, type TwilioSdk } from '../providers/twilio/sdk';
import { ErrorLog } from './errors.svelte';
import { probeWebrtc } from './startup';

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

/** What tests replace: the SIP stack's network, the Telnyx SDK, the calls' media, the storage. */
export interface ModelOptions {
  loadSipStack?: () => Promise<SipStack>;
  sipCallEnvironment?: () => SipCallEnvironment;
  loadTelnyxSdk?: () => Promise<TelnyxSdk>;
  telnyxCallEnvironment?: () => TelnyxCallEnvironment;
  loadTwilioSdk?: () => Promise<TwilioSdk>;
  twilioCallEnvironment?: () => TwilioCallEnvironment;
  storage?: LineStorage | null;
}

export function createAppModel(backend: Backend, options: ModelOptions = {}): AppModel {
  const errors = new ErrorLog();
  const journal = new AppJournal(backend);
  const clock = () => performance.now();
  const sip = new SipLines({ backend, journal, loadStack: options.loadSipStack ?? loadJsSip, clock });
  const telnyx = new TelnyxLines({ backend, journal, loadSdk: options.loadTelnyxSdk ?? loadTelnyxSdk, clock });
  const twilio = new TwilioLines({ backend, journal, loadSdk: options.loadTwilioSdk ?? loadTwilioSdk, clock });
  const adapters = createAdapters(
    backend,
    sip,
    options.sipCallEnvironment ?? pageSipCallEnvironment,
    telnyx,
    options.telnyxCallEnvironment ?? pageTelnyxCallEnvironment,
    twilio,
    options.twilioCallEnvironment ?? pageTwilioCallEnvironment,
  );
  const phone = new Phone(backend, errors, adapters);
  sip.onIncoming((call) => phone.offer(call));
  telnyx.onIncoming((call) => phone.offer(call));
  twilio.onIncoming((call) => phone.offer(call));
  const lines = new Lines(sip, options.storage === undefined ? pageStorage() : options.storage, telnyx, twilio);
  const accounts = new Accounts(backend);
  accounts.onChange(({ profiles, saved }) => lines.update(profiles, saved));
  installDebugHooks({ phone, lines });
  // Leaving the page unregisters (otherwise the registrar keeps offering calls to a closed page).
  if (typeof window !== 'undefined') {
    window.addEventListener('pagehide', () => {
      sip.stopAll();
      telnyx.stopAll();
      twilio.stopAll();
    });
  }
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
