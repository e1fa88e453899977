import { ApiFailure, errorText } from '../../api/errors';

/** How to load one provider's SDK (see `lazySdk`). */
export interface SdkLoading<Module, Sdk> {
  /** The provider, for messages: `Telnyx`. */
  provider: string;
  /** The SDK's name, for messages: `the Telnyx SDK`. */
  sdk: string;
  /** The error code of a failed load: `telnyx_sdk`. */
  failure: string;
  /** The page's WebSocket class, capturing the SDK's signalling. */
  capturing(native: typeof WebSocket): typeof WebSocket;
  /** `import('the-sdk')`: a chunk of its own, out of the start-up bundle. */
  load(): Promise<Module>;
  wrap(module: Module): Sdk;
}

/**
 * An SDK loaded when its provider's first line starts, once. SDKs keep the WebSocket class they
 * find when their module runs, so for that moment the page's WebSocket is the capturing one: the
 * product observes its own traffic to the provider's signalling hosts, and the SDK itself is not
 * modified. A load that failed is tried again next time.
 */
export function lazySdk<Module, Sdk>(loading: SdkLoading<Module, Sdk>): () => Promise<Sdk> {
  let current: Promise<Sdk> | null = null;
  return () => {
    current ??= (async () => {
      const global = globalThis as { WebSocket?: typeof WebSocket };
      const native = global.WebSocket;
      if (!native) throw new ApiFailure('webrtc', `this page has no WebSocket, so ${loading.provider} calls cannot connect`);
      const capturing = loading.capturing(native);
      global.WebSocket = capturing;
      let module: Module;
      try {
        module = await loading.load();
      } catch (error) {
        throw new ApiFailure(loading.failure, `${loading.sdk} could not be loaded: ${errorText(error)}`);
      } finally {
        if (global.WebSocket === capturing) global.WebSocket = native;
      }
      return loading.wrap(module);
    })();
    const attempt = current;
    attempt.catch(() => {
      if (current === attempt) current = null;
    });
    return attempt;
  };
}
