/** How long to wait for ICE gathering before sending what we have (no trickle ICE). */
export const ICE_GATHERING_TIMEOUT_MS = 2000;

/** Wait until ICE gathering completes, at most `timeoutMs`. Says which happened. */
export function waitForIceGathering(
  pc: RTCPeerConnection,
  timeoutMs = ICE_GATHERING_TIMEOUT_MS,
): Promise<'complete' | 'timeout'> {
  if (pc.iceGatheringState === 'complete') return Promise.resolve('complete');
  return new Promise((resolve) => {
    const done = (result: 'complete' | 'timeout') => {
      clearTimeout(timer);
      pc.removeEventListener('icegatheringstatechange', onState);
      pc.removeEventListener('icecandidate', onCandidate);
      resolve(result);
    };
    const onState = () => {
      if (pc.iceGatheringState === 'complete') done('complete');
    };
    // A null candidate also means gathering finished (older engines fire only this).
    const onCandidate = (event: Event) => {
      if ((event as RTCPeerConnectionIceEvent).candidate === null) done('complete');
    };
    const timer = setTimeout(() => done('timeout'), timeoutMs);
    pc.addEventListener('icegatheringstatechange', onState);
    pc.addEventListener('icecandidate', onCandidate);
  });
}

/** How many candidates an SDP carries, by type: {host: 2, srflx: 1}. */
export function candidateCounts(sdp: string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const match of sdp.matchAll(/^a=candidate:.* typ (\w+)/gm)) {
    const type = match[1] ?? 'unknown';
    counts[type] = (counts[type] ?? 0) + 1;
  }
  return counts;
}
