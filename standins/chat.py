"""The demo's phone: a page where a person writes on WhatsApp as one of the demo's contacts.

Served by the Twilio stand-in (``/``): pick a contact, write, and the message
reaches the app exactly as Twilio would send it (a signed webhook); the
company's answers appear as the stand-in receives them. Beside the chat, what
the company now knows of that debtor, read through the app's API: promises,
objections, handoffs and the whole timeline — and a link to the e-mails.
"""

from __future__ import annotations

from html import escape

PAGE = """<!doctype html>
<html lang="es"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>WhatsApp de la demo</title>
<style>
 body{font-family:Arial,Helvetica,sans-serif;margin:0;background:#ece5dd;color:#111}
 header{background:#075e54;color:#fff;padding:.8rem 1rem;display:flex;gap:1rem;align-items:center;flex-wrap:wrap}
 header a{color:#fff}
 select,input,button{font-size:1rem;padding:.45rem;border-radius:6px;border:1px solid #ccc}
 main{display:flex;gap:1rem;max-width:80rem;margin:0 auto;padding:1rem 1rem 6rem}
 #log{flex:3;min-width:0}
 aside{flex:2;min-width:16rem;background:#fff;border-radius:8px;padding:.8rem;align-self:flex-start;
       max-height:calc(100vh - 10rem);overflow:auto;font-size:.85rem}
 aside h2{font-size:.95rem;margin:.8rem 0 .3rem}aside ul{margin:0;padding-left:1.1rem}
 .msg{max-width:80%;margin:.35rem 0;padding:.5rem .7rem;border-radius:8px;white-space:pre-wrap;box-shadow:0 1px 1px #0002}
 .in{background:#dcf8c6;margin-left:auto}.out{background:#fff}.meta{font-size:.75rem;color:#667}
 .ev{border-bottom:1px solid #eee;padding:.2rem 0}.kind{color:#075e54;font-weight:bold}
 .buttons{display:flex;gap:.4rem;max-width:80%;margin:-.1rem 0 .5rem}
 .buttons button{flex:1;background:#fff;color:#0a7cff;border:0;box-shadow:0 1px 1px #0002;cursor:pointer}
 .buttons button:disabled{color:#999;cursor:default}
 form{position:fixed;bottom:0;left:0;right:0;background:#f0f0f0;padding:.6rem;display:flex;gap:.5rem;justify-content:center}
 #text{flex:1;max-width:38rem}
 @media (max-width:50rem){main{flex-direction:column}aside{max-height:none}}
</style></head><body>
<header><strong>WhatsApp (demo)</strong>
 <label>Escribo como: <select id="who"></select></label>
 <span class="meta" id="status"></span>__MAIL__</header>
<main><div id="log"></div>
<aside><strong id="company">—</strong>
 <h2>Promesas de pago</h2><ul id="promises"></ul>
 <h2>Objeciones</h2><ul id="objections"></ul>
 <h2>Traspasos a una persona</h2><ul id="handoffs"></ul>
 <h2>Historial (lo último)</h2><div id="timeline"></div></aside></main>
<form id="send"><input id="text" autocomplete="off" placeholder="Escriba un mensaje… (p. ej. hola, ¿cuánto debo?)">
<button>Enviar</button></form>
<script>
const who = document.getElementById('who'), log = document.getElementById('log');
const shown = new Map(); let people = [];  // message sid → its status line
async function contacts() {
  people = await (await fetch('_standin/contacts')).json();
  for (const c of people) { const o = document.createElement('option'); o.value = c.phone;
    o.textContent = `${c.name} — ${c.company} (${c.phone})`; who.appendChild(o); }
  // a stranger: a number on no debtor's file, who must prove with the e-mailed code who they are
  const o = document.createElement('option'); o.value = STRANGER;
  o.textContent = `Un número no registrado — (${STRANGER})`; who.appendChild(o);
}
const STRANGER = '+573009990000';
function add(kind, text, meta) {
  const d = document.createElement('div'); d.className = 'msg ' + kind;
  d.textContent = text; const m = document.createElement('div'); m.className = 'meta'; m.textContent = meta;
  d.appendChild(m); log.appendChild(d); window.scrollTo(0, document.body.scrollHeight); return m;
}
// Twilio's statuses in words, as they move (queued → sent → delivered, or failed).
const STATUS = {queued: 'en cola', sent: 'enviado', delivered: 'entregado', read: 'leído', failed: 'no entregado',
                undelivered: 'no entregado'};
function delivery(m) { return (STATUS[m.status] || m.status) + (m.error_code ? ' · error ' + m.error_code : ''); }
function items(id, rows, line) {
  const ul = document.getElementById(id); ul.innerHTML = '';
  if (!rows.length) { const li = document.createElement('li'); li.textContent = '—'; ul.appendChild(li); }
  for (const r of rows) { const li = document.createElement('li'); li.textContent = line(r); ul.appendChild(li); }
}
async function sidePanel() {
  const me = people.find(c => c.phone === who.value);
  if (!me) {
    document.getElementById('company').textContent = '(ninguna: lea el código en el correo de la empresa)';
    for (const id of ['promises', 'objections', 'handoffs']) items(id, [], () => '');
    document.getElementById('timeline').innerHTML = ''; return;
  }
  document.getElementById('company').textContent = `${me.company} (${me.debtor_ref})`;
  const k = await (await fetch('_standin/debtor/' + me.debtor_ref)).json();
  items('promises', k.promises, p => `${p.invoice_number}: ${p.currency} ${p.amount} el ${p.promised_date} (${p.status})`);
  items('objections', k.objections, o => `${o.type}${o.invoice_number ? ' · ' + o.invoice_number : ''}: ${o.text}`);
  items('handoffs', k.handoffs, h => `${h.reason} · ${h.status}`);
  const tl = document.getElementById('timeline'); tl.innerHTML = '';
  for (const e of k.timeline.slice().reverse()) {
    const d = document.createElement('div'); d.className = 'ev';
    const s = document.createElement('span'); s.className = 'kind'; s.textContent = e.kind;
    d.appendChild(s); d.appendChild(document.createTextNode(` ${e.at.slice(11, 19)} ${e.channel}: ${e.text}`));
    tl.appendChild(d);
  }
}
// Both sides of the conversation, oldest first: after a reload the debtor's own messages are there too.
async function poll() {
  const [sent, got] = await Promise.all([(await fetch('_standin/messages')).json(),
                                         (await fetch('_standin/received')).json()]);
  const mine = got.filter(m => m.from === 'whatsapp:' + who.value).map(m => ({...m, side: 'in'}));
  const theirs = sent.filter(m => m.to === 'whatsapp:' + who.value).map(m => ({...m, side: 'out'}));
  for (const m of mine.concat(theirs).sort((a, b) => a.created - b.created)) {
    if (shown.has(m.sid)) { if (m.side === 'out') shown.get(m.sid).textContent = delivery(m); continue; }
    if (m.side === 'in') { shown.set(m.sid, add('in', m.body, m.webhook_status === 200 ? 'enviado' : '')); continue; }
    shown.set(m.sid, add('out', m.body || m.rendered || ('[plantilla ' + m.content_sid + '] ' + (m.content_variables || '')),
                         delivery(m)));  // its status moves on
    if ((m.buttons || []).length) quickReplies(m.buttons);
  }
}
// A quick reply's buttons under its message, as WhatsApp shows them: a tap sends the button's title, and
// its id as ButtonPayload (what Twilio posts); the buttons of earlier questions no longer answer.
function quickReplies(buttons) {
  log.querySelectorAll('.buttons button').forEach(b => { b.disabled = true; });
  const row = document.createElement('div'); row.className = 'buttons';
  for (const b of buttons) {
    const el = document.createElement('button'); el.type = 'button'; el.textContent = b.title; el.dataset.payload = b.id;
    el.addEventListener('click', () => { row.querySelectorAll('button').forEach(x => { x.disabled = true; });
                                          send(b.title, {ButtonText: b.title, ButtonPayload: b.id}); });
    row.appendChild(el);
  }
  log.appendChild(row); window.scrollTo(0, document.body.scrollHeight);
}
async function send(textValue, extra) {
  const body = new URLSearchParams({From: 'whatsapp:' + who.value, Body: textValue,
                                    ProfileName: who.value === STRANGER ? 'Andrés Pérez'
                                      : who.options[who.selectedIndex].text.split(' — ')[0], ...extra});
  const sid = 'SM' + Array.from(crypto.getRandomValues(new Uint8Array(16)), b => b.toString(16).padStart(2, '0')).join('');
  body.set('MessageSid', sid);
  const mine = add('in', textValue, 'enviando…'); shown.set(sid, mine);
  const r = await (await fetch('_standin/chat', {method: 'POST', body})).json();
  mine.textContent = r.webhook_status === 200 ? 'enviado' : 'la empresa respondió HTTP ' + r.webhook_status;
  document.getElementById('status').textContent = 'webhook: HTTP ' + r.webhook_status;
}
document.getElementById('send').addEventListener('submit', async (e) => {
  e.preventDefault(); const text = document.getElementById('text'); if (!text.value.trim()) return;
  const value = text.value; text.value = ''; await send(value, {});
});
who.addEventListener('change', () => { log.innerHTML = ''; shown.clear(); sidePanel(); });
contacts().then(() => { sidePanel(); setInterval(poll, 700); setInterval(sidePanel, 2000); });
</script></body></html>
"""


def page(mail_url: str | None = None) -> str:
    """The chat page, linking the demo's mail sink when there is one."""
    link = f' <a href="{escape(mail_url)}" target="_blank">Correo enviado ↗</a>' if mail_url else ""
    return PAGE.replace("__MAIL__", link)
