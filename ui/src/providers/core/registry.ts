import { ApiFailure } from '../../api/errors';
import type { Provider } from '../../api/generated';
import type { IncomingCall, ProviderAdapter } from './adapter';
import type { DialTarget, PageServices, ProviderModule, RunningProvider } from './module';

/** What the phone needs: the adapter for each call, placed or answered. */
export interface Adapters {
  dial(line: DialTarget): ProviderAdapter;
  answer(call: IncomingCall): ProviderAdapter;
}

/** Every provider of the app, started on this page: the one place that goes through them all. */
export class Providers implements Adapters {
  readonly running: readonly RunningProvider[];

  constructor(modules: readonly ProviderModule[], page: PageServices) {
    this.running = modules.map((module) => module.start(page));
  }

  find(id: Provider): RunningProvider | null {
    return this.running.find((p) => p.module.id === id) ?? null;
  }

  dial(line: DialTarget): ProviderAdapter {
    if (!line.callable) throw new ApiFailure('unsupported', `calls through ${line.label} are not possible: ${line.reason ?? 'not supported'}`);
    const provider = this.find(line.provider);
    if (!provider) throw new ApiFailure('unsupported', `calls through ${line.provider} are not available yet`);
    return provider.dial(line);
  }

  answer(call: IncomingCall): ProviderAdapter {
    const provider = this.find(call.provider);
    if (!provider) throw new ApiFailure('unsupported', `calls from ${call.provider} lines are not available yet`);
    return provider.answer(call);
  }

  /** Every call ringing in, on any provider's line. */
  onIncoming(cb: (call: IncomingCall) => void): () => void {
    const stops = this.running.map((p) => p.lines?.onIncoming(cb) ?? (() => undefined));
    return () => {
      for (const stop of stops) stop();
    };
  }

  /** Stop every line (unregister, disconnect): the page is going away. */
  stopAll(): void {
    for (const p of this.running) p.lines?.stopAll();
  }
}

/**
 * `defaults`, with the modules in `replacements` standing in for the default ones of the same id
 * (tests pass modules built on fakes of the SDKs).
 */
export function withReplacements(defaults: readonly ProviderModule[], replacements: readonly ProviderModule[] = []): ProviderModule[] {
  return defaults.map((module) => replacements.find((r) => r.id === module.id) ?? module);
}
