import { describe, expect, it } from 'vitest';
import { importsOf, problems, unitOf } from './layers.mjs';

describe('the UI layer check', () => {
  it('puts files in units: folders, each provider folder, the provider list, the root', () => {
    expect(unitOf('calls/session.ts')).toBe('calls');
    expect(unitOf('providers/sip/line.ts')).toBe('providers/sip');
    expect(unitOf('providers/core/line-core.ts')).toBe('providers/core');
    expect(unitOf('providers/index.ts')).toBe('providers');
    expect(unitOf('views/accounts/AccountForm.svelte')).toBe('views');
    expect(unitOf('main.ts')).toBe('(root)');
  });

  it('accepts imports that point down', () => {
    expect(
      problems([
        { from: 'providers/sip/line.ts', to: 'providers/core/line-core.ts' },
        { from: 'calls/session.ts', to: 'journal/call-sink.ts' },
        { from: 'providers/sip/call.test.ts', to: 'testing/sip/sip-lab.ts' },
        { from: 'testing/sip/sip-lab.ts', to: 'providers/sip/line.ts' },
        // A new provider's folder is a provider module like the others.
        { from: 'providers/vonage/line.ts', to: 'providers/core/line-core.ts' },
        { from: 'providers/index.ts', to: 'providers/vonage/module.ts' },
      ]),
    ).toEqual([]);
  });

  it('refuses an upward import, a provider importing another, product code importing tests, an unknown unit', () => {
    expect(
      problems([
        { from: 'providers/core/call-core.ts', to: 'calls/session.ts' },
        { from: 'providers/telnyx/line.ts', to: 'providers/sip/registration.ts' },
        { from: 'providers/vonage/call.ts', to: 'providers/twilio/events.ts' },
        { from: 'app/model.ts', to: 'testing/fake-backend.ts' },
        { from: 'gadgets/x.ts', to: 'api/errors.ts' },
      ]),
    ).toEqual([
      'providers/core/call-core.ts imports calls/session.ts: "providers/core" is below "calls" (imports point down)',
      'providers/telnyx/line.ts imports providers/sip/registration.ts: "providers/telnyx" and "providers/sip" are siblings and must not import each other',
      'providers/vonage/call.ts imports providers/twilio/events.ts: "providers/vonage" and "providers/twilio" are siblings and must not import each other',
      'app/model.ts imports testing/fake-backend.ts: product code must not import test support',
      'gadgets/x.ts: the unit "gadgets" is in no layer (add it to LAYERS in ui/scripts/layers.mjs)',
    ]);
  });

  it('names a circle of units', () => {
    const found = problems([
      { from: 'calls/a.ts', to: 'app/b.ts' },
      { from: 'app/b.ts', to: 'calls/c.ts' },
    ]);
    expect(found).toContain('units import each other in a circle: app → calls → app');
  });

  it('reads static, type-only and dynamic imports and re-exports, of .ts and of .svelte scripts', () => {
    const ts = `import { a } from './a';\nimport type { B } from '../b';\nexport { c } from './c';\nconst d = await import('./d');\nimport x from 'svelte';`;
    expect(importsOf(ts, false)).toEqual(['./a', '../b', './c', './d']);
    const svelte = `<script lang="ts">\n  import View from './View.svelte';\n</script>\n<p>import nothing from './here'</p>`;
    expect(importsOf(svelte, true)).toEqual(['./View.svelte']);
  });
});
