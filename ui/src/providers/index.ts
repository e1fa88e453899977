import type { ProviderModule } from './core/module';
import { echoProvider } from './echo/module';
import { sipProvider } from './sip/module';
import { telnyxProvider } from './telnyx/module';
import { twilioProvider } from './twilio/module';

/** Every provider the app offers, in the order the app lists them: one line each. */
export const PROVIDERS: readonly ProviderModule[] = [echoProvider(), sipProvider(), telnyxProvider(), twilioProvider()];
