import type { Socket } from 'jssip';
import type { UA, UAConfiguration } from 'jssip/lib/UA';

/** The parts of JsSIP a SIP line builds on; tests swap the socket for a scripted server. */
export interface SipStack {
  /** The WebSocket towards the account's WSS URI (JsSIP's `WebSocketInterface`). */
  createSocket(url: string): Socket;
  createUa(config: UAConfiguration): UA;
  /** JsSIP's version, for the User-Agent header. */
  version: string;
}

/** JsSIP, loaded when the first SIP line starts (it stays out of the start-up bundle). */
export async function loadJsSip(): Promise<SipStack> {
  const module = await import('jssip');
  // JsSIP is CommonJS: depending on the bundler its exports arrive as named exports or as `default`.
  const JsSIP = ((module as unknown as { default?: typeof module }).default ?? module) as typeof module;
  return {
    createSocket: (url) => new JsSIP.WebSocketInterface(url),
    createUa: (config) => new JsSIP.UA(config),
    version: JsSIP.version,
  };
}
