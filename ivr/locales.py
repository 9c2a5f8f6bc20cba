"""Which language Twilio should listen for: Spanish as spoken in the debtor's country, or English.

Twilio transcribes speech in the ``language`` its ``<Gather>`` names; Rasa's
own voice channel names none, so Spanish is heard as English. A caller
from Bogotá is heard as es-CO, one from Lima as es-PE.
"""

from __future__ import annotations

SPANISH = {
    "CO": "es-CO",
    "MX": "es-MX",
    "PE": "es-PE",
    "CL": "es-CL",
    "AR": "es-AR",
    "EC": "es-EC",
    "US": "es-US",
    "ES": "es-ES",
    "VE": "es-VE",
    "UY": "es-UY",
    "BO": "es-BO",
    "PY": "es-PY",
    "GT": "es-GT",
    "CR": "es-CR",
    "PA": "es-PA",
    "DO": "es-DO",
    "SV": "es-SV",
    "HN": "es-HN",
    "NI": "es-NI",
    "PR": "es-PR",
}
ENGLISH = {"US": "en-US", "GB": "en-GB", "CA": "en-CA", "AU": "en-AU", "IN": "en-IN"}
# Calling codes of the countries we serve, for callers not yet identified.
CALLING_CODES = {"+57": "CO", "+52": "MX", "+51": "PE", "+56": "CL", "+54": "AR", "+593": "EC", "+1": "US"}


def locale(country: str | None, language: str) -> str:
    country = (country or "").upper()
    if language == "en":
        return ENGLISH.get(country, "en-US")
    return SPANISH.get(country, "es-US")


def country_of(phone: str) -> str | None:
    for code in sorted(CALLING_CODES, key=len, reverse=True):
        if phone.startswith(code):
            return CALLING_CODES[code]
    return None


def language_of_number(phone: str) -> str:
    """Before anyone is identified: English for North American numbers, Spanish otherwise."""
    return "en" if phone.startswith("+1") else "es"
