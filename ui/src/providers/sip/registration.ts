/** The realm a digest challenge names (`WWW-Authenticate: Digest realm="lab.test", ...`). */
export function challengeRealm(header: string | null): string | null {
  if (!header) return null;
  return /realm\s*=\s*"([^"]*)"/i.exec(header)?.[1] ?? /realm\s*=\s*([^,\s]+)/i.exec(header)?.[1] ?? null;
}

/** What to do about a registrar's refusal. */
export function registrationHint(status: number | null, offeredRealm: string | null, accountRealm: string): string | null {
  switch (status) {
    case 401:
    case 407:
      if (offeredRealm !== null && offeredRealm !== accountRealm) {
        return `The server's digest realm is "${offeredRealm}" but the account uses "${accountRealm}": set the account's realm to "${offeredRealm}" (the HA1 digest depends on it).`;
      }
      return 'The server did not accept the credentials: check the auth user and the password in the account.';
    case 403:
      return 'The server refused this account: check the SIP URI, the auth user, and that the account may register from this address.';
    case 404:
      return "The registrar does not know this user: check the SIP URI's user and domain.";
    case 423:
      return 'The registrar wants a longer registration interval (423 Interval Too Brief).';
    case 408:
    case 480:
    case 500:
    case 503:
    case 504:
      return 'The registrar did not handle the registration: try again, or check the server.';
    case null:
      return null;
    default:
      return null;
  }
}

/** Why the WebSocket dropped or never opened, in words. */
export function transportDetail(url: string, code: number | undefined, reason: string | undefined): string {
  const why = [code !== undefined ? `code ${code}` : null, reason ? reason : null].filter(Boolean).join(', ');
  return `could not keep a WebSocket to ${url}${why ? ` (${why})` : ''}`;
}

export const TRANSPORT_HINT =
  'Check the account’s WSS URI, that the server is reachable from here, and that its TLS certificate is trusted by this browser.';
