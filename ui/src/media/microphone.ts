import { ApiFailure, errorText, isErrorLike } from '../api/errors';

/** Raw microphone audio: the engine's own processing would hide what the line does to it. */
export const MICROPHONE_CONSTRAINTS: MediaStreamConstraints = {
  audio: { echoCancellation: false, noiseSuppression: false, autoGainControl: false },
};

export type GetUserMedia = (constraints: MediaStreamConstraints) => Promise<MediaStream>;

/** The page's getUserMedia, or null when this engine or context has none. */
export function pageGetUserMedia(): GetUserMedia | null {
  const devices = typeof navigator === 'undefined' ? undefined : navigator.mediaDevices;
  if (!devices || typeof devices.getUserMedia !== 'function') return null;
  return (constraints) => devices.getUserMedia(constraints);
}

/** What to do about a getUserMedia error, by its DOMException name. */
export function microphoneHint(name: string): string | null {
  switch (name) {
    case 'NotAllowedError':
    case 'SecurityError':
      return 'Allow this page to use the microphone (the permission icon in the address bar, or the system privacy settings) and call again.';
    case 'NotFoundError':
    case 'OverconstrainedError':
      return 'No microphone was found. Plug in or enable a microphone or headset and call again.';
    case 'NotReadableError':
    case 'AbortError':
      return 'The microphone is busy or failed to start. Close other apps that use it, or pick another device in the system settings.';
    default:
      return null;
  }
}

/** Open the microphone; failures become an `ApiFailure` that says what to do. */
export async function openMicrophone(getUserMedia: GetUserMedia | null): Promise<MediaStream> {
  if (!getUserMedia) {
    throw new ApiFailure(
      'microphone',
      `microphone: this page cannot use the microphone (no getUserMedia; secure context: ${String(globalThis.isSecureContext)})`,
      'Open Callscope at its http://127.0.0.1 address, in a browser with WebRTC.',
    );
  }
  try {
    return await getUserMedia(MICROPHONE_CONSTRAINTS);
  } catch (error) {
    const name = isErrorLike(error) ? error.name : 'Error';
    throw new ApiFailure('microphone', `microphone: ${errorText(error)}`, microphoneHint(name));
  }
}

/** What the journal keeps about the opened microphone. */
export function describeMicrophone(stream: MediaStream): Record<string, unknown> {
  const track = stream.getAudioTracks()[0];
  if (!track) return { media: 'microphone', tracks: 0 };
  const settings = typeof track.getSettings === 'function' ? track.getSettings() : {};
  return {
    media: 'microphone',
    label: track.label,
    muted: track.muted,
    settings: {
      sampleRate: settings.sampleRate ?? null,
      channelCount: settings.channelCount ?? null,
      echoCancellation: settings.echoCancellation ?? null,
      noiseSuppression: settings.noiseSuppression ?? null,
      autoGainControl: settings.autoGainControl ?? null,
    },
  };
}
