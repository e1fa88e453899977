// Talk to browser mode's API from Node, as a page would: key → cookie → typed requests.

export async function session(url) {
  const response = await fetch(url, { redirect: 'manual' });
  if (response.status !== 303) throw new Error(`expected 303 for the key, got ${response.status}`);
  const cookie = response.headers.get('set-cookie').split(';')[0];
  const origin = new URL(url).origin;
  return {
    origin,
    cookie,
    async rpc(method, params = {}) {
      const r = await fetch(`${origin}/api/rpc`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', cookie, origin },
        body: JSON.stringify({ method, params }),
      });
      const body = await r.json();
      if (!r.ok) throw new Error(`${method}: ${r.status} ${JSON.stringify(body)}`);
      return body;
    },
  };
}
