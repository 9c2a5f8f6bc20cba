"""Whether a turn says a payment was made or will be made, from the verbs' morphology.

Collections turns on it: "ya le consigné ayer" asks for the receipt, "le
consigno el viernes" is a promise. Spanish makes it hard in two places, and
both are handled by context rather than guessed:

- accents go missing, so "sí ya depositamos" reads "si ya…" (not "if"), "pagó" (paid) is written "pago" (I pay / the
  payment) and "consigné" (I deposited) "consigne" (that I deposit): an
  ambiguous form counts as past only next to "ya" or a past time word
  ("ayer", "el lunes pasado", "hace dos días"), never after "cuando",
  "apenas", "que", "si" (the subjunctive: "cuando le consigne le aviso");
- "pagamos" is both "we paid" and "we pay": past only with "ya" or a past
  time word, or with the object before it ("lo pagamos el lunes", said of
  an invoice the bot asked about).

Forms only the past has ("transferí", "hicimos la transferencia", "ya quedó
pago", "hemos pagado", "se pagó", "we paid", "it cleared") decide alone. The
future is "voy a pagar", "le pago el viernes", "pagaremos", "we'll pay", and
"ya le pago" / "ya mero" (colloquial: soon). Works on ``bot.text.normalise``d
text. Stdlib only (runs in the Rasa environment).
"""

from __future__ import annotations

import re
from datetime import date

# Forms that can only be past (accents lost or not).
_PAST_ONLY = re.compile(
    r"\b(?:"
    r"(?:ya )?(?:se|le|les|lo|la|los|las|te|ya) (?:pagaron|consignaron|transfirieron|depositaron|abonaron|cancelaron"
    r"|yapearon|plinearon|giraron|enviaron|mandaron)"
    r"|transferi|transfirio|transferimos ayer|hice|hicimos|hizo|hicieron|realice el|realizamos el|realizo el"
    r"|(?:he|hemos|ha|han|habia|habiamos) (?:pagado|consignado|transferido|depositado|abonado|cancelado|yapeado"
    r"|plineado|girado|enviado|mandado|hecho|realizado)"
    r"|(?:ya )?(?:quedo|quedaron|esta|estan|estaba|fue|fueron|ha sido|quedo) (?:pag[ao]s?|pagad[oa]s?|cancelad[oa]s?"
    r"|abonad[oa]s?|saldad[oa]s?|transferid[oa]s?|consignad[oa]s?|depositad[oa]s?)"
    r"|se (?:(?:le|les) )?(?:pago|consigno|transfirio|deposito|abono|cancelo|giro|envio|mando|hizo|realizo|yapeo)"
    r"|(?:we|i|they|he|she|already|just|accounting|finance|our bank|the bank) (?:already |just )?"
    r"(?:paid|sent|wired|transferred|deposited|mailed|made the payment|made a payment|settled|submitted|zelled|remitted"
    r"|processed|cut the check|cut a check)"
    r"|(?:was|were|has been|have been|got|been) (?:paid|sent|wired|processed|settled|deposited|transferred|mailed)"
    r"|went out|already went|cleared|already paid|paid (?:it|that|this|them|off|in full)"
    r"|(?:was|were|has been|have been) made|posted|check is in the mail|went through|went thru|initiated|released it"
    r"|hit submit|^paid|paid it online|went on the website and paid|says paid|shows paid|marked paid|shows as paid"
    r"|fue (?:el|ayer|antier|hace)|ya quedo desde"
    r"|(?:lunes|martes|miercoles|jueves|viernes|sabado|domingo|ayer) fue"
    r"|(?:ya )?quedo (?:la transferencia|el deposito|el pago|el spei|la consignacion|hech[oa])"
    r")\b"
)
# Forms that are past only with context: "ya", a past time word, an object before them.
_AMBIGUOUS = re.compile(
    r"\b(?:(?:ya|le|les|lo|la|los|las|te|se) )?(?:"
    + r"pague|pagamos|pago|consigne|consignamos|consigno|deposite|depositamos|deposito|transferimos|abone|abonamos"
    r"|abono|cancele|cancelamos|cancelo|yapee|yapeamos|yapeo|plinee|plineamos|pineo|gire|giramos|giro|envie|enviamos"
    r"|envio|mande|mandamos|mando|yapie"
    r")\b"
)
# The first person's past, written without its accent: the subjunctive's form too, told apart by what precedes.
_I_DID = re.compile(r"\b(?:pague|consigne|deposite|abone|cancele|yapee|yapie|plinee|gire)$")
# "ya le pago", "ya te consigno": the present of the first person after "ya" promises it.
_SOON = re.compile(r"(?:le|les|te|lo|la) (?:pago|consigno|deposito|abono|cancelo|yapeo|plineo|giro|envio|mando)$")
_PAST_TIME = re.compile(
    r"\b(?:ayer|antier|anteayer|antes de ayer|anoche|pasad[oa]|la vez pasada|hace (?:\d+|un|una|unos|unas|dos|tres"
    r"|cuatro|cinco|ocho|quince) ?\w*|yesterday|last (?:week|month|friday|monday|tuesday|wednesday|thursday"
    r"|saturday|sunday|night)|ago|earlier (?:today|this week)|esta manana|hoy en la manana|this morning|denantes?)\b"
)
_SUBJUNCTIVE_BEFORE = re.compile(r"\b(?:que|cuando|apenas|en cuanto|hasta que|para que|si|ni bien|antes de que)$")
_FUTURE = re.compile(
    r"\b(?:(?:voy|vamos|van|va) a (?:pagar|consignar|transferir|depositar|abonar|cancelar|yapear|plinear|girar"
    r"|enviar|mandar|hacer|realizar|programar)"
    r"|pagare|pagaremos|consignare|consignaremos|transferire|transferiremos|depositare|depositaremos|abonare"
    r"|abonaremos|cancelare|cancelaremos|yapeare|hare|haremos"
    r"|(?:le|les|te|lo|la|se lo|se la) (?:pago|consigno|transfiero|deposito|abono|cancelo|yapeo|plineo|giro|envio"
    r"|mando|hago)|(?:le|les|te) (?:pagamos|consignamos|depositamos|transferimos|abonamos|cancelamos|yapeamos|giramos)"
    r"|ya mero|we ?ll|we will|i ?ll|i will|we are going to|we re going to|i m going to|gonna|going to pay"
    r"|can pay|could pay|puedo pagar|podemos pagar|podria pagar|podriamos pagar|alcanzo a pagar"
    r"|sin falta|without fail|(?:queda|quedo|esta|is|it s) (?:programado|agendado|scheduled)|lo dejo agendado"
    r"|se lo dejo agendado|scheduled (?:it|for)|payment is scheduled)\b"
)


# "pagamos", "consignamos"...: the same word for "we paid" and "we pay".
_WE_EITHER = re.compile(
    r"\b(?:pagamos|consignamos|depositamos|transferimos|abonamos|cancelamos|yapeamos|plineamos|giramos|enviamos"
    r"|mandamos)\b"
)
_WE_EITHER_FUTURE = re.compile(
    r"\b(?:le|les|te) (?:pagamos|consignamos|depositamos|transferimos|abonamos|cancelamos"
    r"|yapeamos|giramos)\b"
)


def past_by_its_date(normal: str, said_on: date, today: date) -> bool:
    """ "les consignamos $2.300.000 el 3 de diciembre", said on the 9th: "consignamos" is "we deposited"
    or "we deposit", and a payment is not promised for a day gone by, so it was made. Only when the
    verb could be either: "vamos a pagar el 3" with a past date stays a promise (and its date is asked again)."""
    if said_on >= today or not _WE_EITHER.search(normal):
        return False
    return not _FUTURE.search(_WE_EITHER_FUTURE.sub(" ", normal))


_FORGOT = re.compile(r"\bse (?:me|nos|le) (?:habia |ha )?(?:pasado|paso|olvidado|olvido)\b")
_WILL_HAVE = re.compile(r"\b(?:ll|will|going to|gonna) have (?:\w+ ){0,3}(?:paid|sent|wired)\w*")


def payment_tense(normal: str) -> str | None:
    """ "past", "future" or None for ``normal`` (text already through ``bot.text.normalise``)."""
    normal = _WILL_HAVE.sub(" will pay ", normal)  # "I'll have it all paid off by the 30th"
    normal = _FORGOT.sub(" ", normal)  # "ya se me había pasado": forgotten, not a time gone by
    if _PAST_ONLY.search(normal):
        return "past"
    pending = False  # "cuando le consigne…": a payment still to come
    for m in _AMBIGUOUS.finditer(normal):
        before, said, after = normal[: m.start()].strip(), m[0], normal[m.end() :]
        if _SUBJUNCTIVE_BEFORE.search(before) and not (said.startswith("ya ") and before.endswith(("si", "que"))):
            pending = True
            continue
        already = said.startswith("ya ") or bool(re.search(r"\bya$", before))
        if already and _SOON.match(said.removeprefix("ya ")) and not _PAST_TIME.search(normal):
            continue  # "ya le pago": colloquial for "I'll pay you now"
        if already or _PAST_TIME.search(after[:40]) or _PAST_TIME.search(before[-25:]):
            return "past"
        if re.match(r"(?:lo|la|los|las) (?:pagamos|consignamos|depositamos|transferimos|abonamos)", said) and not (
            _FUTURE.search(normal)
        ):
            return "past"  # "lo pagamos el lunes", said of the invoice asked about
        if _I_DID.search(said):
            return "past"  # "le consigné el lunes": no "cuando" or "que" before it
    if pending or _FUTURE.search(normal):
        return "future"
    return None


# Verbs of paying in a form only the future has ("le consigno", "vamos a pagar", "we'll wire").
_WILL_PAY = re.compile(
    r"\b(?:(?:voy|vamos|van|va) a (?:pagar|consignar|transferir|depositar|abonar|cancelar|yapear|plinear|girar)"
    r"|pagare|pagaremos|consignare|consignaremos|transferire|transferiremos|depositare|depositaremos|abonare"
    r"|abonaremos|cancelare|cancelaremos|yapeare"
    r"|(?:le|les|te|se lo|se la) (?:pago|consigno|transfiero|deposito|abono|cancelo|yapeo|plineo|giro)"
    r"|(?:we ll|we will|i ll|i will|we re going to|i m going to|gonna) (?:pay|send|wire|transfer|deposit|mail|cut))\b"
)
_PROOF = re.compile(r"\b(?:comprobante|soporte|recibo|voucher|receipt|proof|confirmation|referencia|ref|constancia)\b")


def plainly(normal: str) -> str | None:
    """The tense when the verbs leave no doubt: "past" for forms only the past has and no promise beside
    them, "future" for a verb of paying only the future has and nothing of the past (no past form, no
    past time, no receipt). Used to overrule the classifier, so it says None whenever in doubt."""
    past = bool(_PAST_ONLY.search(normal))
    will = bool(_WILL_PAY.search(normal))
    if past and not will:
        return "past"
    plain_future = will and not past and payment_tense(normal) == "future"
    if plain_future and not (_PAST_TIME.search(normal) or _PROOF.search(normal)):
        return "future"
    return None
