// Debian's Chromium through playwright-core, with a fake microphone fed from a WAV file.

import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';

/** A 440 Hz tone (48 kHz mono, 16 bit) as the microphone: loud and steady, easy to detect. */
export function toneWav(dir) {
  const path = join(dir, 'tone48k.wav');
  if (!existsSync(path)) {
    execFileSync('sox', ['-n', '-r', '48000', '-c', '1', '-b', '16', path, 'synth', '60', 'sine', '440', 'vol', '0.5']);
  }
  return path;
}

/** Chromium with a fake microphone; `extraArgs` for e.g. `--host-resolver-rules` to reach the lab. */
export async function launchChromium({ wav, extraArgs = [] }) {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-quic',
      '--use-fake-device-for-media-stream',
      '--use-fake-ui-for-media-stream',
      `--use-file-for-fake-audio-capture=${wav}`,
      '--allow-loopback-in-peer-connection',
      '--disable-features=WebRtcHideLocalIpsWithMdns',
      '--autoplay-policy=no-user-gesture-required',
      ...extraArgs,
    ],
  });
}

/** Open browser mode's printed address and wait until the UI says it is ready. */
export async function openApp(browser, url) {
  const page = await browser.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
  await page.goto(url);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 15000 });
  return { page, problems };
}

/** Inbound and outbound RTP counters of the call's peer connection. */
export async function rtpCounters(page) {
  return page.evaluate(async () => {
    const pc = window.callscopeDebug?.peerConnection();
    if (!pc) return null;
    const out = { packetsReceived: 0, packetsSent: 0, totalAudioEnergy: 0, audioLevel: 0 };
    (await pc.getStats()).forEach((s) => {
      if (s.type === 'inbound-rtp' && s.kind === 'audio') {
        out.packetsReceived = s.packetsReceived ?? 0;
        out.totalAudioEnergy = s.totalAudioEnergy ?? 0;
        out.audioLevel = s.audioLevel ?? 0;
      }
      if (s.type === 'outbound-rtp' && s.kind === 'audio') out.packetsSent = s.packetsSent ?? 0;
    });
    return out;
  });
}
