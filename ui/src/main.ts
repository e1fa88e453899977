import { mount } from 'svelte';
import './app.css';
import { connectBackend } from './transport/connect';
import { describeError } from './api/errors';
import App from './App.svelte';
import { createAppModel } from './app/model';
import { installLogForwarding } from './logging/forward';

async function main(): Promise<void> {
  const target = document.getElementById('app');
  if (!target) throw new Error('index.html has no #app element');
  const backend = await connectBackend();
  installLogForwarding((line) => backend.call('log', line));
  mount(App, { target, props: { app: createAppModel(backend) } });
}

main().catch((error: unknown) => {
  // Nothing else can show it: the app did not start.
  const { message } = describeError(error);
  console.error('Callscope could not start:', error);
  document.body.dataset.ready = 'error';
  const notice = document.createElement('p');
  notice.setAttribute('role', 'alert');
  notice.textContent = `Callscope could not start: ${message}`;
  document.body.prepend(notice);
});
