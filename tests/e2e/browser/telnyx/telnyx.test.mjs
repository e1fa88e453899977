// Telnyx calls end to end: Callscope's browser mode in Debian's Chromium, the unmodified
// @telnyx/webrtc SDK talking to the lab's Verto emulator (`callscope-lab telnyx`) through
// Chromium's host rules for rtc.telnyx.com, and the login token minted by the backend from the
// lab's REST fake (the account is added with the CLI). One lab and one Chromium serve the whole
// suite; each group has its own Callscope. Every test reads the journal back through
// `callscope calls show --json` (app-level events, which no command shows, from SQLite).
// Runs in a loopback-only network namespace (scripts/isolated): Chromium's STUN/TURN lookups
// ignore the host rules, so the SDK's default ICE hosts must fail locally.

import { providerSuite } from '../harness.mjs';
import { answeredCalls } from './calls.mjs';
import { callsTheNetworkEnds } from './failures.mjs';
import { reconnects } from './reconnect.mjs';
import { incomingCalls } from './incoming.mjs';
import { loginAndFrames } from './login.mjs';

providerSuite('telnyx');

answeredCalls();
callsTheNetworkEnds();
reconnects();
incomingCalls();
loginAndFrames();
