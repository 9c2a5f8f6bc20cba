"""Conflict and sentiment in one message, offline, in Spanish and English.

Not a mood meter: a collections assistant needs to know when to stop and let
a person continue. Each signal found is kept as evidence (the words, the
kind), so the agent who takes over sees why. Regional insults (Colombia,
Mexico, Peru, Chile) and the ways people shout in writing (capitals, "!!!")
count; a debtor who is merely worried ("no tengo plata") is not in conflict.
Stdlib only (runs in the Rasa environment).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.text import strip_accents

INSULTS = [
    # general Spanish
    "idiota",
    "idiotas",
    "estupido",
    "estupida",
    "estupidos",
    "imbecil",
    "imbeciles",
    "pendejo",
    "pendeja",
    "pendejos",
    "hijueputa",
    "hijo de puta",
    "hijos de puta",
    "hp",
    "malparido",
    "malparida",
    "malparidos",
    "gonorrea",
    "carechimba",
    "marica",
    "huevon",
    "weon",
    "hueon",
    "culiao",
    "culiado",
    "conchatumare",
    "conchasumadre",
    "ctm",
    "csm",
    "ptm",
    "pinche",
    "cabron",
    "cabrona",
    "cabrones",
    "chinga tu madre",
    "chingada",
    "ladrones",
    "ladron",
    "rateros",
    "ratas",
    "sinverguenza",
    "sinverguenzas",
    "estafadores",
    "estafador",
    "basura",
    "mierda",
    "mierdas",
    "payasos",
    "incompetentes",
    "inutiles",
    "inutil",
    # English
    "idiot",
    "idiots",
    "stupid",
    "moron",
    "morons",
    "asshole",
    "assholes",
    "bastard",
    "bastards",
    "bullshit",
    "crooks",
    "thieves",
    "scam",
    "scammers",
    "fuck",
    "fucking",
    "shit",
    "damn you",
    "incompetent",
    "useless",
    # said without swearing: contempt for the company
    "ineptos",
    "inepto",
    "chantas",
    "chanta",
    "sinverguenzas",
    "clown",
    "clowns",
    "clown operation",
    "pathetic",
    "joke of a company",
]
ANGER = [
    "harto",
    "harta",
    "hartos",
    "cansado de",
    "cansada de",
    "me tienen cansado",
    "me tienen cansada",
    "ya basta",
    "basta ya",
    "que fastidio",
    "fastidio",
    "molesto",
    "molesta",
    "indignado",
    "indignada",
    "furioso",
    "furiosa",
    "acoso",
    "me estan acosando",
    "dejen de acosar",
    "abuso",
    "abusivos",
    "es el colmo",
    "no joda",
    "no jodan",
    "que verguenza",
    "pesimo servicio",
    "pesima atencion",
    "una burla",
    "falta de respeto",
    "irrespetuosos",
    "sick of",
    "fed up",
    "tired of",
    "harassment",
    "harassing",
    "stop harassing",
    "unacceptable",
    "ridiculous",
    "outrageous",
    "disgusting",
    "angry",
    "furious",
    "this is a joke",
    # regional anger (Peru "chato", Chile "choreado", Mexico "qué poca madre") and "scam"
    "aprovechados",
    "abusadores",
    "me tienen aburrido",
    "me tienen aburrida",
    "estoy chato",
    "estoy chata",
    "choreado",
    "choreada",
    "que poca madre",
    "esto es un abuso",
    "estafa",
    "extorsion",
    "this is insane",
    # anger at how they are treated (TREATMENT, below, is added here too), and warnings
    "no soy ningun delincuente",
    "que clase de empresa",
    "que no leen",
    "no entienden",
    "me siguen fregando",
    "me sigue llamando",
    "me sigues llamando",
    "me siguen llamando",
    "me siguen cobrando",
    "encima me cobran",
    "a ver quien gana",
    "don t you dare",
    "final warning",
    "last warning",
    "some nerve",
    "does anyone there read",
    "does anyone read",
    "nobody can fix",
]
LEGAL = [
    "demanda",
    "demandar",
    "demandarlos",
    "los voy a demandar",
    "abogado",
    "abogada",
    "abogados",
    "mi abogado",
    "superintendencia",
    "superfinanciera",
    "sic",
    "profeco",
    "condusef",
    "indecopi",
    "sernac",
    "denuncia",
    "denunciar",
    "los voy a denunciar",
    "tutela",
    "accion legal",
    "acciones legales",
    "juzgado",
    "fiscalia",
    "habeas data",
    "ley 2300",
    "lawyer",
    "attorney",
    "sue",
    "sue you",
    "lawsuit",
    "legal action",
    "cfpb",
    "report you",
    # threats said without the usual words: courts, authorities, going public
    "tribunal",
    "tribunales",
    "instancias legales",
    "proceso judicial",
    "via judicial",
    "juez",
    "demandarlos",
    "denunciarlos",
    "redes sociales",
    "en redes",
    "court",
    "small claims",
    "bbb",
    "better business bureau",
    "attorney general",
    "consumer protection",
    "ftc",
    "social media",
    "demandenme",
    "demandeme",
    "los demando",
    "las demando",
    "los demandamos",
    "los denuncio",
    "los denunciamos",
    "carta notarial",
    "libro de reclamaciones",
    "derecho de peticion",
    "estrados",
    "carabineros",
    "countersue",
    "see you in court",
]
COMPLAINT = [
    "queja",
    "quejas",
    "reclamo",
    "reclamacion",
    "poner una queja",
    "no es justo",
    "mal servicio",
    "me cobraron mal",
    "cobro indebido",
    "no deberian",
    "otra vez",
    "de nuevo",
    "ya les dije",
    "ya lo dije",
    "les he dicho",
    "cuantas veces",
    "complaint",
    "i already told you",
    "again",
    "how many times",
    "not fair",
    "ya te dije",
    "te lo dije",
    "mil veces",
    "tres veces",
    "3 veces",
    "three times",
    "3 times",
    "ya les mande",
]
# How they are treated: a complaint as well as anger.
TREATMENT = [
    "no me levante la voz",
    "no me hable en ese tono",
    "no me hables en ese tono",
    "no me amenace",
    "no me amenaces",
    "no me amenacen",
]
ANGER += TREATMENT
COMPLAINT += TREATMENT


def _pattern(words: list[str]) -> re.Pattern[str]:
    """Whole words, plurals included ("weones", "hijueputas")."""
    ordered = sorted(words, key=len, reverse=True)
    return re.compile(r"\b(?:" + "|".join(re.escape(w) for w in ordered) + r")(?:e?s)?\b")


_INSULT, _ANGER, _LEGAL, _COMPLAINT = (_pattern(w) for w in (INSULTS, ANGER, LEGAL, COMPLAINT))
_SHOUT_WORD = re.compile(r"\b[A-ZÁÉÍÓÚÑ]{3,}\b")
_BANGS = re.compile(r"[!¡?¿]{3,}")
WEIGHTS = {"insult": 0.7, "legal_threat": 0.6, "anger": 0.35, "complaint": 0.25, "shouting": 0.25, "bangs": 0.15}
THRESHOLD = 0.6


@dataclass(frozen=True)
class Conflict:
    score: float  # 0 (calm) .. 1 (hand it to a person now)
    signals: list[dict[str, str]] = field(default_factory=list)

    @property
    def hand_off(self) -> bool:
        return self.score >= THRESHOLD

    @property
    def reason(self) -> str | None:
        """The strongest kind of signal: insult, legal_threat, anger..."""
        if not self.signals:
            return None
        return max(self.signals, key=lambda s: WEIGHTS[s["kind"]])["kind"]


def _plain(text: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"[^a-z0-9ñ ]+", " ", strip_accents(text.lower()))).strip()


def assess(text: str, earlier_complaints: int = 0) -> Conflict:
    """Signals of conflict in ``text``; ``earlier_complaints`` counts the same
    debtor's complaining turns before this one (repeated complaints weigh)."""
    plain = _plain(text)
    signals: list[dict[str, str]] = []
    for kind, pattern in (("insult", _INSULT), ("legal_threat", _LEGAL), ("anger", _ANGER), ("complaint", _COMPLAINT)):
        signals += [{"kind": kind, "words": m[0]} for m in pattern.finditer(plain)]
    letters = [c for c in text if c.isalpha()]
    shouted = _SHOUT_WORD.findall(text)
    if (len(letters) >= 12 and sum(c.isupper() for c in letters) / len(letters) > 0.7) or len(shouted) >= 3:
        signals.append({"kind": "shouting", "words": " ".join(shouted[:5]) or text[:40]})
    bangs = _BANGS.search(text)
    if bangs:
        signals.append({"kind": "bangs", "words": bangs[0]})
    kinds = {s["kind"] for s in signals}
    score = sum(WEIGHTS[k] for k in kinds)
    if "complaint" in kinds and earlier_complaints:
        score += 0.2 * min(earlier_complaints, 3)  # the third "otra vez" is not like the first
        signals.append({"kind": "complaint", "words": f"{earlier_complaints} earlier complaint(s)"})
    return Conflict(round(min(score, 1.0), 2), signals)
