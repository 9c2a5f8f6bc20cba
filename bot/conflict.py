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
    # regional and English contempt seen in debtors' turns
    "cagaos",
    "cagados",
    "ciegos",
    "conchudos",
    "conchudo",
    "huevadas",
    "huevada",
    "jerk",
    "jerks",
    "shitty",
    "go to hell",
    "poca m",
    "bs",
    "wtf",
    "mamon",
    "mamona",
    "dumb",
    "dumbest",
    "ass",
    "debt vulture",
    "vultures",
    "get a real job",
    "above your pay grade",
    "you guys are a joke",
    "you re a joke",
    "are a joke",
    "ok genius",
    "sweetie",
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
    "you people",
    "u people",
    "what the hell",
    "are you kidding me",
    "how many times",
    "cuantas veces",
    "know how to read",
    "no saben leer",
    "saben leer",
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
    "poder judicial",
    "cease and desist",
    "counsel",
    "legal department",
    "our legal team",
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
    "a cada rato",
    "todo el dia",
    "every day",
    "all day",
]
# How they are treated: a complaint as well as anger.
TREATMENT = [
    "no me levante la voz",
    "no me hable en ese tono",
    "no me hables en ese tono",
    "no me amenace",
    "no me amenaces",
    "no me amenacen",
    "rude",
    "grosera",
    "grosero",
    "groseros",
    "maleducado",
    "maleducada",
    "yelling",
    "yelled at",
    "me grito",
    "me gritaron",
    "like a child",
    "como a un nino",
    "per my last",
    "not ok at all",
]
ANGER += TREATMENT
COMPLAINT += TREATMENT
# How they are treated, said in sentences no word list holds: how often and when they are called,
# sarcasm, warnings to take their business elsewhere, documenting the calls. Anger and a complaint.
TREATMENT_SAID = re.compile(
    r"\b(?:\d+|dos|tres|cuatro|cinco|seis|siete|ocho|diez|two|three|four|five|six|ten|third|fourth|fifth|3rd|4th|5th)"
    r"(?: \w+)? (?:llamadas?|mensajes?|calls?|messages?|texts?|time|times|veces|voicemails?|emails?|correos|reminders?"
    r"|recordatorios)\b.{0,40}\b(?:hoy|today|al dia|a day|antes|before|this week|esta semana|in a row|seguidas?"
    r"|after hours|since|desde)\b|\b(?:you ve|u ve|they ve) left (?:\d+|[a-z]+) (?:voicemails|messages)"
    r"|\b(?:llam|marc|escrib|call|text|contact)\w*\b.{0,40}\b(?:domingo|sabado|fin de semana|weekend|sunday|saturday"
    r"|after hours|a estas horas|de noche|at night|medianoche|midnight|\d{1,2} ?(?:am|de la manana)"
    r"|(?:9|10|11|nine|ten|eleven) ?pm)\b"
    r"|\b(?:call|calling|called|calls|contact|contacting|text|texting|llam|marc|escrib)\w*\b.{0,30}\b(?:my|our|mi|mis"
    r"|nuestro|nuestra|nuestros) (?:personal|employees?|staff|boss|wife|husband|family|coworkers?|receptionist"
    r"|front desk|warehouse|celular personal|empleados|jefe|esposa|familia|secretaria|trabajadores)\b"
    r"|\b(?:wow|such|much|real|really|very) (?:customer service|professional|classy|nice|helpful)\b"
    r"|\b(?:\d{1,2} ?am|a estas horas|de la noche) (?:call|llamada|mensaje|message)"
    r"|\b(?:que|q|so|how|muy|super) (?:eficientes|amables|efficient|professional|divinos)\b|\brecord mundial\b"
    r"|\bbusiness hours\b|\b(?:dejamos de comprarles|ya no les compramos|no les compramos|nos cambiamos de proveedor"
    r"|cambiamos de proveedor|les cancelamos los pedidos|hay mas proveedores|take our business elsewhere|stop buying"
    r"|find another (?:vendor|supplier)|recording this call|grabando (?:esta|la) llamada|documenting every"
    r"|supervisor s name|employee id|nombre de su supervisor)\b"
)
# Legal words in a calm sense: the lawyer who approves payments, the market's "demanda", a suit with someone else.
_WEAK_LEGAL = frozenset({"abogado", "abogada", "abogados", "mi abogado", "lawyer", "attorney", "demanda", "lawsuit"})
_CALM_LEGAL = re.compile(
    r"\b(?:abogad[oa]s?|lawyer|attorney|legal)\b.{0,40}\b(?:aprueba|aprueban|aprobo|firma|firman|firmo|revisa|reviso"
    r"|revisando|nos pidio|approves?|approved|approval|sign off|signed|signs|reviewing|reviewed|review)"
    r"|\b(?:aprueba|firma|approves?|sign off on)\b.{0,30}\b(?:abogad[oa]|lawyer|attorney)\b"
    r"|\bdemanda (?:(?:esta|ha estado|anda|viene) )?(?:muy )?(?:de|del mercado|bajo|ha bajado|cayo|se cayo|se nos cayo"
    r"|baja|alta|subio|por el suelo|floja|caida)\b"
    r"|\b(?:poca|mucha|baja|alta|caida de la) demanda\b|\b(?:nos )?demand\w* (?:un|una|el|la|a) (?:cliente|proveedor)\b"
    r"|\blawsuit with\b|\b(?:lawyer|legal|attorney) fees\b|\bhonorarios\b"
    r"|\bdemanda\b.{0,40}\b(?:pedidos|ventas|mercado|orders|sales|clientes)\b"
)
# Insults a debtor says of themself ("I feel like an idiot, it was paid"): not conflict.
_SELF_BLAME = re.compile(
    r"\b(?:i m|im|i am|i was|i feel like|i ve been|soy|fui|me siento|que) (?:such |a |an |un |una |such an? )?"
    r"(?:total |complete |tremendo |tremenda )?"
    r"(?:idiot|jerk|moron|dumb|idiota|tonto|tonta|bruto|bruta|pendejo|pendeja)\b"
    r"(?: (?:soy|i am))?"
)
# Swearing written with symbols or digits: "pendej0", "m13rda", "a$$holes", "sh!t", "f***ing", "h*ll".
_LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "@": "a", "$": "s", "!": "i"})
_CENSORED = [
    (re.compile(r"\bf[*#@%]{1,4}(?:c?k)?(?:ing|in|ed|er|ers)?(?![a-z])"), "fucking"),
    (re.compile(r"\ba[*]{2}(?![a-z*])"), "ass"),
    (re.compile(r"\bsh[*#]{1,2}t"), "shit"),
    (re.compile(r"\ba[*$]{2}hole"), "asshole"),
    (re.compile(r"\bh[*#]ll\b"), "hell"),
    (re.compile(r"\bm[*#.]{2,}(?:rda)?"), "mierda"),
]


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
    lowered = text.lower()
    for pattern, word in _CENSORED:
        lowered = pattern.sub(word, lowered)
    # a word of letters with digits or symbols in it is a word in disguise ("pendej0"), not a number
    lowered = re.sub(r"\S+", lambda m: m[0].translate(_LEET) if re.search(r"[a-z]", m[0]) else m[0], lowered)
    return re.sub(r"\s+", " ", re.sub(r"[^a-z0-9ñ ]+", " ", strip_accents(lowered))).strip()


def assess(text: str, earlier_complaints: int = 0) -> Conflict:
    """Signals of conflict in ``text``; ``earlier_complaints`` counts the same
    debtor's complaining turns before this one (repeated complaints weigh)."""
    plain = _SELF_BLAME.sub(" ", _plain(text))
    signals: list[dict[str, str]] = []
    for kind, pattern in (("insult", _INSULT), ("legal_threat", _LEGAL), ("anger", _ANGER), ("complaint", _COMPLAINT)):
        signals += [{"kind": kind, "words": m[0]} for m in pattern.finditer(plain)]
    treated = TREATMENT_SAID.search(plain)
    if treated:
        signals += [{"kind": "anger", "words": treated[0]}, {"kind": "complaint", "words": treated[0]}]
    if _CALM_LEGAL.search(plain):
        signals = [s for s in signals if not (s["kind"] == "legal_threat" and s["words"] in _WEAK_LEGAL)]
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
