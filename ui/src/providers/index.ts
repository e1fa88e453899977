import type { Backend } from '../api/backend';
import type { Provider } from '../api/generated';
import type { ProviderAdapter } from './adapter';
import { ECHO_LABEL, EchoAdapter } from './echo';

/** The lines the dialer offers. SIP, Telnyx and Twilio join here behind the same interface. */
export const LINES: ReadonlyArray<{ provider: Provider; label: string }> = [{ provider: 'echo', label: ECHO_LABEL }];

export type AdapterFactory = (provider: Provider, backend: Backend) => ProviderAdapter;

export const createAdapter: AdapterFactory = (provider, backend) => {
  switch (provider) {
    case 'echo':
      return new EchoAdapter(backend);
    default:
      throw new Error(`calls through ${provider} are not available yet`);
  }
};
