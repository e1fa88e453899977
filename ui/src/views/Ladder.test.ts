// @vitest-environment jsdom
import { flushSync, mount, unmount } from 'svelte';
import { afterEach, describe, expect, it } from 'vitest';
import type { JournalEvent } from '../api/generated';
import type { SignalMessage } from '../journal/signal';
import { event, stateEvent } from '../testing/fake-backend';
import Ladder from './Ladder.svelte';

let component: Record<string, unknown> | null = null;

afterEach(() => {
  if (component) unmount(component);
  component = null;
  document.body.innerHTML = '';
});

function render(events: JournalEvent[]) {
  const target = document.createElement('div');
  document.body.append(target);
  component = mount(Ladder, { target, props: { events, label: 'Signalling of the test call' } });
  flushSync();
  return target;
}

const sip = (direction: 'sent' | 'received', text: string): SignalMessage => ({
  direction,
  protocol: 'sip',
  summary: text.split('\r\n')[0]!,
  body: text,
});

const INVITE = [
  'INVITE sip:486@lab.test SIP/2.0',
  'Call-ID: c1',
  'CSeq: 2 INVITE',
  'Proxy-Authorization: Digest username="alice", response="0123456789abcdef0123456789abcdef"',
  'Content-Length: 0',
  '',
  '',
].join('\r\n');

describe('Ladder', () => {
  it('draws the arrows in journal order with time since dialling, and expands one to the full message', () => {
    const events = [
      stateEvent('call-1', 1, 100, 'dialing'),
      event('call-1', 2, 'signal', sip('sent', INVITE), 102, 'signalling'),
      event('call-1', 3, 'signal', sip('received', 'SIP/2.0 100 Trying\r\nCall-ID: c1\r\nCSeq: 2 INVITE\r\n\r\n'), 110, 'signalling'),
      event('call-1', 4, 'media', { pc: 'connection', state: 'new' }, 111),
      event('call-1', 5, 'signal', sip('received', 'SIP/2.0 486 Busy Here\r\nCall-ID: c1\r\nCSeq: 2 INVITE\r\nServer: baresip\r\n\r\n'), 160, 'signalling'),
    ];
    const target = render(events);
    const ladder = target.querySelector('[data-testid="ladder"]')!;
    expect(ladder.textContent).toMatch(/This app.*Proxy.*Far end/s);
    const arrows = [...ladder.querySelectorAll<HTMLElement>('[data-testid="ladder-arrow"]')];
    expect(arrows.map((a) => [a.dataset.direction, a.dataset.peer, a.querySelector('[data-testid="ladder-summary"]')!.textContent])).toEqual([
      ['sent', 'far_end', 'INVITE sip:486@lab.test SIP/2.0'],
      ['received', 'proxy', 'SIP/2.0 100 Trying'],
      ['received', 'far_end', 'SIP/2.0 486 Busy Here'],
    ]);
    expect(arrows.map((a) => a.querySelector('.offset')!.textContent)).toEqual(['+2 ms', '+10 ms', '+60 ms']);
    expect(ladder.querySelector('[data-testid="ladder-message"]')).toBeNull();

    const button = arrows[0]!.querySelector('button')!;
    button.click();
    flushSync();
    expect(button.getAttribute('aria-expanded')).toBe('true');
    const message = arrows[0]!.querySelector('[data-testid="ladder-message"]')!.textContent!;
    expect(message).toContain('INVITE sip:486@lab.test SIP/2.0');
    expect(message).toContain('Proxy-Authorization: [redacted]');
    // Never an Authorization value, even one the capture failed to redact.
    expect(target.textContent).not.toContain('0123456789abcdef');
    button.click();
    flushSync();
    expect(arrows[0]!.querySelector('[data-testid="ladder-message"]')).toBeNull();
  });

  it('says when there is no signalling yet', () => {
    const target = render([stateEvent('call-1', 1, 0, 'dialing')]);
    expect(target.querySelector('[data-testid="ladder"]')!.textContent).toContain('No signalling yet.');
  });
});
