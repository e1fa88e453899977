// SIP calls end to end against the real SIP lab (Kamailio, rtpengine, baresip, coturn) from
// Callscope's browser mode in Debian's Chromium. One lab and one Chromium serve the whole suite;
// each group has its own Callscope (home, journal, accounts). Every test reads the journal back
// through `callscope calls show --json` (app-level events, which no command shows, from SQLite).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { providerSuite, suite } from '../harness.mjs';
import { answeredCalls } from './calls.mjs';
import { dialPlanFailures, registrationFailure } from './failures.mjs';
import { mediaFailures, relayCalls } from './ice.mjs';
import { incomingCalls } from './incoming.mjs';

providerSuite('sip');

answeredCalls();
dialPlanFailures();
registrationFailure();
relayCalls();
mediaFailures();
incomingCalls();

// Chromium may answer getStats with a report from just before 'connected' (it caches stats
// briefly); the media watch asks again until it has the pair. The tests above check a pair only
// when there is one; this one checks every connected call had one.
test('every connected call of the suite journaled its selected candidate pair', () => {
  assert.ok(suite.pairs.length >= 5, `${suite.pairs.length} pairs checked`);
  const missing = suite.pairs.filter(({ pair }) => !pair.local || !pair.remote).map(({ label }) => label);
  assert.deepEqual(missing, []);
});
