import type { Backend, Face } from '../api/backend';

/** The desktop window has Tauri's IPC; anything else is browser mode. */
export function detectFace(global: object = globalThis): Face {
  return '__TAURI_INTERNALS__' in global ? 'window' : 'browser';
}

/** Pick the transport for this page. */
export async function connectBackend(): Promise<Backend> {
  if (detectFace() === 'window') {
    const { createTauriBackend } = await import('./tauri');
    return createTauriBackend();
  }
  const { createHttpBackend } = await import('./http');
  return createHttpBackend();
}
