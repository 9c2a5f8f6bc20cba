"""The demo's phone: a page where a person writes on WhatsApp as one of the demo's contacts.

Served by the Twilio stand-in (``/``): pick a contact, write, and the message
reaches the app exactly as Twilio would send it (a signed webhook); the
company's answers appear as the stand-in receives them.
"""

from __future__ import annotations

PAGE = """<!doctype html>
<html lang="es"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>WhatsApp de la demo</title>
<style>
 body{font-family:Arial,Helvetica,sans-serif;margin:0;background:#ece5dd;color:#111}
 header{background:#075e54;color:#fff;padding:.8rem 1rem;display:flex;gap:1rem;align-items:center;flex-wrap:wrap}
 select,input,button{font-size:1rem;padding:.45rem;border-radius:6px;border:1px solid #ccc}
 #log{max-width:46rem;margin:1rem auto;padding:0 1rem 6rem}
 .msg{max-width:75%;margin:.35rem 0;padding:.5rem .7rem;border-radius:8px;white-space:pre-wrap;box-shadow:0 1px 1px #0002}
 .in{background:#dcf8c6;margin-left:auto}.out{background:#fff}.meta{font-size:.75rem;color:#667}
 form{position:fixed;bottom:0;left:0;right:0;background:#f0f0f0;padding:.6rem;display:flex;gap:.5rem;justify-content:center}
 #text{flex:1;max-width:38rem}
</style></head><body>
<header><strong>WhatsApp (demo)</strong>
 <label>Escribo como: <select id="who"></select></label>
 <span class="meta" id="status"></span></header>
<div id="log"></div>
<form id="send"><input id="text" autocomplete="off" placeholder="Escriba un mensaje… (p. ej. hola, ¿cuánto debo?)">
<button>Enviar</button></form>
<script>
const who = document.getElementById('who'), log = document.getElementById('log');
const shown = new Set(); let mine = [];
async function contacts() {
  const list = await (await fetch('_standin/contacts')).json();
  for (const c of list) { const o = document.createElement('option'); o.value = c.phone;
    o.textContent = `${c.name} — ${c.company} (${c.phone})`; who.appendChild(o); }
}
function add(kind, text, meta) {
  const d = document.createElement('div'); d.className = 'msg ' + kind;
  d.textContent = text; const m = document.createElement('div'); m.className = 'meta'; m.textContent = meta;
  d.appendChild(m); log.appendChild(d); window.scrollTo(0, document.body.scrollHeight);
}
async function poll() {
  const msgs = await (await fetch('_standin/messages')).json();
  for (const m of msgs) {
    if (shown.has(m.sid) || m.to !== 'whatsapp:' + who.value) continue;
    shown.add(m.sid); add('out', m.body || ('[plantilla ' + m.content_sid + '] ' + (m.content_variables || '')),
                         m.status + (m.error_code ? ' · error ' + m.error_code : ''));
  }
}
document.getElementById('send').addEventListener('submit', async (e) => {
  e.preventDefault(); const text = document.getElementById('text'); if (!text.value.trim()) return;
  const body = new URLSearchParams({From: 'whatsapp:' + who.value, Body: text.value,
                                    ProfileName: who.options[who.selectedIndex].text.split(' — ')[0]});
  add('in', text.value, 'enviado'); text.value = '';
  const r = await (await fetch('_standin/chat', {method: 'POST', body})).json();
  document.getElementById('status').textContent = 'webhook: HTTP ' + r.webhook_status;
});
who.addEventListener('change', () => { log.innerHTML = ''; shown.clear(); });
contacts().then(() => setInterval(poll, 700));
</script></body></html>
"""
