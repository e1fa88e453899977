// Twilio calls end to end: Callscope's browser mode in Debian's Chromium, the unmodified
// @twilio/voice-sdk talking to the lab's PStream emulator (`callscope-lab twilio`) through
// Chromium's host rules for voice-js.*.twilio.com, and the Access Token signed by the backend with
// the API key secret from the keychain (the account is added with the CLI). One lab and one
// Chromium serve the whole suite; each group has its own Callscope. Every test reads the journal
// back through `callscope calls show --json` (app-level events, which no command shows, from SQLite).
// Runs in a loopback-only network namespace (scripts/isolated) with a private keyring (scripts/with-keyring).

import { providerSuite } from '../harness.mjs';
import { answeredCalls } from './calls.mjs';
import { callsTheNetworkEnds } from './failures.mjs';
import { reconnects } from './reconnect.mjs';
import { incomingCalls } from './incoming.mjs';
import { device } from './device.mjs';
import { tokens } from './token.mjs';

providerSuite('twilio');

answeredCalls();
callsTheNetworkEnds();
reconnects();
incomingCalls();
device();
tokens();
