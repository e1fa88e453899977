/** What end-to-end tests read from the page. */
export interface CallscopeDebug {
  peerConnection(): RTCPeerConnection | null;
  callId(): string | null;
  state(): string;
}

declare global {
  interface Window {
    callscopeDebug?: CallscopeDebug;
  }
}

export function installDebugHooks(phone: CallscopeDebugSource, target: Window = window): void {
  target.callscopeDebug = {
    peerConnection: () => phone.peerConnection(),
    callId: () => phone.callId,
    state: () => phone.state,
  };
}

export interface CallscopeDebugSource {
  peerConnection(): RTCPeerConnection | null;
  readonly callId: string | null;
  readonly state: string;
}
