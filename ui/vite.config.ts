/// <reference types="vitest/config" />
import { defineConfig, loadEnv } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';

// The built UI is served by Tauri (desktop window) and by browser mode under a strict CSP
// (`script-src 'self'`), so nothing may be inlined as a script.
export default defineConfig(({ mode }) => ({
  base: '/',
  plugins: [svelte()],
  define: {
    // The hooks end-to-end tests read the page through (`window.callscopeDebug`): in unit tests,
    // and in builds made with CALLSCOPE_TEST_HOOKS=1 (the tests' build); the shipped bundle has
    // none of their code (scripts/check-bundle checks it).
    'import.meta.env.CALLSCOPE_TEST_HOOKS': JSON.stringify(mode === 'test' || loadEnv(mode, '.', 'CALLSCOPE_').CALLSCOPE_TEST_HOOKS === '1'),
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // Every asset a file of its own: no data: URLs.
    assetsInlineLimit: 0,
  },
  // Component tests mount Svelte's client build, not its server build.
  resolve: mode === 'test' ? { conditions: ['browser'] } : {},
  test: {
    // Pure logic runs in Node; files that need a DOM say `@vitest-environment jsdom`.
    environment: 'node',
    include: ['src/**/*.test.ts', 'scripts/**/*.test.mjs'],
    restoreMocks: true,
  },
}));
