/**
 * The Device's sounds, served with the app from ui/public/sounds/ (8 kHz 16-bit mono WAVs made
 * with sox), so the SDK never fetches its defaults from sdk.twilio.com (reference/twilio.md §2.6).
 * `incoming` is a double ring with a pause (the SDK loops it), `outgoing` and `disconnect` short
 * chimes, `dtmf*` 120 ms ITU-T Q.23 dual tones. Regenerate with e.g.
 * `sox -n -r 8000 -b 16 -c 2 a.wav synth 0.12 sine 941 sine 1336 vol 0.3 && sox a.wav -c 1 dtmf-0.wav remix 1,2`.
 */
export const TWILIO_SOUNDS: Readonly<Record<string, string>> = Object.freeze({
  incoming: '/sounds/incoming.wav',
  outgoing: '/sounds/outgoing.wav',
  disconnect: '/sounds/disconnect.wav',
  dtmf0: '/sounds/dtmf-0.wav',
  dtmf1: '/sounds/dtmf-1.wav',
  dtmf2: '/sounds/dtmf-2.wav',
  dtmf3: '/sounds/dtmf-3.wav',
  dtmf4: '/sounds/dtmf-4.wav',
  dtmf5: '/sounds/dtmf-5.wav',
  dtmf6: '/sounds/dtmf-6.wav',
  dtmf7: '/sounds/dtmf-7.wav',
  dtmf8: '/sounds/dtmf-8.wav',
  dtmf9: '/sounds/dtmf-9.wav',
  dtmfs: '/sounds/dtmf-star.wav',
  dtmfh: '/sounds/dtmf-hash.wav',
});
