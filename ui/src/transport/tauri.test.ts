// @vitest-environment jsdom
import { clearMocks, mockIPC } from '@tauri-apps/api/mocks';
import { emit } from '@tauri-apps/api/event';
import { afterEach, describe, expect, it } from 'vitest';
import type { BackendEvent } from '../api/backend';
import { detectFace } from './connect';
import { ApiFailure } from '../api/errors';
import { createTauriBackend, failureFromIpc } from './tauri';

afterEach(() => clearMocks());

describe('Tauri transport', () => {
  it('is chosen when the page has Tauri internals', () => {
    expect(detectFace({})).toBe('browser');
    expect(detectFace({ __TAURI_INTERNALS__: {} })).toBe('window');
  });

  it("invokes the 'rpc' command with {request: {method, params}}", async () => {
    const seen: unknown[] = [];
    mockIPC((cmd, args) => {
      if (cmd !== 'rpc') return undefined; // the event listener's own registration
      seen.push({ cmd, args });
      return [{ number: 1 }];
    });
    const backend = createTauriBackend();
    expect(backend.face).toBe('window');
    await expect(backend.call('list_calls', { limit: 3 })).resolves.toEqual([{ number: 1 }]);
    expect(seen).toEqual([{ cmd: 'rpc', args: { request: { method: 'list_calls', params: { limit: 3 } } } }]);
  });

  it('turns a rejected invoke carrying an ApiError into an ApiFailure', async () => {
    mockIPC((cmd) => {
      if (cmd !== 'rpc') return undefined;
      throw { code: 'wrong_face', message: 'opening browser mode from the app is only available in the desktop window', hint: 'Start Callscope.' };
    });
    const failure = (await createTauriBackend().call('open_browser_mode', {}).catch((e: unknown) => e)) as ApiFailure;
    expect(failure).toBeInstanceOf(ApiFailure);
    expect(failure.code).toBe('wrong_face');
    expect(failure.hint).toBe('Start Callscope.');
    expect(failure.method).toBe('open_browser_mode');
  });

  it("delivers the shell's 'callscope-event' payloads to every listener", async () => {
    mockIPC(() => undefined, { shouldMockEvents: true });
    const backend = createTauriBackend();
    const seen: BackendEvent[] = [];
    backend.onEvent((e) => seen.push(e));
    await backend.eventsReady();
    await emit('callscope-event', { type: 'echo', call_id: 'c1', seq: 1, signal: { signal: 'ringing' } });
    await emit('some-other-event', { type: 'echo' });
    expect(seen).toEqual([{ type: 'echo', call_id: 'c1', seq: 1, signal: { signal: 'ringing' } }]);
  });

  it("keeps Tauri's own string errors", () => {
    const failure = failureFromIpc('app_info', 'command rpc not found');
    expect(failure.code).toBe('ipc');
    expect(failure.message).toBe('app_info: command rpc not found');
  });
});
