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
