"""The phone line's pieces: what a caller's turn brought, prompts, locales and TwiML."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from cobranza.core.settings import Settings
from ivr import locales, prompts
from ivr.line import Heard, digits_spoken
from ivr.twiml import Line


def test_ids_said_figure_by_figure_and_cards_never_kept() -> None:
    assert digits_spoken("nueve cero cero, uno dos tres") == "900123"
    assert digits_spoken("nine oh oh one") == "9001"
    heard = Heard.from_form(
        {"SpeechResult": "mi tarjeta es 4111 1111 1111 1111", "Confidence": "0.8", "Digits": "4111111111111111"}
    )
    assert "4111" not in heard.speech and "4111" not in heard.digits and heard.confidence == 0.8
    assert Heard.from_form({}).silent


def test_prompts_read_well() -> None:
    assert prompts.say("welcome", "es", company="Acme S.A.S.") == "Gracias por llamar a Acme S.A.S."
    assert prompts.hour(15, 0, "es") == "tres de la tarde" and prompts.hour(8, 30, "en") == "8:30 AM"
    assert prompts.hour(13, 0, "es") == "una de la tarde"
    assert prompts.number("+576015550100", "es").startswith("cinco siete seis")


def test_locales_follow_country_and_language() -> None:
    assert locales.locale("CO", "es") == "es-CO" and locales.locale("PE", "es") == "es-PE"
    assert locales.locale("CO", "en") == "en-US" and locales.locale(None, "es") == "es-US"
    assert locales.country_of("+56912345678") == "CL" and locales.language_of_number("+13055550100") == "en"


def test_every_question_listens_for_speech_and_keys_in_the_callers_locale() -> None:
    xml = Line(Settings(), "es", "es-MX").gather(
        [("¿Es correcto?", "es"), ("For English, press 2.", "en")], "https://x/turn?n=2", "yes_no"
    )
    gather = next(ET.fromstring(xml).iter("Gather"))
    assert gather.attrib["input"] == "speech dtmf" and gather.attrib["language"] == "es-MX"
    assert gather.attrib["bargeIn"] == "true" and gather.attrib["actionOnEmptyResult"] == "true"
    assert gather.attrib["numDigits"] == "1" and "sí" in gather.attrib["hints"]
    says = list(gather.iter("Say"))
    assert says[0].attrib["voice"] == "Polly.Lupe" and says[1].attrib["language"] == "en-US"


def test_rendered_prompts_carry_their_text_in_a_comment_twilio_ignores(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """VOICE_TTS=local: each <Play> follows an XML comment with what it says, so the TwiML is the one
    Twilio accepts (verbs and attributes unchanged) and a reader still sees the words."""
    from dataclasses import replace

    from ivr import speech

    monkeypatch.setattr(speech, "render", lambda settings, text, language: f"{language}.wav")
    settings = replace(Settings(), voice_tts="local", public_base_url="https://line.example.com")
    xml = Line(settings, "es", "es-CO").gather(
        [("¿Es usted Lucía,\n la tesorera?", "es"), ("For English, press 2.", "en")], "https://x/turn", "yes_no"
    )
    tree = ET.fromstring(xml, parser=ET.XMLParser(target=ET.TreeBuilder(insert_comments=True)))
    gather = next(tree.iter("Gather"))
    children = list(gather)
    assert [c.tag for c in children] == [ET.Comment, "Play", ET.Comment, "Play"]
    assert (
        children[0].text == "text: ¿Es usted Lucía, la tesorera?" and children[2].text == "text: For English, press 2."
    )
    assert children[1].text == "https://line.example.com/voice/audio/es.wav" and children[1].attrib == {}
    # what Twilio reads is unchanged: without comments, the same verbs as before
    assert [c.tag for c in ET.fromstring(xml).iter()] == ["Response", "Gather", "Play", "Play"]
    assert "<!--text: For English, press 2.-->" in Line(settings, "en", "en-US").hang_up(
        [("For English, press 2.", "en")]
    )
    # a comment may hold neither "--" nor end with "-": such a text is still a well-formed comment
    odd = Line(settings, "es", "es-CO").hang_up([("uno -- dos --- tres -", "es")])
    said = next(
        n
        for n in ET.fromstring(odd, parser=ET.XMLParser(target=ET.TreeBuilder(insert_comments=True))).iter()
        if n.tag is ET.Comment
    )
    assert said.text is not None and "--" not in said.text and not said.text.endswith("-")
    assert said.text.replace(" ", "").replace("-", "") == "text:unodostres"
