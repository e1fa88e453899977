import type { Backend } from '../api/backend';
import type { AppInfo, WebrtcSupport } from '../api/generated';

/** What this page's engine can do for calls. */
export function probeWebrtc(global: typeof globalThis = globalThis): WebrtcSupport {
  const nav = global.navigator as Navigator | undefined;
  return {
    rtc_peer_connection: typeof global.RTCPeerConnection !== 'undefined',
    get_user_media: typeof nav?.mediaDevices?.getUserMedia === 'function',
    secure_context: global.isSecureContext === true,
    user_agent: nav?.userAgent ?? '',
  };
}

/**
 * Ask the backend who it is, report what this engine can do, then say the UI is ready
 * (`body[data-ready="true"]` and an info line `ui ready` in the app log).
 */
export async function startUp(backend: Pick<Backend, 'call'>, support: WebrtcSupport): Promise<AppInfo> {
  const info = await backend.call('app_info', {});
  await backend.call('report_webrtc', support);
  document.body.dataset.ready = 'true';
  await backend.call('log', { level: 'info', message: 'ui ready' });
  return info;
}
