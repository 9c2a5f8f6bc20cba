"""The demo's telephone: a page where a person calls the company as a demo contact, or is called.

Served by the Twilio stand-in (``/phone``). The stand-in plays Twilio Voice:
it posts the signed requests Twilio would (the call starting, each answer to
a ``<Gather>`` at the ``action`` URL the app wrote, the status callbacks),
and hands the page each TwiML answer read out: what is said (with the audio
URL when the app renders speech itself, ``VOICE_TTS=local``), what the
question expects, whether the line was transferred or hung up. The person
"speaks" by typing, or presses keys. An outbound call is asked for through
the app's API, placed by its worker through the stand-in, and rings here.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any


def read_twiml(xml: str) -> dict[str, Any]:
    """A TwiML answer as the page shows it."""
    root = ET.fromstring(xml)
    said: list[dict[str, str]] = []
    for node in root.iter():
        if node.tag == "Say":
            said.append({"text": node.text or "", "language": node.attrib.get("language", "")})
        elif node.tag == "Play":
            said.append({"audio": node.text or ""})
    gather = next(root.iter("Gather"), None)
    number = next(root.iter("Number"), None)
    return {
        "said": said,
        "gather": None
        if gather is None
        else {k: gather.attrib.get(k, "") for k in ("action", "language", "hints", "numDigits", "input")},
        "dial": None
        if number is None
        else {"number": number.text or "", "action": next(root.iter("Dial")).attrib.get("action", "")},
        "hangup": next(root.iter("Hangup"), None) is not None,
    }


PAGE = """<!doctype html>
<html lang="es"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Teléfono de la demo</title>
<style>
 body{font-family:Arial,Helvetica,sans-serif;margin:0;background:#f4f6f8;color:#111}
 header{background:#1f3b57;color:#fff;padding:.8rem 1rem;display:flex;gap:1rem;align-items:center;flex-wrap:wrap}
 header a{color:#fff}
 select,input,button{font-size:1rem;padding:.45rem;border-radius:6px;border:1px solid #ccc}
 button{cursor:pointer}
 main{max-width:48rem;margin:0 auto;padding:1rem 1rem 9rem}
 .line{margin:.4rem 0;padding:.5rem .7rem;border-radius:8px;background:#fff;box-shadow:0 1px 1px #0002}
 .me{background:#dbeafe;margin-left:20%}.sys{background:none;box-shadow:none;color:#556;font-size:.85rem}
 .pad{display:grid;grid-template-columns:repeat(3,3.2rem);gap:.3rem}
 .pad button{height:2.6rem}
 footer{position:fixed;bottom:0;left:0;right:0;background:#e8ecf0;padding:.6rem;display:flex;gap:.8rem;
        justify-content:center;align-items:flex-start;flex-wrap:wrap}
 #speech{width:22rem;max-width:60vw}
 #ring{display:none;background:#fff3cd;padding:.6rem;border-radius:8px;margin:.6rem 0}
</style></head><body>
<header><strong>Teléfono (demo)</strong>
 <label>Soy: <select id="who"></select></label>
 <button id="call">Llamar a la empresa</button>
 <button id="ask">Que la empresa me llame</button>
 <span id="status"></span>
 <a href="/">WhatsApp</a></header>
<main><div id="ring">Llamada entrante de la empresa
 <button id="human">Contestar</button> <button id="machine">Dejar que conteste el buzón</button>
 <button id="noanswer">No contestar</button></div>
<div id="log"></div></main>
<footer>
 <div><input id="speech" placeholder="Lo que dice (p. ej. «le pago el viernes»)" disabled>
  <button id="say" disabled>Decir</button> <button id="silence" disabled>(silencio)</button>
  <button id="hangup" disabled>Colgar</button></div>
 <div class="pad" id="pad"></div>
</footer>
<audio id="player"></audio>
<script>
const $ = id => document.getElementById(id);
let contacts = [], call = null, queue = [];
function line(text, cls){ const d=document.createElement('div'); d.className='line '+(cls||''); d.textContent=text;
  $('log').appendChild(d); d.scrollIntoView(); }
function playNext(){ if(!queue.length) return; const p=$('player'); p.src=queue.shift(); p.play().catch(()=>{}); }
$('player').onended = playNext;
function show(answer){
  if(answer.error){ line(answer.error, 'sys'); return; }
  queue = [];
  for(const s of answer.said){ if(s.text) line(s.text); if(s.audio){ line('🔊 (audio)', 'sys'); queue.push(s.audio); } }
  playNext();
  call.action = answer.gather ? answer.gather.action : null;
  const open = !!call.action;
  for(const id of ['speech','say','silence']) $(id).disabled = !open;
  $('hangup').disabled = false;
  call.single = !!(answer.gather && answer.gather.numDigits==='1');
  if(answer.dial) { line('📞 transferida a '+answer.dial.number, 'sys'); call.dial = answer.dial.action; }
  if(answer.hangup){ line('— la empresa colgó —', 'sys'); end(); }
}
function end(){ for(const id of ['speech','say','silence','hangup']) $(id).disabled = true; call = null; }
async function post(path, body){ const r = await fetch(path, {method:'POST', body:new URLSearchParams(body)});
  return r.json(); }
function me(){ return contacts[$('who').value]; }
$('call').onclick = async () => { $('log').innerHTML=''; call = {}; const a = await post('/_standin/call/start',
  {From: me().phone}); call.sid = a.sid; line('Llamando a la empresa…', 'sys'); show(a); };
async function turn(body){ if(!call || !call.action) return;
  show(await post('/_standin/call/turn', {sid: call.sid, action: call.action, From: call.from || me().phone, ...body})); }
$('say').onclick = () => { const t = $('speech').value.trim(); if(!t) return; line(t, 'me'); $('speech').value='';
  turn({SpeechResult: t}); };
$('speech').onkeydown = e => { if(e.key==='Enter') $('say').onclick(); };
$('silence').onclick = () => { line('(silencio)', 'me sys'); turn({}); };
$('hangup').onclick = async () => { if(call) await post('/_standin/call/hangup', {sid: call.sid, From: me().phone});
  line('— colgó —', 'sys'); end(); };
let keys = '';
for(const k of ['1','2','3','4','5','6','7','8','9','*','0','#']){ const b=document.createElement('button');
  b.textContent=k; b.onclick=() => { if(!call || !call.action) return;
    if(k!=='#') keys += k;
    if(k==='#' || call.single){ if(keys){ line('⌨ '+keys, 'me'); turn({Digits: keys}); } keys=''; }
    $('status').textContent = keys ? 'teclas: '+keys+' (# para enviar)' : ''; };
  $('pad').appendChild(b); }
$('ask').onclick = async () => { const a = await post('/_standin/call/request', {debtor_ref: me().debtor_ref});
  line(a.status===202 ? 'La empresa le llamará en un momento…' :
       'La política de contacto no permite llamar ahora: '+(a.body.reasons||[a.body.error&&a.body.error.message]).join('; '),
       'sys');
  if(a.status===202) waitForRing(me().phone); };
async function waitForRing(phone){ for(let i=0;i<60;i++){ const calls = await (await fetch('/_standin/calls')).json();
  const c = calls.reverse().find(c => c.to===phone && c.status==='queued'); if(c){ call={sid:c.sid, from:phone};
  $('ring').style.display='block'; $('ring').dataset.sid=c.sid; return; } await new Promise(r=>setTimeout(r,1000)); } }
async function answer(by){ $('ring').style.display='none'; $('log').innerHTML='';
  const a = await post('/_standin/call/answer', {sid: $('ring').dataset.sid, AnsweredBy: by});
  call = {sid: $('ring').dataset.sid, from: me().phone}; show(a); }
$('human').onclick = () => answer('human');
$('machine').onclick = () => answer('machine_end_beep');
$('noanswer').onclick = async () => { $('ring').style.display='none';
  await post('/_standin/call/answer', {sid: $('ring').dataset.sid, CallStatus: 'no-answer'}); line('(no contestó)', 'sys'); };
(async () => { contacts = await (await fetch('/_standin/contacts')).json();
  contacts.forEach((c, i) => { const o = document.createElement('option'); o.value = i;
    o.textContent = c.name + ' — ' + c.company + ' (' + c.phone + ')'; $('who').appendChild(o); }); })();
</script></body></html>
"""


def page() -> str:
    return PAGE
