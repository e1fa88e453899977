// @vitest-environment jsdom
import { flushSync, mount, unmount } from 'svelte';
import { afterEach, describe, expect, it } from 'vitest';
import type { Diagnosis } from '../api/generated';
import { CallJournal } from '../calls/call-journal.svelte';
import { FakeBackend, event, settle, summary } from '../testing/fake-backend';
import DiagnosisPanel from './DiagnosisPanel.svelte';

let component: Record<string, unknown> | null = null;

afterEach(() => {
  if (component) unmount(component);
  component = null;
  document.body.innerHTML = '';
});

const REJECTED: Diagnosis = {
  summary: 'Rejected before routing: ended right after trying, never rang',
  explanation: 'The provider accepted the call, then ended it without ringing.',
  outcome: 'failed',
  confidence: 'high',
  fix: ['Check the outbound voice profile.', 'Check the number format.'],
  evidence: [
    { seq: 2, place: 'call', fact: { kind: 'state', state: 'trying' }, note: 'trying: the provider took the call' },
    { seq: 3, place: 'call', fact: { kind: 'state', state: 'ended' }, note: "the call's end, with its codes" },
  ],
  claims: [
    { part: 'summary', text: 'Rejected before routing: ended right after trying, never rang', evidence: [0, 1] },
    { part: 'explanation', text: 'The provider accepted the call, then ended it without ringing.', evidence: [0, 1] },
    { part: 'fix', text: 'Check the outbound voice profile.', evidence: [0, 1] },
    { part: 'fix', text: 'Check the number format.', evidence: [0, 1] },
  ],
  codes: [{ catalog: 'Q.850', code: '16', name: 'Normal call clearing', meaning: 'One of the parties hung up.', caveat: '16 does not mean rejected.' }],
  also: [],
  rule: 'rejected_before_routing',
};

describe('the diagnosis panel', () => {
  it('leads with what happened and the fix, with the evidence and raw events one click away', () => {
    const target = document.createElement('div');
    document.body.append(target);
    const events = [event('c', 2, 'state', { state: 'trying', from: 'dialing' }), event('c', 3, 'state', { state: 'ended', cause: 'NORMAL_CLEARING' })];
    component = mount(DiagnosisPanel, { target, props: { diagnosis: REJECTED, events } });
    flushSync();
    const panel = target.querySelector<HTMLElement>('[data-testid="diagnosis"]')!;
    expect(panel.dataset.rule).toBe('rejected_before_routing');
    expect(panel.querySelector('[data-testid="diagnosis-summary"]')!.textContent).toBe(REJECTED.summary);
    expect([...panel.querySelectorAll('[data-testid="diagnosis-fix"] li')].map((li) => li.textContent)).toEqual(REJECTED.fix);
    const evidence = panel.querySelector<HTMLDetailsElement>('[data-testid="diagnosis-evidence"]')!;
    expect(evidence.open).toBe(false);
    expect(evidence.textContent).toContain('#3');
    expect(evidence.textContent).toContain('"cause": "NORMAL_CLEARING"');
    expect(evidence.textContent).toContain('Q.850 16: Normal call clearing');
    expect(evidence.textContent).toContain('Careful: 16 does not mean rejected.');
  });
});

describe('the current call journal', () => {
  it('fetches the diagnosis when the call ends', async () => {
    const backend = new FakeBackend();
    const journal = new CallJournal(backend);
    backend.handle('get_call', () => ({ call: summary(1, '100', { id: 'call-1', state: 'ended' }), events: [], diagnosis: REJECTED }));
    journal.follow('call-1');
    await settle();
    expect(journal.diagnosis).toEqual(REJECTED);
    // Another call, still under way: no diagnosis yet.
    backend.handle('get_call', () => ({ call: summary(2, '101', { id: 'call-2', state: 'active' }), events: [], diagnosis: null }));
    journal.follow('call-2');
    expect(journal.diagnosis).toBeNull();
    await settle();
    expect(journal.diagnosis).toBeNull();
    journal.follow('call-1');
    backend.handle('get_call', () => ({ call: summary(1, '100', { id: 'call-1', state: 'ended' }), events: [], diagnosis: REJECTED }));
    journal.handle({ type: 'call', call: summary(1, '100', { id: 'call-1', state: 'ended' }) });
    journal.handle({ type: 'call', call: summary(2, '101', { id: 'call-2', state: 'ended' }) });
    await settle();
    expect(journal.diagnosis?.rule).toBe('rejected_before_routing');
  });
});
