import { Accounts } from '../accounts/accounts.svelte';
import type { Backend } from '../api/backend';
import type { WebrtcSupport } from '../api/generated';
import { installDebugHooks } from '../calls/debug';
import { Phone } from '../calls/phone.svelte';
import { History } from '../history/history.svelte';
import { ErrorLog } from './errors.svelte';
import { probeWebrtc } from './startup';

/** Everything the page shows, built once at start. */
export interface AppModel {
  backend: Backend;
  support: WebrtcSupport;
  errors: ErrorLog;
  phone: Phone;
  history: History;
  accounts: Accounts;
}

export function createAppModel(backend: Backend): AppModel {
  const errors = new ErrorLog();
  const phone = new Phone(backend, errors);
  installDebugHooks(phone);
  return { backend, support: probeWebrtc(), errors, phone, history: new History(backend, errors), accounts: new Accounts(backend) };
}
