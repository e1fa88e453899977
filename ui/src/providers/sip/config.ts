import type { Socket } from 'jssip';
import type { UAConfiguration } from 'jssip/lib/UA';
import type { SipCall } from '../../api/generated';

/** How long a registration lasts before JsSIP refreshes it (seconds). */
export const REGISTER_EXPIRES_S = 300;

/**
 * The JsSIP UA configuration for one account. Authentication uses the HA1 digest and realm the
 * backend hands over: the password itself never reaches the page.
 */
export function uaConfiguration(credentials: SipCall, socket: Socket, userAgent: string): UAConfiguration {
  const config: UAConfiguration = {
    sockets: [socket],
    uri: credentials.sip_uri,
    authorization_user: credentials.auth_user,
    realm: credentials.realm,
    ha1: credentials.ha1,
    register: true,
    register_expires: REGISTER_EXPIRES_S,
    // Session timers would add re-INVITEs of their own to every trace; the lab runs without them.
    session_timers: false,
    connection_recovery_min_interval: 2,
    connection_recovery_max_interval: 30,
    user_agent: userAgent,
  };
  if (credentials.display_name) config.display_name = credentials.display_name;
  return config;
}

/**
 * The peer connection's configuration: the account's STUN/TURN servers and, when the account
 * asks, a relay-only policy; nothing else, so the engine's defaults apply (no forced
 * `bundlePolicy: 'max-bundle'`, default `rtcpMuxPolicy`).
 */
export function pcConfiguration(credentials: Pick<SipCall, 'ice_servers' | 'relay_only'>): RTCConfiguration {
  const config: RTCConfiguration = {
    iceServers: credentials.ice_servers.map((server) => {
      const ice: RTCIceServer = { urls: [...server.urls] };
      if (server.username !== null) ice.username = server.username;
      if (server.credential !== null) ice.credential = server.credential;
      return ice;
    }),
  };
  if (credentials.relay_only) config.iceTransportPolicy = 'relay';
  return config;
}

/**
 * Headers that send out-of-dialog requests (REGISTER, INVITE) through the account's outbound
 * proxy: a pre-loaded loose `Route` (RFC 3261 §8.1.2). In-dialog requests follow the dialog's
 * route set as usual.
 */
export function outboundProxyHeaders(outboundProxy: string | null): string[] {
  const proxy = outboundProxy?.trim();
  if (!proxy) return [];
  const uri = proxy.replace(/^<|>$/g, '');
  return [`Route: <${/;lr\b/i.test(uri) ? uri : `${uri};lr`}>`];
}

/** JsSIP's DTMF transport for the account's DTMF mode. */
export function dtmfTransport(mode: SipCall['dtmf']): 'RFC2833' | 'INFO' {
  return mode === 'info' ? 'INFO' : 'RFC2833';
}
