import { ApiFailure } from '../../api/errors';
import type { ProviderModule } from '../core/module';
import { EchoAdapter, type EchoEnvironment, pageEchoEnvironment } from './call';

/** The built-in Echo line: no accounts, no incoming calls; every call is a plain RTCPeerConnection to the backend. */
export function echoProvider(environment: () => EchoEnvironment = pageEchoEnvironment): ProviderModule {
  const module: ProviderModule = {
    id: 'echo',
    label: 'Echo',
    describeLine: () => null,
    start: (page) => ({
      module,
      lines: null,
      dial: () => new EchoAdapter(page.backend, environment()),
      answer: () => {
        throw new ApiFailure('unsupported', 'the Echo line takes no incoming calls');
      },
    }),
  };
  return module;
}
