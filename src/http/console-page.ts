/**
 * The web console served at `/`: one self-contained page (no build step,
 * no outside resources) that talks to the HTTP API with the token the
 * user types in (kept in the tab's sessionStorage only). It lists the
 * accounts with their state and counters, adds and links one (the QR
 * drawn from the connection:update events, or a pairing code), streams
 * live events, sends a text or a file, and restarts, stops or logs out an
 * account. Everything it shows comes from authenticated requests; the page
 * itself holds no data. Owns the page's markup and script only.
 */
export const CONSOLE_PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>wad console</title>
<style>
  body { font: 15px/1.4 system-ui, sans-serif; margin: 0 auto; max-width: 70rem; padding: 1rem; color: #111; background: #fafafa; }
  h1 { font-size: 1.4rem; } h2 { font-size: 1.1rem; margin-top: 1.5rem; }
  section { background: #fff; border: 1px solid #ddd; border-radius: 6px; padding: .75rem 1rem; margin-bottom: 1rem; }
  table { border-collapse: collapse; width: 100%; } th, td { text-align: left; padding: .3rem .5rem; border-bottom: 1px solid #eee; vertical-align: top; }
  label { display: inline-block; margin: .2rem .6rem .2rem 0; } input, select, button { font: inherit; padding: .2rem .4rem; }
  button { cursor: pointer; } .state-online { color: #070; font-weight: 600; } .state-failed, .state-loggedOut { color: #a00; }
  #events { font: 12px/1.3 ui-monospace, monospace; max-height: 18rem; overflow: auto; white-space: pre-wrap; margin: 0; }
  #qr svg { width: 16rem; height: 16rem; } .counters { font-size: 12px; color: #555; } [hidden] { display: none; }
  #status { min-height: 1.4em; }
</style>
</head>
<body>
<h1>wad console</h1>
<p id="status" role="status" aria-live="polite"></p>

<section id="login">
  <form id="login-form">
    <label>Token <input id="token" type="password" autocomplete="current-password" required></label>
    <button type="submit">Connect</button>
  </form>
</section>

<div id="app" hidden>
<section aria-labelledby="accounts-h">
  <h2 id="accounts-h">Accounts</h2>
  <table>
    <thead><tr><th scope="col">Account</th><th scope="col">State</th><th scope="col">Jid</th><th scope="col">Counters</th><th scope="col">Actions</th></tr></thead>
    <tbody id="accounts"></tbody>
  </table>
</section>

<section aria-labelledby="add-h">
  <h2 id="add-h">Add an account</h2>
  <form id="add-form">
    <label>Id <input id="add-id" required pattern="[A-Za-z0-9_-]{1,64}"></label>
    <label>Phone (for a pairing code instead of a QR) <input id="add-phone" inputmode="numeric"></label>
    <button type="submit">Add and link</button>
  </form>
  <figure id="qr" hidden><div id="qr-image" role="img" aria-label="QR code to scan with WhatsApp: Settings, Linked devices, Link a device"></div>
    <figcaption>Scan with WhatsApp → Linked devices → Link a device</figcaption></figure>
  <p id="pair-code" hidden></p>
</section>

<section aria-labelledby="send-h">
  <h2 id="send-h">Send</h2>
  <form id="send-form">
    <label>Account <select id="send-account" required></select></label>
    <label>To (phone, jid or group) <input id="send-chat" required></label>
    <label>Text or caption <input id="send-text"></label>
    <label>File <input id="send-file" type="file"></label>
    <button type="submit">Send</button>
  </form>
</section>

<section aria-labelledby="events-h">
  <h2 id="events-h">Live events</h2>
  <pre id="events" aria-live="polite"></pre>
</section>
</div>

<script type="module">
const $ = (id) => document.getElementById(id);
let token = sessionStorage.getItem('wad-token') || '';
const say = (text) => { $('status').textContent = text; };

async function call(path, body) {
  const res = await fetch(path, { method: 'POST', headers: { authorization: 'Bearer ' + token, 'content-type': 'application/json' }, body: JSON.stringify(body || {}) });
  const json = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error((json.error && (json.error.code + ': ' + json.error.message)) || ('HTTP ' + res.status));
  return json;
}

function cell(text, cls) { const td = document.createElement('td'); td.textContent = text; if (cls) td.className = cls; return td; }

async function refresh() {
  const { accounts } = await call('/v1/account/list');
  const body = $('accounts');
  const select = $('send-account');
  const chosen = select.value;
  body.replaceChildren();
  select.replaceChildren();
  for (const a of accounts) {
    const status = await call('/v1/account/status', { account: a.id }).catch(() => a);
    const tr = document.createElement('tr');
    tr.dataset.account = a.id;
    tr.append(cell(a.id), cell(status.state, 'state state-' + status.state), cell(status.jid || ''));
    const counters = status.counters || {};
    tr.append(cell(Object.entries(counters).filter(([, v]) => v).map(([k, v]) => k + ' ' + v).join(', '), 'counters'));
    const actions = document.createElement('td');
    for (const verb of ['restart', 'stop', 'start', 'logout']) {
      const b = document.createElement('button');
      b.type = 'button';
      b.textContent = verb;
      b.setAttribute('aria-label', verb + ' ' + a.id);
      b.onclick = () => call('/v1/account/' + verb, { account: a.id }).then(() => say(a.id + ': ' + verb + ' done'), (e) => say(e.message)).then(refresh);
      actions.append(b);
    }
    tr.append(actions);
    body.append(tr);
    const o = document.createElement('option');
    o.value = o.textContent = a.id;
    select.append(o);
  }
  if (chosen) select.value = chosen;
}

async function drawQr(text) {
  const { svg } = await call('/v1/console/qr', { text });
  const fig = $('qr');
  fig.dataset.qr = text;
  $('qr-image').innerHTML = svg;
  fig.hidden = false;
}

async function stream() {
  for (;;) {
    try {
      const res = await fetch('/v1/events', { headers: { authorization: 'Bearer ' + token } });
      if (!res.ok) throw new Error('events: HTTP ' + res.status);
      const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
      let buf = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buf += value;
        let end;
        while ((end = buf.indexOf('\\n\\n')) >= 0) {
          const block = buf.slice(0, end);
          buf = buf.slice(end + 2);
          const line = block.split('\\n').find((l) => l.startsWith('data:'));
          if (line) onEvent(JSON.parse(line.slice(5)));
        }
      }
    } catch (e) {
      say(e.message);
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
}

function onEvent(frame) {
  const pre = $('events');
  pre.textContent = (frame.tenantId || '') + ' ' + frame.type + ' ' + JSON.stringify(frame.data) + '\\n' + pre.textContent.slice(0, 20000);
  const d = frame.data || {};
  if (frame.type === 'connection:update') {
    if (typeof d.qr === 'string') drawQr(d.qr).catch((e) => say(e.message));
    if (d.state === 'online' && frame.tenantId === $('qr').dataset.account) { $('qr').hidden = true; $('pair-code').hidden = true; say(frame.tenantId + ' is linked'); }
    refresh().catch(() => {});
  }
}

$('add-form').onsubmit = async (ev) => {
  ev.preventDefault();
  const id = $('add-id').value.trim();
  const phone = $('add-phone').value.trim();
  $('qr').dataset.account = id;
  try {
    const r = await call('/v1/account/add', phone ? { account: id, phone } : { account: id });
    if (r.pairCode) { $('pair-code').textContent = 'Pairing code: ' + r.pairCode; $('pair-code').hidden = false; }
    say(id + ' added; ' + (phone ? 'enter the pairing code on the phone' : 'scan the QR'));
    await refresh();
  } catch (e) { say(e.message); }
};

$('send-form').onsubmit = async (ev) => {
  ev.preventDefault();
  const account = $('send-account').value;
  const chat = $('send-chat').value.trim();
  const text = $('send-text').value;
  const file = $('send-file').files[0];
  let data = { type: 'text', content: text };
  if (file) {
    const bytes = new Uint8Array(await file.arrayBuffer());
    let bin = '';
    for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    const kind = file.type.startsWith('image/') ? 'image' : file.type.startsWith('video/') ? 'video' : file.type.startsWith('audio/') ? 'audio' : 'document';
    data = { type: kind, base64: btoa(bin), mimeType: file.type || 'application/octet-stream', fileName: file.name, ...(text ? { caption: text } : {}) };
  }
  try {
    const r = await call('/v1/message/send', { account, chat, ...data });
    say('sent ' + r.messageId);
    $('send-form').dataset.lastSent = r.messageId;
  } catch (e) { say(e.message); }
};

async function start() {
  try {
    await refresh();
  } catch (e) {
    say(e.message);
    return;
  }
  sessionStorage.setItem('wad-token', token);
  $('login').hidden = true;
  $('app').hidden = false;
  say('connected');
  stream();
  setInterval(() => refresh().catch(() => {}), 5000);
}

$('login-form').onsubmit = (ev) => { ev.preventDefault(); token = $('token').value; start(); };
if (token) start();
</script>
</body>
</html>
`;
