"""Which language a debtor writes in: Spanish or English, or "can't tell".

Most turns are short ("sí", "ok", "el 15", "2 millones"), so the answer is
often "can't tell" and the conversation keeps its language; only a message
that clearly reads as the other language switches it. Function words and a
few short answers decide; "¿", "¡", "ñ" and accents are Spanish on their
own. Stdlib only (runs in the Rasa environment).
"""

from __future__ import annotations

import re

from bot.text import strip_accents

SPANISH = frozenset("""
a al algo aqui ahi ahora aun bien buenas buenos buen como con cual cuando cuanto cuanta de del donde el ella ellos en
entonces es esa ese eso esta estamos estan este esto estoy factura facturas favor fue gracias ha hay hasta hola la las
le les lo los mas me mes mi mis muy nada necesito ni no nos nosotros nuestra nuestro o otra otro para pero pago pagar
pagamos pagaremos pago plata poco podemos por porque puedo que quien quiero se semana senor senora si sin sobre son su
sus tambien tengo tenemos todavia todo todos un una uno usted ustedes va vamos voy ya yo dias dia manana hoy viernes
lunes martes miercoles jueves sabado domingo listo claro dale vale bueno okey oiga disculpe perdon quincena luego
todas ambas dos tres millones millon mil mitad acuerdo pesos soles cuenta deuda saldo recibi recibimos llego
""".split())
ENGLISH = frozenset("""
a about after all am an and any are as at be been but by can could day days did do does dont from get got had has have
hello hey hi how i if im in invoice invoices is it its just let me month my next no not now of on or our pay paid
payment please received send so sorry that the their there they this thank thanks to today tomorrow until us was we
week well were what when where which who will with would yes yeah you your friday monday tuesday wednesday thursday
saturday sunday sure okay bill check already end
both half thousand million dollars balance owe got arrived
""".split())
# Words both languages write ("no", "a", "me"...) say nothing either way.
SHARED = SPANISH & ENGLISH
_WORD = re.compile(r"[a-zñ']+")
_SPANISH_MARKS = re.compile(r"[¿¡ñáéíóú]", re.IGNORECASE)


def detect(text: str) -> str | None:
    """"es", "en", or None when the text does not say clearly."""
    plain = strip_accents(text.lower().replace("ñ", "\x00")).replace("\x00", "ñ")
    words = [w.replace("'", "") for w in _WORD.findall(plain)]
    spanish = sum(1 for w in words if w in SPANISH and w not in SHARED)
    english = sum(1 for w in words if w in ENGLISH and w not in SHARED)
    if _SPANISH_MARKS.search(text):
        spanish += 2
    if spanish > english and spanish >= 1 and (english == 0 or spanish >= 2 * english):
        return "es"
    if english > spanish and english >= 1 and (spanish == 0 or english >= 2 * spanish):
        return "en"
    return None
