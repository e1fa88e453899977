/**
 * Where an account's line stands with its provider, whatever the provider: a SIP REGISTER, a
 * Telnyx login, a Twilio Device registration. The dialer shows it; every line reports it.
 */
export type RegistrationState = 'unregistered' | 'registering' | 'registered' | 'failed';

export interface RegistrationStatus {
  state: RegistrationState;
  /** The registrar's last final answer, when there was one (200, 401, 403, ...). */
  status_code: number | null;
  reason: string | null;
  /** What is happening or went wrong, in words (e.g. "connecting to wss://pbx.example.com"). */
  detail: string | null;
  /** What to do about a failure. */
  hint: string | null;
}

export const NOT_REGISTERED: RegistrationStatus = {
  state: 'unregistered',
  status_code: null,
  reason: null,
  detail: null,
  hint: null,
};

export function registering(detail: string): RegistrationStatus {
  return { state: 'registering', status_code: null, reason: null, detail, hint: null };
}

/** One line for the dialer: "registered", "failed: 403 Forbidden", "registering: connecting to …". */
export function registrationText(status: RegistrationStatus): string {
  const code = status.status_code !== null ? `${status.status_code}${status.reason ? ` ${status.reason}` : ''}` : null;
  switch (status.state) {
    case 'registered':
      return 'registered';
    case 'unregistered':
      return status.detail ? `unregistered: ${status.detail}` : 'unregistered';
    case 'registering':
      return status.detail ? `registering: ${status.detail}` : 'registering';
    case 'failed': {
      const parts = [code, status.detail].filter((p): p is string => !!p);
      return parts.length ? `failed: ${parts.join(' · ')}` : 'failed';
    }
  }
}
