import type { ServerResponse } from 'node:http';
import type { SimulatorCore } from './core.js';
import { ControlError } from './errors.js';
import { sendJson, sendText, SimRequest } from './http.js';

/**
 * The page where a person plays a customer writing to a Facebook page. Its HTML, CSS and script
 * are string constants so they ship inside the compiled `.js` (nest build copies no other files).
 */
export function handleCustomerPage(core: SimulatorCore, req: SimRequest, res: ServerResponse): boolean {
  if (req.method !== 'GET') return false;
  if (req.path === '/' || req.path === '/chat') {
    sendText(res, 200, 'text/html; charset=utf-8', HTML);
    return true;
  }
  if (req.path === '/assets/chat.css') {
    sendText(res, 200, 'text/css; charset=utf-8', CSS);
    return true;
  }
  if (req.path === '/assets/chat.js') {
    sendText(res, 200, 'text/javascript; charset=utf-8', SCRIPT);
    return true;
  }
  const m = /^\/_sim\/pages\/([^/]+)\/customers\/([^/]+)\/stream$/.exec(req.path);
  if (m) {
    stream(core, decodeURIComponent(m[1]), decodeURIComponent(m[2]), req, res);
    return true;
  }
  return false;
}

/**
 * Server-Sent Events: one snapshot on connect and after every change. While a stream is open the
 * customer counts as looking at the chat, so page messages are read at once (read webhook).
 */
function stream(
  core: SimulatorCore,
  pageId: string,
  psid: string,
  req: SimRequest,
  res: ServerResponse,
): void {
  try {
    core.requireCustomer(pageId, psid);
  } catch (e) {
    if (e instanceof ControlError) return sendJson(res, e.status, { error: e.message });
    throw e;
  }
  res.writeHead(200, {
    'Content-Type': 'text/event-stream',
    'Cache-Control': 'no-store',
    Connection: 'keep-alive',
  });
  let scheduled = false;
  const push = () => {
    if (scheduled) return;
    scheduled = true;
    setImmediate(() => {
      scheduled = false;
      const customer = core.state.customer(pageId, psid);
      if (!customer) return; // reset removed a customer created at run time
      const page = core.state.page(pageId)!;
      const status = core.webhooks.status();
      res.write(
        `data: ${JSON.stringify({
          customer: core.customerView(customer),
          page: {
            id: page.id,
            name: page.name,
            subscribed: page.subscribedFields.length > 0,
            note: core.subscriptionNote(pageId) ?? null,
          },
          webhook: { url: status.url ?? null, problem: status.problem ?? null, queued: status.queued },
          conversation: core.conversation(pageId, psid),
        })}\n\n`,
      );
    });
  };
  const stop = core.listen(psid, push);
  const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), 15_000);
  push();
  // Opening the chat reads what the page already sent.
  if (core.state.conversation(psid).some((i) => i.from === 'page' && !i.readAt))
    core.customerReads(pageId, psid);
  req.raw.on('close', () => {
    clearInterval(keepAlive);
    stop();
  });
}

const HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Messenger simulator: chat as a customer</title>
<link rel="stylesheet" href="/assets/chat.css">
<script src="/assets/chat.js" defer></script>
</head>
<body>
<header class="top">
  <h1>Messenger simulator</h1>
  <p>Chat with a Facebook page as one of its customers. Parley receives what you write through its webhook.</p>
</header>
<main class="layout">
  <section class="side" aria-labelledby="who-heading">
    <h2 id="who-heading">Who is writing</h2>
    <label for="page">Page</label>
    <select id="page"></select>
    <label for="customer">Customer</label>
    <select id="customer"></select>
    <form id="new-customer" class="row">
      <label for="new-customer-name" class="visually-hidden">New customer name</label>
      <input id="new-customer-name" name="name" placeholder="New customer name" autocomplete="off" required>
      <button type="submit">Add customer</button>
    </form>
    <p id="customer-info" class="hint"></p>
    <button type="button" id="block" class="secondary">Block the page</button>
  </section>
  <section class="chat" aria-labelledby="chat-heading">
    <h2 id="chat-heading">Conversation</h2>
    <div id="status" role="status" class="status" hidden></div>
    <ol id="messages" class="messages" role="log" aria-live="polite" aria-label="Messages"></ol>
    <form id="composer" class="composer">
      <label for="message" class="visually-hidden">Message</label>
      <input id="message" name="message" placeholder="Aa" autocomplete="off">
      <button type="submit" id="send">Send</button>
    </form>
    <div class="row attach">
      <button type="button" id="send-photo" class="secondary">Send a photo</button>
      <label for="file" class="file-label">Attach file</label>
      <input type="file" id="file">
    </div>
  </section>
</main>
</body>
</html>
`;

const CSS = `
*{box-sizing:border-box}
body{margin:0;font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;background:#f0f2f5;color:#1c1e21}
.top{background:#0866ff;color:#fff;padding:.75rem 1rem}
.top h1{margin:0;font-size:1.35rem}
.top p{margin:.25rem 0 0;font-size:.9rem;opacity:.9}
.layout{display:grid;grid-template-columns:280px 1fr;gap:1rem;max-width:1100px;margin:1rem auto;padding:0 1rem}
.side,.chat{background:#fff;border-radius:10px;padding:1rem;box-shadow:0 1px 3px #0002}
h2{font-size:1rem;margin:0 0 .75rem}
label{display:block;font-size:.85rem;color:#65676b;margin:.5rem 0 .2rem}
select,input{width:100%;font:inherit;padding:.45rem .6rem;border:1px solid #ccd0d5;border-radius:6px;background:#fff}
button{font:inherit;padding:.45rem .9rem;border:0;border-radius:6px;background:#0866ff;color:#fff;cursor:pointer;white-space:nowrap}
button.secondary{background:#e4e6eb;color:#050505}
button:focus-visible,input:focus-visible,select:focus-visible{outline:2px solid #0866ff;outline-offset:2px}
.row{display:flex;gap:.5rem;align-items:center;margin-top:.5rem}
.hint{font-size:.85rem;color:#65676b}
.chat{display:flex;flex-direction:column;min-height:70vh}
.messages{list-style:none;margin:0;padding:.5rem;flex:1;overflow-y:auto;display:flex;flex-direction:column;gap:.35rem;max-height:60vh}
.msg{max-width:75%;padding:.45rem .75rem;border-radius:18px;line-height:1.3;word-wrap:break-word}
.msg.customer{align-self:flex-end;background:#0866ff;color:#fff}
.msg.page{align-self:flex-start;background:#e4e6eb}
.msg.note{align-self:center;background:none;color:#65676b;font-size:.8rem}
.msg img{max-width:200px;border-radius:8px;display:block}
.msg a{color:inherit}
.meta{display:block;font-size:.7rem;opacity:.75;margin-top:.15rem}
.status{background:#fff4e5;border:1px solid #f0b429;color:#6b4a00;border-radius:6px;padding:.5rem .75rem;margin-bottom:.5rem}
.status.bad{background:#fdecea;border-color:#e0245e;color:#8a0d2e}
.composer{display:flex;gap:.5rem;margin-top:.5rem}
.attach input[type=file]{width:auto;border:0;padding:0}
.file-label{margin:0}
.visually-hidden{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
@media (max-width:700px){.layout{grid-template-columns:1fr;padding:0 .5rem}.chat{min-height:60vh}.msg{max-width:88%}}
`;

// Plain browser script (no framework, no build): the simulator serves it as a file.
const SCRIPT = `'use strict';
(function () {
  var $ = function (id) { return document.getElementById(id); };
  var state = null, source = null, current = null, lastSnapshot = null;

  function api(method, path, body) {
    return fetch(path, {
      method: method,
      headers: body ? { 'Content-Type': 'application/json' } : {},
      body: body ? JSON.stringify(body) : undefined
    }).then(function (r) {
      return r.json().then(function (j) { if (!r.ok) throw new Error(j.error || ('HTTP ' + r.status)); return j; });
    });
  }

  function option(value, text) { var o = document.createElement('option'); o.value = value; o.textContent = text; return o; }

  function loadState(keep) {
    return api('GET', '/_sim/state').then(function (s) {
      state = s;
      var pageSel = $('page'), pageId = keep && keep.pageId || pageSel.value || (location.hash.slice(1).split('/')[0]);
      pageSel.replaceChildren.apply(pageSel, s.pages.map(function (p) { return option(p.id, p.name); }));
      if (pageId && s.pages.some(function (p) { return p.id === pageId; })) pageSel.value = pageId;
      fillCustomers(keep && keep.psid || (location.hash.slice(1).split('/')[1]));
    });
  }

  function fillCustomers(psid) {
    var page = state.pages.find(function (p) { return p.id === $('page').value; });
    var sel = $('customer');
    sel.replaceChildren.apply(sel, page.customers.map(function (c) {
      return option(c.psid, (c.name || 'Customer without a profile') + ' (' + c.psid + ')');
    }));
    if (psid && page.customers.some(function (c) { return c.psid === psid; })) sel.value = psid;
    connect();
  }

  function connect() {
    var pageId = $('page').value, psid = $('customer').value;
    if (!pageId || !psid) return;
    if (current && current.pageId === pageId && current.psid === psid) return;
    if (source) source.close();
    current = { pageId: pageId, psid: psid };
    history.replaceState(null, '', '#' + pageId + '/' + psid);
    $('messages').replaceChildren();
    source = new EventSource('/_sim/pages/' + pageId + '/customers/' + psid + '/stream');
    source.onmessage = function (e) { render(JSON.parse(e.data)); };
  }

  function time(ms) { return new Date(ms).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' }); }

  function render(snap) {
    lastSnapshot = snap;
    var c = snap.customer;
    $('customer-info').textContent = (c.hasProfile ? c.name : 'No profile available') + ' \\u00b7 PSID ' + c.psid + (c.blocked ? ' \\u00b7 has blocked the page' : '');
    $('block').textContent = c.blocked ? 'Unblock the page' : 'Block the page';
    var status = $('status'), problem = null, bad = false;
    if (!snap.webhook.url) problem = 'No webhook URL is configured: nothing is delivered to Parley.';
    else if (!snap.page.subscribed) { problem = 'Parley is not subscribed to ' + snap.page.name + (snap.page.note ? ' (' + snap.page.note + ')' : '') + ': messages are not delivered.'; bad = true; }
    else if (snap.webhook.problem) { problem = snap.webhook.problem + '.'; bad = true; }
    status.hidden = !problem; status.textContent = problem || ''; status.className = 'status' + (bad ? ' bad' : '');
    var list = $('messages');
    list.replaceChildren.apply(list, snap.conversation.map(item));
    list.scrollTop = list.scrollHeight;
  }

  function item(i) {
    var li = document.createElement('li');
    li.className = 'msg ' + (i.kind === 'reaction' ? 'note' : i.from);
    if (i.kind === 'reaction') { li.textContent = 'You reacted ' + i.reaction.emoji; return li; }
    if (i.kind === 'postback') li.append(document.createTextNode('\\u25b6 ' + i.postback.title));
    if (i.text) li.append(document.createTextNode(i.text));
    (i.attachments || []).forEach(function (a) {
      if (a.type === 'image' && a.url) { var img = document.createElement('img'); img.src = a.url; img.alt = a.name || 'image'; li.append(img); }
      else { var link = document.createElement('a'); link.href = a.url || '#'; link.textContent = (a.name || a.type) + ' (' + a.type + ')'; link.target = '_blank'; li.append(link); }
    });
    var meta = document.createElement('span'); meta.className = 'meta';
    meta.textContent = time(i.at) + (i.from === 'page' ? (i.readAt ? ' \\u00b7 Seen' : i.deliveredAt ? ' \\u00b7 Delivered' : '') : '');
    li.append(meta);
    return li;
  }

  function write(body) {
    if (!current) return Promise.resolve();
    return api('POST', '/_sim/pages/' + current.pageId + '/customers/' + current.psid + '/messages', body)
      .catch(function (e) { alert(e.message); });
  }

  document.addEventListener('DOMContentLoaded', function () {
    loadState();
    $('page').addEventListener('change', function () { fillCustomers(); });
    $('customer').addEventListener('change', connect);
    $('composer').addEventListener('submit', function (e) {
      e.preventDefault();
      var text = $('message').value.trim();
      if (!text) return;
      $('message').value = '';
      write({ text: text });
    });
    $('send-photo').addEventListener('click', function () { write({ attachment: { type: 'image' } }); });
    $('file').addEventListener('change', function () {
      var f = $('file').files[0];
      if (!f) return;
      var reader = new FileReader();
      reader.onload = function () {
        var data = String(reader.result).split(',')[1] || '';
        var type = /^image\\//.test(f.type) ? 'image' : /^video\\//.test(f.type) ? 'video' : /^audio\\//.test(f.type) ? 'audio' : 'file';
        write({ attachment: { type: type, name: f.name, dataBase64: data, contentType: f.type || undefined } }).then(function () { $('file').value = ''; });
      };
      reader.readAsDataURL(f);
    });
    $('new-customer').addEventListener('submit', function (e) {
      e.preventDefault();
      var name = $('new-customer-name').value.trim();
      api('POST', '/_sim/pages/' + $('page').value + '/customers', { name: name }).then(function (c) {
        $('new-customer-name').value = '';
        current = null;
        return loadState({ pageId: c.pageId, psid: c.psid });
      }).catch(function (e) { alert(e.message); });
    });
    $('block').addEventListener('click', function () {
      if (!current || !lastSnapshot) return;
      api('POST', '/_sim/pages/' + current.pageId + '/customers/' + current.psid + (lastSnapshot.customer.blocked ? '/unblock' : '/block'));
    });
  });
})();
`;
