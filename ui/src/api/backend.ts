import type { ApiMethods, Event as ServerEvent } from './generated';

/** Which transport this page talks through. */
export type Face = 'window' | 'browser';

export type Method = keyof ApiMethods;
export type Params<M extends Method> = ApiMethods[M]['params'];
export type Result<M extends Method> = ApiMethods[M]['result'];

/**
 * What the event stream itself says, beside the backend's events:
 * - `lagged`: the stream fell behind and dropped `missed` events (the journal still has them:
 *   reload what is shown);
 * - `stream`: the live stream connected or dropped; `resumed` after a reconnect (events may
 *   have been missed while it was down).
 */
export type StreamNotice =
  | { type: 'lagged'; missed: number }
  | { type: 'stream'; connected: boolean; resumed: boolean; detail: string | null };

export type BackendEvent = ServerEvent | StreamNotice;

/** The one typed client every view and engine part uses, whatever the transport. */
export interface Backend {
  readonly face: Face;
  call<M extends Method>(method: M, params: Params<M>): Promise<Result<M>>;
  /** Listen to every backend event; returns the function that stops listening. */
  onEvent(cb: (event: BackendEvent) => void): () => void;
  /**
   * Resolves once the live event stream is connected (the far end's answers arrive on it, so
   * a call must not be dialled before). Rejects with an `ApiFailure` after `timeoutMs`.
   */
  eventsReady(timeoutMs?: number): Promise<void>;
}
