"""The demo's telephone: a page where a person calls the company as a demo contact, or is called.

Served by the Twilio stand-in (``/phone``). The stand-in plays Twilio Voice:
it posts the signed requests Twilio would (the call starting, each answer to
a ``<Gather>`` at the ``action`` URL the app wrote, the status callbacks),
and hands the page each TwiML answer read out: what is said (with the audio
URL when the app renders speech itself, ``VOICE_TTS=local``), what the
question expects, whether the line was transferred or hung up. The person
"speaks" by typing, or presses keys. Every call the company places through
the stand-in's REST API rings here — the plan's, those asked for through the
app's API by anyone, and "Que la empresa me llame" (the API, as a CRM would
ask): who calls whom, to answer as a person, let the voicemail take it, or
not answer.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

TEXT_PREFIX = "text:"  # the app writes each rendered prompt's words as <!--text: ...--> before its <Play>


def read_twiml(xml: str) -> dict[str, Any]:
    """A TwiML answer as the page shows it: each prompt's text (a ``<Say>``'s, or the comment the app
    writes before a ``<Play>``, ``<!--text: ...-->``) with its audio URL when it is a recording."""
    # the demo's own app wrote it (the stand-in plays Twilio for `make demo` and the tests)
    root = ET.fromstring(xml, parser=ET.XMLParser(target=ET.TreeBuilder(insert_comments=True)))  # nosec B314
    said: list[dict[str, str]] = []
    text: str | None = None  # the comment naming the next <Play>'s words
    for node in root.iter():
        if node.tag is ET.Comment:
            comment = (node.text or "").strip()
            text = comment.removeprefix(TEXT_PREFIX).strip() if comment.startswith(TEXT_PREFIX) else None
        elif node.tag == "Say":
            said.append({"text": node.text or "", "language": node.attrib.get("language", "")})
            text = None
        elif node.tag == "Play":
            said.append({"audio": node.text or "", "text": text or ""})
            text = None
    gather = next(root.iter("Gather"), None)
    number = next(root.iter("Number"), None)
    return {
        "said": said,
        "gather": None
        if gather is None
        else {k: gather.attrib.get(k, "") for k in ("action", "language", "hints", "numDigits", "input", "timeout")},
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
 .audio{display:inline-block;margin-left:.5rem;padding:0 .4rem;border:1px solid #99a;border-radius:4px;
        font-size:.75rem;color:#334;background:#eef;cursor:pointer}
 .pad{display:grid;grid-template-columns:repeat(3,3.2rem);gap:.3rem}
 .pad button{height:2.6rem}
 footer{position:fixed;bottom:0;left:0;right:0;background:#e8ecf0;padding:.6rem;display:flex;gap:.8rem;
        justify-content:center;align-items:flex-start;flex-wrap:wrap}
 #speech{width:22rem;max-width:60vw}
 .ring{background:#fff3cd;padding:.6rem;border-radius:8px;margin:.6rem 0}
 .ring strong{display:block;margin-bottom:.4rem}
</style></head><body>
<header><strong>Teléfono (demo)</strong>
 <label>Soy: <select id="who"></select></label>
 <button id="call">Llamar a la empresa</button>
 <button id="ask">Que la empresa me llame</button>
 <span id="status"></span>
 <a href="/">WhatsApp</a></header>
<main><div id="rings"></div>
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
let contacts = [], call = null, queue = [], keys = '';
function line(text, cls){ const d=document.createElement('div'); d.className='line '+(cls||''); d.textContent=text;
  $('log').appendChild(d); d.scrollIntoView(); return d; }
function play(url){ const p=$('player'); p.src=url; p.play().catch(()=>{}); }
function playNext(){ if(queue.length) play(queue.shift()); }
$('player').onended = playNext;
// Keys go to the company on '#', or, as on Twilio, once the Gather's timeout passes without another key.
let keyTimer = null;
function setKeys(value){
  keys = value; clearTimeout(keyTimer); keyTimer = null;
  const wait = call && call.timeout ? call.timeout : 5;
  $('status').textContent = keys ? 'teclas: '+keys+' (# para enviar, o se envían solas en '+wait+' s)' : '';
  if(keys) keyTimer = setTimeout(sendKeys, wait * 1000);
}
function sendKeys(){ const typed = keys; setKeys(''); if(typed && call && call.action){ line('Teclas: '+typed, 'me');
  turn({Digits: typed}); } }
// What the company says: each prompt's words, and beside them its recording (click to hear it again).
function show(answer){
  setKeys('');
  if(answer.error){ line(answer.error, 'sys'); if(!answer.said){ end(); return; } }
  queue = [];
  for(const s of answer.said){
    const d = line(s.text || (s.audio ? '(grabación sin texto)' : ''), s.audio ? 'prompt' : '');
    if(s.audio){ const a=document.createElement('span'); a.className='audio'; a.textContent='audio';
      a.title='Oír de nuevo'; a.onclick=() => play(s.audio); d.appendChild(a); queue.push(s.audio); }
  }
  playNext();
  if(!call) return;
  call.action = answer.gather ? answer.gather.action : null;
  const open = !!call.action;
  for(const id of ['speech','say','silence']) $(id).disabled = !open;
  $('hangup').disabled = false;
  call.single = !!(answer.gather && answer.gather.numDigits==='1');
  call.timeout = answer.gather && Number(answer.gather.timeout) > 0 ? Number(answer.gather.timeout) : 5;
  if(answer.dial) { line('Transferida a '+answer.dial.number, 'sys'); call.dial = answer.dial.action; }
  if(answer.hangup){ line('— la empresa colgó —', 'sys'); end(); }
}
function end(){ for(const id of ['speech','say','silence','hangup']) $(id).disabled = true; call = null; setKeys(''); }
async function post(path, body){ const r = await fetch(path, {method:'POST', body:new URLSearchParams(body)});
  return r.json(); }
function me(){ return contacts[$('who').value]; }
function person(phone){ return contacts.find(c => c.phone === phone); }
$('call').onclick = async () => { await hangUp(); $('log').innerHTML=''; call = {from: me().phone};
  line('Llamando a la empresa…', 'sys'); const a = await post('/_standin/call/start', {From: me().phone});
  call.sid = a.sid; show(a); };
async function turn(body){ if(!call || !call.action) return; setKeys('');
  show(await post('/_standin/call/turn', {sid: call.sid, action: call.action, From: call.from, ...body})); }
$('say').onclick = () => { const t = $('speech').value.trim(); if(!t) return; line(t, 'me'); $('speech').value='';
  turn({SpeechResult: t}); };
$('speech').onkeydown = e => { if(e.key==='Enter') $('say').onclick(); };
$('silence').onclick = () => { line('(silencio)', 'me sys'); turn({}); };
async function hangUp(){ if(!call) return; const sid = call.sid, from = call.from; end();
  if(sid) await post('/_standin/call/hangup', {sid, From: from}); line('— colgó —', 'sys'); }
$('hangup').onclick = hangUp;
for(const k of ['1','2','3','4','5','6','7','8','9','*','0','#']){ const b=document.createElement('button');
  b.textContent=k; b.onclick=() => { if(!call || !call.action) return;
    if(k==='#' || call.single){ if(k!=='#') keys += k; sendKeys(); }
    else setKeys(keys + k); };
  $('pad').appendChild(b); }
$('ask').onclick = async () => { const a = await post('/_standin/call/request', {debtor_ref: me().debtor_ref});
  line(a.message, 'sys'); };
// Every call the company places rings here, whoever asked for it (the plan, the API, this page).
async function rings(){
  let found = [];
  try { found = await (await fetch('/_standin/ringing')).json(); } catch(e) { return; }
  const box = $('rings'), shown = new Set(found.map(c => c.sid));
  for(const el of [...box.children]) if(!shown.has(el.dataset.sid)) el.remove();
  for(const c of found){
    if(box.querySelector('[data-sid="'+c.sid+'"]')) continue;
    const who = person(c.to), d = document.createElement('div'); d.className='ring'; d.dataset.sid=c.sid;
    const t = document.createElement('strong');
    t.textContent = 'Llamada entrante de ' + c.caller + (c.caller !== c.from ? ' (' + c.from + ')' : '') + ' para '
      + (who ? who.name + ' — ' + who.company + ' (' + c.to + ')' : c.to);
    d.appendChild(t);
    for(const [label, by] of [['Contestar', 'human'], ['Dejar que conteste el buzón', 'machine_end_beep'],
                              ['No contestar', 'no-answer']]){
      const b = document.createElement('button'); b.textContent = label; b.onclick = () => answer(c, by); d.appendChild(b);
      d.appendChild(document.createTextNode(' '));
    }
    box.appendChild(d);
  }
}
async function answer(c, by){
  const el = $('rings').querySelector('[data-sid="'+c.sid+'"]'); if(el) el.remove();
  if(by === 'no-answer'){ await post('/_standin/call/answer', {sid: c.sid, CallStatus: 'no-answer'});
    line('(no contestó la llamada para ' + c.to + ')', 'sys'); return; }
  await hangUp();
  const i = contacts.findIndex(x => x.phone === c.to); if(i >= 0) $('who').value = i;
  $('log').innerHTML=''; call = {sid: c.sid, from: c.to};
  line(by === 'human' ? 'Contestó.' : 'Contestó el buzón de voz.', 'sys');
  show(await post('/_standin/call/answer', {sid: c.sid, AnsweredBy: by}));
}
(async () => { contacts = await (await fetch('/_standin/contacts')).json();
  // a stranger: a number on no debtor's file, who must prove with the e-mailed code who they are
  contacts.push({name: 'Un número no registrado', company: '', phone: '+573009990001', debtor_ref: null});
  contacts.forEach((c, i) => { const o = document.createElement('option'); o.value = i;
    o.textContent = c.name + (c.company ? ' — ' + c.company : '') + ' (' + c.phone + ')'; $('who').appendChild(o); });
  rings(); setInterval(rings, 1000); })();
</script></body></html>
"""


def page() -> str:
    return PAGE
