"""bot.conflict: when a message says "let a person take this"."""

from __future__ import annotations

import pytest

from bot.conflict import assess

HAND_OFF = [
    ("son unos ladrones", "insult"),
    ("hijueputas dejen de llamar", "insult"),
    ("par de weones culiaos", "insult"),
    ("pinches cabrones", "insult"),
    ("conchatumare ya pague", "insult"),
    ("you are a bunch of crooks", "insult"),
    ("los voy a demandar", "legal_threat"),
    ("ya hable con mi abogado", "legal_threat"),
    ("voy a poner una denuncia en la superintendencia", "legal_threat"),
    ("I will sue you", "legal_threat"),
    ("me voy a quejar en profeco", "legal_threat"),
    ("los reporto a indecopi", "legal_threat"),
    ("ESTOY HARTO DE SUS LLAMADAS, YA LES DIJE QUE NO", "anger"),
]
CALM = [
    "hola buenas tardes",
    "no tengo plata este mes",
    "le pago el viernes",
    "no me llego la factura",
    "estamos esperando la aprobacion de gerencia",
    "ok gracias",
    "I'll pay next week",
    "la mitad a fin de mes",
    "disculpe la demora",
    "ya pague ayer, le envio el comprobante",
]


@pytest.mark.parametrize("text,reason", HAND_OFF)
def test_conflict_hands_off_with_its_evidence(text: str, reason: str) -> None:
    found = assess(text)
    assert found.hand_off, (text, found)
    assert found.reason == reason
    assert found.signals and all(s["words"] for s in found.signals)


@pytest.mark.parametrize("text", CALM)
def test_worry_and_ordinary_talk_are_not_conflict(text: str) -> None:
    found = assess(text)
    assert not found.hand_off and found.score < 0.3, (text, found)


def test_repeated_complaints_build_up() -> None:
    assert not assess("otra vez con lo mismo").hand_off
    assert assess("otra vez con lo mismo", earlier_complaints=2).hand_off


def test_shouting_and_bangs_raise_the_score_without_words() -> None:
    calm = assess("cuando me van a responder").score
    loud = assess("CUANDO ME VAN A RESPONDER!!!").score
    assert loud > calm and loud >= 0.4


def test_no_accents_or_typos_still_count() -> None:
    assert assess("son unos sinverguenzas estafadores").hand_off
    assert assess("estupidos").hand_off


@pytest.mark.parametrize(
    "text",
    [
        "son unos ineptos, llevo un mes pidiendo la nota de credito",
        "neta no entienden, les mandé el comprobante 3 veces",
        "mira ya te dije mil veces que pagamos y me sigues llamando",
        "We PAID. I sent proof THREE TIMES. Does anyone there read??",
        "pues demándenme, a ver quién gana",
        "mi abogado les va a mandar una carta notarial",
        "oiga señorita no me levante la voz",
        "what a clown operation you guys run",
    ],
)
def test_conflict_said_without_swearing_hands_off(text: str) -> None:
    assert assess(text).hand_off, assess(text)


@pytest.mark.parametrize(
    "text", ["otra vez gracias por el recordatorio", "ya te dije que el viernes pago", "again, thanks for the reminder"]
)
def test_a_calm_repeat_is_not_conflict(text: str) -> None:
    assert not assess(text).hand_off


@pytest.mark.parametrize(
    "text",
    [
        "Oh great, another call. Fifth one today. You guys are SO efficient.",
        "qué eficientes, llamándome cinco veces al día 👏👏",
        "you people called me on a sunday morning are you kidding me",
        "si siguen así les cancelamos los pedidos hay más proveedores",
        "keep it up and we'll take our business elsewhere",
        "no sea pendej0, ya le dije q ya pagamos",
        "you f***ing a$$holes keep sending the same invoice",
        "qué m13rda de servicio",
        "cagaos, ya les pagué el martes",
        "nos vemos en el poder judicial",
    ],
)
def test_treatment_sarcasm_and_disguised_swearing_hand_off(text: str) -> None:
    assert assess(text).hand_off, assess(text)


@pytest.mark.parametrize(
    "text",
    [
        "la demanda bajó muchísimo este mes y no hemos vendido casi nada",
        "our lawyer approves all payments over 10k, it's sitting with him",
        "el abogado de nosotros es el que aprueba los pagos y todavía no lo ha firmado",
        "nos demandó un cliente y traemos un relajo, pero lo de ustedes lo pagamos el viernes",
    ],
)
def test_legal_words_in_a_calm_sense_do_not_hand_off(text: str) -> None:
    assert not assess(text).hand_off, assess(text)


@pytest.mark.parametrize(
    "text",
    [
        "f*** off, we paid",
        "this is such bs",
        "wtf is wrong with u people",
        "stop contacting my employees. my front desk girl got 3 calls this week",
        "texting at 11pm is not ok. not ok at all",
        "the agent was very rude with my secretaria this is not acceptable",
        "cease and desist. put it in writing, all further contact to our counsel",
        "wow such customer service. much professional.",
        "you've left 9 voicemails. nine. I can count, can you?",
    ],
)
def test_english_contempt_and_complaints_about_contact_hand_off(text: str) -> None:
    assert assess(text).hand_off, assess(text)


@pytest.mark.parametrize(
    "text",
    [
        "hey sorry i was a total jerk on the phone last week uh we're paying it today",
        "ok I feel like an idiot, it was paid on the 2nd, I was looking at the wrong account lol",
        "the lawyer fees this month are insane lol, but we'll still cover ur invoice on the 30th",
        "our lawyer signed off on it so the wire went out yesterday",
        "la demanda está por el suelo pero el viernes le pago igual",
        "el abogado de la empresa ya firmó el cheque se lo mandamos ayer",
    ],
)
def test_self_blame_and_calm_legal_words_do_not_hand_off(text: str) -> None:
    assert not assess(text).hand_off, assess(text)
