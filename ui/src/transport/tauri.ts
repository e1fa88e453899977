import { invoke } from '@tauri-apps/api/core';
import { listen } from '@tauri-apps/api/event';
import type { Event as ServerEvent } from '../api/generated';
import { type Backend, type BackendEvent, type Method, type Params, type Result } from '../api/backend';
import { Listeners } from '../lib/listeners';
import { ApiFailure, failureFromApiError, isApiError } from '../api/errors';

/** The event name the desktop shell emits every backend event under. */
export const EVENT_NAME = 'callscope-event';

/** The desktop window: Tauri IPC (`rpc` command) for calls, Tauri events for events. */
export function createTauriBackend(): Backend {
  const listeners = new Listeners<BackendEvent>();
  const subscribed = listen<ServerEvent>(EVENT_NAME, (event) => listeners.emit(event.payload)).then(
    () => undefined,
    (error: unknown) => {
      const failure = failureFromIpc('listen', error);
      console.error(`could not listen to the app's events: ${failure.message}`);
      throw failure;
    },
  );
  // Logged above; callers of eventsReady() still see the rejection.
  subscribed.catch(() => undefined);

  return {
    face: 'window',
    async call<M extends Method>(method: M, params: Params<M>): Promise<Result<M>> {
      try {
        return await invoke<Result<M>>('rpc', { request: { method, params } });
      } catch (error) {
        throw failureFromIpc(method, error);
      }
    },
    onEvent: (cb) => listeners.add(cb),
    eventsReady: () => subscribed,
  };
}

/** A rejected invoke carries the backend's `ApiError`; Tauri's own failures are strings. */
export function failureFromIpc(method: string, error: unknown): ApiFailure {
  if (isApiError(error)) return failureFromApiError(error, method);
  const message = error instanceof Error ? error.message : typeof error === 'string' ? error : JSON.stringify(error);
  return new ApiFailure('ipc', `${method}: ${message}`, 'The desktop shell refused the request; see the app log.', method);
}
