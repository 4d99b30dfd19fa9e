"""Find personal data in one text: where it is and what kind, never what to put instead.

Two families live here. Structured data (e-mails, phones, cards, keys, order numbers,
postal addresses, handles, personal URLs) is found by shape. Person names are found
with a ``NameBook`` of the thread's participants plus a first-name lexicon for third
people. ``find_all`` runs both and settles overlaps, so the anonymizer only decides
what each span becomes.

Everything is compiled once at import; the lexicon is read once per process.
"""

from __future__ import annotations

import ipaddress
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache, lru_cache
from importlib import resources

from phonenumbers import Leniency, PhoneMetadata, PhoneNumberMatcher

from goodwill.model import Role


@dataclass(frozen=True, slots=True)
class Span:
    """A piece of personal data: ``text == source[start:end]``."""

    kind: str
    start: int
    end: int
    text: str


# Overlaps: the longer span wins; at equal length the more specific kind does.
PRIORITY = {
    "email": 0,
    "url": 1,
    "handle": 2,
    "iban": 3,
    "card": 4,
    "vat": 5,
    "key": 6,
    "order": 7,
    "dob": 8,
    "ip": 9,
    "phone": 10,
    "address": 11,
    "name": 12,
}

# ---------------------------------------------------------------------------------------
# Word lists
# ---------------------------------------------------------------------------------------


# Letters Unicode does not decompose into a base letter and an accent: "Bjørn" and
# "Łukasz" must find the "bjorn" and "lukasz" of an English-speaking list.
_LETTERS = str.maketrans(
    {"ø": "o", "Ø": "o", "ł": "l", "Ł": "l", "đ": "d", "Đ": "d", "ð": "d", "Ð": "d",
     "æ": "ae", "Æ": "ae", "œ": "oe", "Œ": "oe", "þ": "th", "Þ": "th", "ı": "i"}
)  # fmt: skip


@lru_cache(maxsize=1 << 16)
def fold(word: str) -> str:
    """Lookup key for a name: accents off and case folded, so "Éric" finds "Eric".

    Cached: the same few thousand words (names, sign-offs, capitalised words) are folded
    in every thread, and folding one costs more than looking it up.
    """
    decomposed = unicodedata.normalize("NFKD", word.translate(_LETTERS))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


@cache
def _fold_letter(letter: str) -> str:
    base = fold(letter)
    return base if len(base) == 1 else letter


def _fold_in_place(text: str) -> str:
    """``text`` with accents off but every offset kept: the NameBook's folded forms
    ("anunciacion") must match "Anunciación" and point at it."""
    if text.isascii():
        return text
    return "".join(c if c < "\x80" else _fold_letter(c) for c in text)


def _data_lines(name: str) -> list[str]:
    text = resources.files("goodwill").joinpath("data", name).read_text(encoding="utf-8")
    return [line.strip() for line in text.splitlines() if line.strip() and line[0] != "#"]


@dataclass(frozen=True, slots=True)
class Lexicon:
    """The word lists names are judged with; see goodwill/data/README.md for sources."""

    first_names: frozenset[str]  # folded
    nicknames: dict[str, frozenset[str]]  # folded short or full form -> related forms
    name_words: frozenset[str]  # first names that are also ordinary words
    capitalised: frozenset[str]  # capitalised non-names that are also first names


@cache
def lexicon() -> Lexicon:
    """Read the lexicon once per process (~30 ms); sources in goodwill/data/README.md.

    ``first_names.txt`` is generated and already folded; the hand-written supplement is
    folded here, and the words of ``not_first_names.txt`` are taken out of both.
    """
    first = set(_data_lines("first_names.txt"))
    first.update(fold(name) for name in _data_lines("first_names_extra.txt"))
    first.difference_update(_data_lines("not_first_names.txt"))
    # Every short form of a name is a form of the others: "Will" signs as "Bill" too. Not
    # transitive across full names, so "Bert" (Robert, Albert) does not make Rob an Al.
    shorts_of: dict[str, set[str]] = {}
    fulls_of: dict[str, set[str]] = {}
    for line in _data_lines("nicknames.tsv"):
        short, _, fulls = line.partition("\t")
        for full in fulls.split(","):
            shorts_of.setdefault(fold(full), set()).add(fold(short))
            fulls_of.setdefault(fold(short), set()).add(fold(full))
    related: dict[str, set[str]] = {full: set(shorts) for full, shorts in shorts_of.items()}
    for short, fulls in fulls_of.items():
        forms = related.setdefault(short, set())
        for full in fulls:
            forms |= {full, *shorts_of[full]}
        forms.discard(short)
    return Lexicon(
        first_names=frozenset(first),
        nicknames={k: frozenset(v) for k, v in related.items()},
        name_words=frozenset(_data_lines("name_words.txt")),
        capitalised=frozenset(_data_lines("always_capitalised.txt")),
    )


# ---------------------------------------------------------------------------------------
# Structured data
# ---------------------------------------------------------------------------------------


def _opening_with(chars: str, pattern: re.Pattern[str]) -> re.Pattern[str]:
    """``pattern`` behind a look-ahead for the characters every one of its matches starts with.

    Same matches. Patterns that open with ``\\b``, a look-behind or a choice of words give
    the engine no first character to skip to, so it tries all of them at every position;
    one character test first rejects most positions (2-4x faster on mail text).
    """
    return re.compile(f"(?={chars})(?:{pattern.pattern})", pattern.flags)


EMAIL = re.compile(
    r"(?<![\w.+'-])[A-Za-z0-9][A-Za-z0-9._%+'-]*@"
    r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*"
    r"\.[A-Za-z]{2,}\b"
)

# "jonas.whitlock @ example.com", "jonas (at) example [dot] com": written to fool harvesters,
# still an address. Looked for only when a spaced or bracketed "at" is in the text.
_AT = r"(?:[ \t]+@[ \t]*|@[ \t]+|[ \t]*[(\[{<][ \t]*(?:at|@)[ \t]*[)\]}>][ \t]*)"
_DOT = r"(?:\.|[ \t]*[(\[{<][ \t]*dot[ \t]*[)\]}>][ \t]*)"
EMAIL_SPACED = re.compile(
    rf"(?<![\w.+'-])[A-Za-z0-9][A-Za-z0-9._%+'-]*{_AT}"
    rf"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:{_DOT}[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*"
    rf"{_DOT}[A-Za-z]{{2,}}\b",
    re.IGNORECASE,
)
SPACED_AT = re.compile(r"[ \t]@|@[ \t]|[(\[{<][ \t]*at[ \t]*[)\]}>]", re.IGNORECASE)

SOCIAL_HOSTS = (
    r"twitter|x|linkedin|facebook|fb|instagram|github|gitlab|tiktok|youtube|medium|reddit"
    r"|pinterest|behance|dribbble|bsky|threads|mastodon|flickr|vimeo|soundcloud|twitch"
    r"|keybase|t\.me|wa\.me|xing|tumblr|substack|patreon|about\.me|linktr\.ee"
)
# Hosts that are a whole domain already: "t.me/jonas" has no ".com" after the host.
SHORT_HOSTS = r"t\.me|wa\.me|linktr\.ee|about\.me|bsky\.app|x\.com"
URL = re.compile(
    r"\b(?:https?://|www\.)[^\s<>\"'()\[\]{}]+"
    rf"|\b(?:(?:[a-z0-9-]+\.)*(?:{SOCIAL_HOSTS})\.(?:com|net|app|social|me|ee|in)|{SHORT_HOSTS})"
    r"/[^\s<>\"'()\[\]{}]+",
    re.IGNORECASE,
)
URL = _opening_with("[a-z0-9-]", URL)  # case-insensitive, as URL is
SOCIAL = re.compile(
    rf"^(?:https?://)?(?:www\.)?(?:(?:[a-z0-9-]+\.)*(?:{SOCIAL_HOSTS})\.[a-z.]+|{SHORT_HOSTS})/",
    re.I,
)
MASTODON_STYLE = re.compile(r"^(?:https?://)?[^/]+/@\w")
PERSONAL_PATH = re.compile(
    r"/(?:~|users?/|u/|profiles?\b|in/|people/|members?/|author/|@|portfolio\b|cv\b|resume\b)",
    re.IGNORECASE,
)
HANDLE = re.compile(r"(?<![\w@./+-])@[A-Za-z0-9_](?:[A-Za-z0-9_.]{0,28}[A-Za-z0-9_])?(?![\w@])")

CARD = re.compile(r"(?=\d)(?<![\d-])\d(?:[ -]?\d){12,18}(?![\d-])")

KEY_PATTERNS = (
    # Grouped licence keys: ABCD-EFGH-IJKL-MNOP, XXXXX-XXXXX-XXXXX-XXXXX-XXXXX. The first
    # three need a hyphen, the last three a run of 16 letters and digits (``_keys``).
    re.compile(r"\b[A-Z0-9]{4,8}(?:-[A-Z0-9]{4,8}){2,7}\b"),
    # Prefixed serials: SN-84KCBSQD33, LIC-MPZABQSVVU.
    _opening_with("[A-Z]", re.compile(r"\b(?:SN|S/N|SER|LIC|KEY|[A-Z]{2,4})-[A-Z0-9]{8,}\b")),
    # UUIDs and long hexadecimal tokens.
    re.compile(r"\b[0-9a-fA-F]{8}(?:-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}\b"),
    re.compile(r"\b(?=[0-9a-fA-F]*\d)(?=[0-9a-fA-F]*[a-fA-F])[0-9a-fA-F]{20,}\b"),
    # Base32 and API-style tokens: long, mixed letters and digits.
    re.compile(r"\b(?=[A-Za-z0-9_]*\d)(?=[A-Za-z0-9_]*[A-Za-z])[A-Za-z0-9_]{24,}\b"),
    re.compile(r"\b(?=[A-Z2-7]*[2-7])(?=[A-Z2-7]*[A-Z])[A-Z2-7]{16,}\b"),
)
# Each labelled pattern opens with a look-ahead for the first letters of its labels: the
# engine then rejects most positions on one character test instead of trying every label
# there (the same matches, 2-4x faster).
LABELLED_KEY = re.compile(
    r"(?i:(?=[slpartcnk]))"
    r"(?i:\b(?:serial(?:\s+(?:number|no\.?|#))?|licen[cs]e(?:\s+(?:key|code|number|no\.?))?"
    r"|product\s+key|activation\s+(?:key|code)|registration\s+(?:key|code)|api\s+key|token"
    r"|seriennummer|lizenzschl(?:ü|ue)ssel|num(?:é|e)ro\s+de\s+s(?:é|e)rie|cl(?:é|e)\s+de\s+licence)"
    r"(?:\s+is)?\s*[:#=]?\s*)"
    r"(?P<v>(?=[A-Za-z0-9._-]*\d)[A-Za-z0-9][A-Za-z0-9._-]{4,}[A-Za-z0-9])"
)

ORDER_LABELS = (
    r"order|invoice|inv|ticket|case|receipt|booking|reservation|reference|ref|transaction|txn"
    r"|account|acct|customer|subscription|purchase\s+order|po|bestellung|bestellnummer"
    r"|rechnung|rechnungsnummer|auftrag|kundennummer|commande|facture|pedido|factura|ordine"
    r"|fattura|bestelling|factuur"
)
LABELLED_ORDER = re.compile(
    r"(?i:(?=[oitcrbaspkf]))"
    rf"(?i:\b(?:{ORDER_LABELS})\b\.?(?:\s*(?:no\.?|nr\.?|number|num\.?|n°|n\.º|id|nummer"
    r"|num(?:é|e)ro|n(?:ú|u)mero))?\s*(?:is\s+)?[:#]?\s*)"
    r"(?P<v>#?(?:[A-Za-z]{1,6}[-/]?)?\d[\w/-]*\d|#?\d{3,})"
)
BARE_ORDER = re.compile(
    r"\b(?:INV|ORD|ORDER|TKT|TCK|RCPT|PO|SO|CS|REF|CASE|TICKET|BKG)[-#]?\d[\d-]{2,}\b"
    r"|(?<![\w&#])#\d{4,}\b"
)
BARE_ORDER = _opening_with("[IOTRPSCB#]", BARE_ORDER)

# Numbers that are not personal and must never be taken for phone numbers.
NOT_PHONE = re.compile(
    r"(?=[\d$€£¥vVbBrRuU])(?:"  # what every alternative can start with, as above
    r"\b\d{4}-\d{1,2}-\d{1,2}(?:[T ]\d{1,2}:\d{2}(?::\d{2})?)?"  # ISO dates
    r"|(?<![\d./-])\d{1,2}[./-]\d{1,2}[./-](?:\d{4}|\d{2})\b(?![./-]\d)"  # 04/03/2026, 4.3.26
    r"|(?<![\d.])\d{1,2}:\d{2}(?::\d{2})?\b"  # times
    r"|(?i:\b(?:v|ver\.?|version|build|release|update)\s?\d+(?:\.\d+)+\b)"  # versions
    r"|\b(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?:\.(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}\b"  # IPs
    r"|[$€£¥]\s?\d[\d,.\s]*\d|\b\d[\d,.]*\s?(?:€|EUR|USD|GBP|CHF|\$|kr|%)"  # money, percent
    r"|\b(?:19|20)\d\d\s?[-–]\s?(?:19|20)\d\d\b"  # year ranges
    r")"
)
DIGIT = re.compile(r"\d")
PHONE_CANDIDATE = _opening_with(
    r"[+(\d]", re.compile(r"(?<![\w+])(?:\+|00)?\(?\d[\d \t().\-/]{5,22}\d(?!\w)")
)
PHONE_LABEL = re.compile(
    r"(?i:phone|tel|mobile|mob|cell|fax|call|ring|whatsapp|number|no\.|telefon|handy|portable"
    r"|t(?:é|e)l(?:é|e)phone|móvil|cellulare)\W{0,12}$"
)
PHONE_REGIONS = ("GB", "US", "DE", "FR", "NL", "ES", "IT", "AU", "CA", "IN", "IE", "BE", "CH")


def preload() -> None:
    """Read the lexicon and the phone regions' metadata now rather than at first use.

    Both are read lazily, once per process (~25 ms). Ingest calls this before it forks its
    workers, which then share one copy instead of each reading its own.
    """
    lexicon()
    for region in PHONE_REGIONS:
        PhoneMetadata.metadata_for_region(region)


STREET_SUFFIX = (
    r"street|st|road|rd|lane|ln|avenue|ave|av|drive|dr|close|court|ct|way|place|pl|crescent"
    r"|cres|terrace|boulevard|blvd|square|sq|gardens|grove|hill|park|row|mews|walk|parkway"
    r"|pkwy|highway|hwy|circle|cir|trail|trl|green|rise|view|wharf|quay|parade|alley|path"
    r"|pike|plaza|ridge|run|loop|crossing|heights|vista|manor|meadows?|fields?|station"
    r"|village|ville|ports?|mountains?|mount|mill|mills|isle|island|junction|glen|haven"
    r"|harbou?r|hollow|estates?|falls|ferry|ford|forest|forge|fort|freeway|gateway|lake|lakes"
    r"|landing|light|lock|oval|passage|pine|pines|point|prairie|ranch|rapids|rest|river|roads?"
    r"|route|shoals?|shore|shores|spring|springs|spur|stream|summit|throughway|trace|track"
    r"|tunnel|turnpike|union|valley|via|viaduct|wall|ways|wells|bypass|causeway|center|centre"
    r"|cliff|cliffs|club|common|corner|corners|course|creek|dale|dam|divide|expressway"
    r"|extension|flat|flats|garden|gateway|knoll|knolls|motorway|orchard|overpass|plain"
    r"|plains|radial|ramp|shoal|squares|streets|underpass|bridge|brook|burg|bypass|camp"
    r"|canyon|cape|cove|curve|crest|fall|keys?|neck|pass|port"
    # More of the US Postal Service's street suffixes (Publication 28).
    r"|bend|bluff|bottom|branch|byway|fork|haven|inlet|land|loaf|lodge|locks?|mall|mission"
    r"|skyway|stravenue|trafficway|trailer|well|commons|parkways|mountains|crossroad|rapid|rue"
)
EN_STREET = re.compile(
    # "\b\d{1,5}" written so that it opens with a digit the engine can skip to (below).
    r"\d(?<!\w\d)\d{0,4}[A-Za-z]?(?:[-/]\d{1,4})?,?\s+"
    r"(?:[A-Z][\w'’.-]*\s+){0,3}[A-Z][\w'’-]*\s+"
    rf"(?i:(?:{STREET_SUFFIX})s?)\b\.?"
    r"(?:,?\s+(?i:apt\.?|apartment|suite|ste\.?|unit|flat|floor|#)\s*\w{1,6}\b)?"
)
# "Flat 75C, Lewis Mill": the unit word before a street's number belongs to the address.
# Looked for behind a match rather than inside the pattern, where it slowed every position.
UNIT_BEFORE = re.compile(r"(?i:flat|apartment|apt\.?|unit|suite|studio)\s+$")
GERMANIC_STREET = re.compile(
    # The word's capital comes first (no word character before it: "\b"), so the engine
    # skips from capital to capital; the look-ahead then wants a number within four words
    # before trying every street word at every letter of the word (the slowest pattern).
    r"[A-ZÄÖÜ](?<!\w[A-ZÄÖÜ])(?=[\wäöüßÄÖÜ.-]*(?:[ ][\wäöüßÄÖÜ.-]+){0,3}?\s+\d)"
    # "Isolde-van der Dussen-Platz 7": particles may stand between hyphenated parts.
    r"[\wäöüßÄÖÜ.-]*?(?:-(?:van|von|de|der|den|zu|zum|vom|am|an)"
    r"(?:[ ](?:der|den|de))?[ ][A-ZÄÖÜ][\wäöüßÄÖÜ.-]*?)?"
    r"(?i:stra(?:ß|ss)e|str\.|weg|gasse|allee|platz|ring|damm|ufer|chaussee|steig|pfad|markt|graben|straat|gracht|laan|plein|kade|singel|dijk|dreef"
    r"|steeg|hof|park|baan|boulevard|pad|wal|kanaal|haven|veld|plantsoen|erf|hoven)"
    r"\s+\d{1,4}\s?[a-zA-Z]?(?:[-/]\d{1,4})?\b"
)
FRENCH_STREET = re.compile(
    r"\d(?<!\w\d)\d{0,3}(?:\s?(?:bis|ter))?,?\s+"
    r"(?i:rue|avenue|av\.|boulevard|bd|place|chemin|all(?:é|e)e|impasse|quai|route|cours"
    r"|square|passage|faubourg|rond-point|voie)\s+"
    r"(?:(?:de\s+la|de|du|des|d'|d’|l'|l’|la|le|les)\s*)?[A-ZÉÈÀÂ][\w'’-]*"
    r"(?:\s+(?:(?:de\s+la|de|du|des|d'|d’|l'|l’|la|le|les)\s*)?[A-ZÉÈÀÂ][\w'’-]*){0,3}"
)
# Without a number ("avenue Moreno", "rue de Dufour"): the street word in lower case, as
# French writes it mid-line, and a capitalised name after it. Words English also uses
# ("place", "route", "square") only with a French particle: "take place Monday" is no address.
FRENCH_STREET_BARE = re.compile(
    r"(?<![\w-])(?:(?:rue|avenue|boulevard|chemin|all(?:é|e)e|impasse|quai|faubourg)\s+"
    r"(?:(?:de\s+la|de|du|des|d'|d’|l'|l’)\s*)?"
    r"|(?:place|route|square|passage|cours|voie)\s+(?:de\s+la|de|du|des|d'|d’|l'|l’)\s*)"
    r"[A-ZÉÈÀÂ][\w'’-]+(?:\s+(?:(?:de\s+la|de|du|des|d'|d’)\s*)?[A-ZÉÈÀÂ][\w'’-]+){0,2}"
)
SOUTHERN_STREET = re.compile(
    r"\b(?:Calle|C/|C\.|Ca(?:ñ|n)ada|Avenida|Avda\.?|Plaza|Pza\.|Paseo|Camino|Carrera|Ronda"
    r"|Traves(?:í|i)a|Vial|Pasadizo|Acceso|Bajada|Ctra\.|Pje\.|Carrer|Passeig|Pla(?:ç|c)a"
    r"|Callej(?:ó|o)n|Cuesta|Glorieta|Pasaje|Rambla|Urbanizaci(?:ó|o)n|V(?:í|i)a|Alameda"
    r"|Carretera|Via|Viale|Piazza|Corso|Largo|Vicolo|Strada|Contrada|Borgo|Rotonda|Incrocio"
    r"|Stretto|Canale|Rua|R\.|Travessa|Av\.?|Pra(?:ç|c)a)\s+"
    r"(?:(?:de|del|de\s+la|de\s+los|de\s+las|la|el|los|las|dei|della|delle|degli|di|da|do|dos"
    r"|das)\s+)*"
    r"[A-ZÁÉÍÓÚÑ][\w'’.-]*(?:\s+(?:(?:de|del|la|el|y|e|di|dei|della)\s+)?[A-ZÁÉÍÓÚÑ][\w'’.-]*){0,3}"
    r",?\s*(?:\d{1,4}|[sS]/[nN])\b"
    r"(?:,?\s+(?i:piso|puerta|planta|bajo|apt\.?|esc\.?|interno|int\.?|appartamento|piano"
    r"|scala)\s*\w{1,4}\b)*"
)
US_STATES = (
    "AL|AK|AZ|AR|CA|CO|CT|DE|DC|FL|GA|HI|ID|IL|IN|IA|KS|KY|LA|ME|MD|MA|MI|MN|MS|MO|MT|NE|NV"
    "|NH|NJ|NM|NY|NC|ND|OH|OK|OR|PA|RI|SC|SD|TN|TX|UT|VT|VA|WA|WV|WI|WY|PR|GU|VI|AS|MP"
)
CITY_WORD = r"[A-ZÄÖÜÉÈÅÆØŁŚŻ][\wäöüßéèêàç'’]+"
CITY = (
    rf"(?:St\.\s)?{CITY_WORD}"
    rf"(?:[ -](?:{CITY_WORD}|am|an|der|de|sur|sous|en|la|le|im|bei|d'|del|upon|on)){{0,3}}"
)
POSTCODE_LINES = (
    # US: "Lake Sarah, NV 12345" and military mail.
    re.compile(
        rf"\b[A-Z][A-Za-z'’.-]+(?:\s[A-Z][A-Za-z'’.-]+){{0,2}},\s*(?:{US_STATES})\s+\d{{5}}(?:-\d{{4}})?\b"
    ),
    re.compile(r"\b(?:APO|FPO|DPO)\s+(?:AA|AE|AP)\s+\d{5}\b"),
    # UK postcodes, with the town before them when there is one.
    re.compile(
        r"(?:\b[A-Z][a-z'’-]+(?:\s[A-Z][a-z'’-]+)?,?\s+)?"
        r"\b(?:[A-Z]{1,2}\d[A-Z\d]?|GIR)\s?\d[A-Z]{2}\b"
    ),
    # DE/FR/ES/IT five digits and NL four digits plus two letters, then the city: only at
    # the start of a line or after a comma, where an address puts them.
    re.compile(rf"(?:(?<=\n)|(?<=^)|(?<=, ))[ \t]*(?:[A-Z]{{1,2}}-)?\d{{5}}\s+{CITY}", re.M),
    re.compile(rf"(?:(?<=\n)|(?<=^)|(?<=, ))[ \t]*\d{{4}}\s?[A-Z]{{2}}\s+{CITY}", re.M),
)
# Nordic streets: one word ending in the street word ("Storgatan 5", "Nørregade 12",
# "Kirkeveien 3", "Aleksanterinkatu 4") or the street word alone after the name ("Karl
# Johans gate 3"). The look-ahead wants a number right after the word, as Germanic's does.
NORDIC_STREET = re.compile(
    # A capital that starts a word comes first, so the engine skips to capitals; the
    # look-ahead then wants a number within three words before any suffix is tried.
    r"[A-ZÅÄÖÆØ](?<![\w-][A-ZÅÄÖÆØ])(?=[^\W\d_]*(?:[ ][^\W\d_]+){0,2}[ ]\d)"
    r"(?:[^\W\d_]+?(?:-[^\W\d_]+?)?"
    r"(?:gatan|gata|gaten|gate|gade|gaden|vägen|väg|veien|vegen|vei|vejen|vej|stræde|strædet"
    r"|gränd|gränden|torget|torg|torv|plads|plass|stigen|backen|allé|alléen|katu|tie|kuja|polku"
    r"|väylä|tori|kaari|raitti|rinne|bulevardi"
    # Norwegian streets are often a name run into a landscape word: "Madsenkroken 66".
    r"|bakken|berget|bråten|eggen|engen|ekra|faret|flata|gjerdet|grenda|gropa|hagen|haugen"
    r"|havna|holtet|høgda|jordet|kollen|kroken|lia|lunden|lyngen|løkka|marka|moen|myra"
    r"|plassen|ringen|roa|røa|skogen|skrenten|spranget|stien|stranda|stubben|stykket|svingen"
    r"|tjernet|toppen|tunet|vollen|vika|åsen)"
    r"|[^\W\d_]*[ ](?:[A-ZÅÄÖÆØ][^\W\d_]+[ ])?(?:gate|gata|gatan|vei|veg|vej|väg|vägen|gade"
    r"|allé|plass|torg|katu|tie))"
    r"[ ]\d{1,4}[ ]?[A-Za-z]?(?:[-/]\d{1,4})?\b"
)
# Polish: the street word comes first and is abbreviated ("ul. Długa 5", "al. Jana Pawła 12").
POLISH_STREET = re.compile(
    # "ul.", "ulica", "al." (never the "al." of "et al."), "aleja", "pl.", "plac"; the first
    # letter is a plain class so the engine can skip to it.
    r"[UuAaPp](?<![\w.][UuAaPp])(?<!et a)(?:l\.|lica|leja|lac)[ ]?"
    r"[A-ZĄĆĘŁŃÓŚŹŻ][^\W\d_]*(?:[ -][A-ZĄĆĘŁŃÓŚŹŻ][^\W\d_]*){0,3}[ ]\d{1,4}[a-zA-Z]?"
    r"(?:[/-]\d{1,4})?\b"
)
# EN_STREET, FRENCH_STREET and GERMANIC_STREET open with the character class they need
# (a digit, a capital), which lets the engine skip to it without a look-ahead: faster still.
FRENCH_STREET_BARE = _opening_with("[rabciqfpsv]", FRENCH_STREET_BARE)
SOUTHERN_STREET = _opening_with("[CAPRTVBUGLSI]", SOUTHERN_STREET)
POSTCODE_LINES = tuple(
    _opening_with(chars, pattern)
    for chars, pattern in zip(
        ("[A-Z]", "[AFD]", "[A-Z]", r"[ \tA-Z\d]", r"[ \tA-Z\d]"), POSTCODE_LINES, strict=True
    )
)
STREETS = (
    EN_STREET,
    GERMANIC_STREET,
    FRENCH_STREET,
    FRENCH_STREET_BARE,
    SOUTHERN_STREET,
    NORDIC_STREET,
    POLISH_STREET,
)
# Postcodes too short or too common to stand alone (Swedish "114 51", Danish and Norwegian
# "2100", Polish "00-238", Portuguese "1200-195"): taken only right after a street, on the
# same line after a comma or on the next line, with the town after them.
POSTCODE_AFTER_STREET = re.compile(
    r"(?:[ \t]*,[ \t]*|[ \t]*\n[ \t]*)(?:[A-Z]{1,2}-)?"
    r"(?:\d{3}[ ]\d{2}|\d{4}-\d{3}|\d{2}-\d{3}|\d{4,5})"
    rf"[ \t]+{CITY}(?:[ ][A-ZÆØÅ]\b)?"
)
ADDRESS_GAP = re.compile(r"[\s,]*")
DIGIT_RUN = re.compile(r"\d+")
UK_INWARD = re.compile(r"\d[A-Z]{2}\b")
CITY_LINE = re.compile(rf"[ \t]*{CITY}[ \t]*\n")


# IBANs (ISO 13616): a country, two check digits, then the account, often in groups of four.
# The candidate is cut to the country's registered length and must pass the mod-97 check, so
# a licence key or a reference that happens to start with two letters and two digits stays.
# Hand-written rather than a library: the check is four lines, and the registry libraries
# load their data at import, in every ingest worker.
IBAN_LENGTHS = {
    "AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22,
    "BR": 29, "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22, "DK": 18, "DO": 28, "EE": 20,
    "EG": 29, "ES": 24, "FI": 18, "FO": 18, "FR": 27, "GB": 22, "GE": 22, "GI": 23, "GL": 18,
    "GR": 27, "GT": 28, "HR": 21, "HU": 28, "IE": 22, "IL": 23, "IS": 26, "IT": 27, "JO": 30,
    "KW": 30, "KZ": 20, "LB": 28, "LI": 21, "LT": 20, "LU": 20, "LV": 21, "MC": 27, "MD": 24,
    "ME": 22, "MK": 19, "MR": 27, "MT": 31, "MU": 30, "NL": 18, "NO": 15, "PK": 24, "PL": 28,
    "PS": 29, "PT": 25, "QA": 29, "RO": 24, "RS": 22, "SA": 24, "SE": 24, "SI": 19, "SK": 24,
    "SM": 27, "TN": 24, "TR": 26, "UA": 29, "VG": 24, "XK": 20,
}  # fmt: skip
IBAN = re.compile(r"(?=[A-Z])\b[A-Z]{2}\d{2}(?:[ ]?[A-Z0-9]){11,30}")

# Dates of birth: a date is personal only after words that say it is a birth date; the
# same date after "on" or "invoice" is left alone.
MONTHS = (
    r"jan(?:uary|uar|vier|eiro)?|feb(?:ruary|ruar)?|f(?:é|e)vr(?:ier)?|mar(?:ch|s|zo)?|m(?:ä|ae)rz"
    r"|apr(?:il)?|avr(?:il)?|abr(?:il)?|may|mai|mei|mayo|maggio|jun(?:e|i|io)?|juin|giugno"
    r"|jul(?:y|i|io)?|juil(?:let)?|luglio|aug(?:ust|ustus)?|ao(?:û|u)t|ago(?:sto)?|sep(?:t|tember"
    r"|tembre|tiembre)?|settembre|oct(?:ober|obre)?|okt(?:ober)?|ottobre|nov(?:ember|embre)?"
    r"|dec(?:ember)?|dez(?:ember)?|d(?:é|e)c(?:embre)?|dic(?:iembre|embre)?|enero|gennaio"
    r"|febbraio|febrero|marzo|aprile|junio|julio|agosto|octubre|noviembre|diciembre|januari"
    r"|februari|maart|juni|juli|augustus|oktober"
)
BIRTH_DATE = re.compile(
    r"(?i:\b(?:born(?:\s+on)?|date\s+of\s+birth|d\.?o\.?b\b\.?|birth\s*date|birthday"
    r"|geboren(?:\s+(?:am|op))?|geburtsdatum|geb\.|n(?:é|e)e?\s+le|date\s+de\s+naissance"
    r"|fecha\s+de\s+nacimiento|nacid[oa]\s+el|data\s+di\s+nascita|nat[oa]\s+il|geboortedatum)"
    r"(?:\s*(?:is|was|:|-|–|,))*\s*(?:on\s+|the\s+)?)"
    r"(?P<v>\d{1,2}[./-]\d{1,2}[./-](?:\d{4}|\d{2})\b|\d{4}-\d{1,2}-\d{1,2}\b"
    rf"|(?i:\d{{1,2}}(?:st|nd|rd|th|er)?\.?\s+(?:de\s+)?(?:{MONTHS})\.?,?\s+(?:de\s+)?\d{{4}}\b"
    rf"|(?:{MONTHS})\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}\b))"
)

BIRTH_WORDS = re.compile(
    r"born|birth|dob|d\.o\.b|geb|n(?:é|e)e? le|naissance|nacimiento|nacid|nascita|nat[oa] il"
)

# VAT numbers: after their label in any shape, or alone in the strict shape of a few EU
# countries, where nothing else looks like them.
VAT_COUNTRIES = (
    "AT|BE|BG|CY|CZ|DE|DK|EE|EL|ES|FI|FR|GB|HR|HU|IE|IT|LT|LU|LV|MT|NL|PL|PT|RO|SE|SI|SK|XI"
    "|CHE|CH|NO"
)
LABELLED_VAT = re.compile(
    r"(?i:\b(?:VAT(?:\s*(?:reg(?:istration)?\.?|id|no\.?|number|nr\.?|#))*|USt\.?-?Id(?:Nr)?\.?"
    r"|Umsatzsteuer-?Identifikationsnummer|MwSt\.?-?Nr\.?|TVA(?:\s+intracommunautaire)?"
    r"|BTW(?:-?nummer|-?nr\.?)?|P\.?\s?IVA|partita\s+IVA|NIF(?:-IVA)?|IVA)"
    r"(?:\s*(?:is|number|no\.?|nr\.?|:|#))*\s*)"
    rf"(?P<v>(?:{VAT_COUNTRIES})[ -]?[0-9A-Z](?:[ .-]?[0-9A-Z]){{6,13}})(?![\w])"
)
# Cheap gates over the lower-cased text: the labelled patterns run only where a label may be.
VAT_WORDS = re.compile(r"vat|ust|mwst|tva|btw|iva|nif|umsatzsteuer")
BARE_VAT = re.compile(
    r"(?=[ADNFGBIEC])\b(?:ATU\d{8}|DE\d{9}|NL\d{9}B\d{2}|FR[0-9A-HJ-NP-Z]{2}\d{9}|GB\d{9}(?:\d{3})?|BE[01]\d{9}"
    r"|IT\d{11}|ES[A-Z0-9]\d{7}[A-Z0-9]|CHE-\d{3}\.\d{3}\.\d{3})\b"
)

# IP addresses. A dotted quad is also how versions are written ("1.2.0.3"), so a bare one
# needs two octets of two digits or more, or an "IP" word before it, and never a version word.
# Starts with a digit (not a look-behind) so the engine can skip to digits; 3x faster.
IPV4 = re.compile(r"\d(?<![\w.]\d)\d{0,2}(?:\.\d{1,3}){3}(?![\w]|\.\d)")
IP_LABEL = re.compile(r"(?i:\bip(?:v4|v6)?\b|address|server|host|from|login)[^\n\d]{0,20}$")
VERSION_BEFORE = re.compile(r"(?i:\b(?:v|ver\.?|version|build|release|update))\s?$")
IPV6 = re.compile(r"(?<![\w:.])(?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f.]*[0-9A-Fa-f](?![\w:])")


def _iban_ok(compact: str) -> bool:
    """ISO 13616 mod-97: the check digits moved to the end, letters as 10..35."""
    rearranged = compact[4:] + compact[:4]
    return int("".join(str(int(ch, 36)) for ch in rearranged)) % 97 == 1


def _ibans(text: str) -> Iterator[Span]:
    for m in IBAN.finditer(text):
        length = IBAN_LENGTHS.get(m.group()[:2])
        if length is None:
            continue
        kept = [i for i, ch in enumerate(m.group()) if ch != " "]
        if len(kept) < length:
            continue
        end = kept[length - 1] + 1
        stop = m.start() + end
        if stop < len(text) and text[stop].isalnum():
            continue  # the account runs on: not this country's IBAN
        compact = m.group()[:end].replace(" ", "")
        if _iban_ok(compact):
            yield Span("iban", m.start(), stop, text[m.start() : stop])


def _vats(text: str, labelled: bool, bare: bool) -> Iterator[Span]:
    for m in LABELLED_VAT.finditer(text) if labelled else ():
        value = m.group("v")
        if sum(ch.isdigit() for ch in value) >= 6:
            yield Span("vat", m.start("v"), m.end("v"), value)
    for m in BARE_VAT.finditer(text) if bare else ():
        yield Span("vat", m.start(), m.end(), m.group())


def _ips(text: str) -> Iterator[Span]:
    for m in IPV4.finditer(text) if text.count(".") >= 3 else ():  # a dotted quad has three
        if any(len(o) > 1 and (o[0] == "0" or int(o) > 255) for o in m.group().split(".")):
            continue
        before = text[max(0, m.start() - 30) : m.start()]
        if VERSION_BEFORE.search(before):
            continue
        long_octets = sum(len(octet) >= 2 for octet in m.group().split("."))
        if long_octets >= 2 or IP_LABEL.search(before):
            yield Span("ip", m.start(), m.end(), m.group())
    if text.count(":") >= 2:
        for m in IPV6.finditer(text):
            try:
                address = ipaddress.IPv6Address(m.group())
            except ValueError:
                continue  # a time ("12:04:33") or a MAC address
            if not (address.is_loopback or address.is_unspecified):
                yield Span("ip", m.start(), m.end(), m.group())


def luhn_valid(digits: str) -> bool:
    """The checksum every payment card number carries; random digits pass one time in ten."""
    total = 0
    for i, char in enumerate(reversed(digits)):
        d = int(char)
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def _cards(text: str) -> Iterator[Span]:
    for m in CARD.finditer(text):
        digits = re.sub(r"\D", "", m.group())
        if 13 <= len(digits) <= 19 and luhn_valid(digits) and len(set(digits)) > 1:
            yield Span("card", m.start(), m.end(), m.group())


LONG_TOKEN = re.compile(r"[A-Za-z0-9_]{16}")


# Hyphens each of the first three KEY_PATTERNS needs at least (grouped key, prefixed
# serial, UUID); the last three need a run of 16 letters and digits instead.
_KEY_HYPHENS = (2, 1, 4)


def _keys(text: str, has_digit: bool) -> Iterator[Span]:
    if has_digit:  # a labelled key's value holds a digit
        for m in LABELLED_KEY.finditer(text):
            yield Span("key", m.start("v"), m.end("v"), m.group("v"))
    hyphens = text.count("-")
    # The long-token patterns each want a digit in the token (their look-aheads).
    long_token = has_digit and LONG_TOKEN.search(text) is not None
    for k, pattern in enumerate(KEY_PATTERNS):
        if not (hyphens >= _KEY_HYPHENS[k] if k < 3 else long_token):
            continue  # cannot match: see KEY_PATTERNS
        for m in pattern.finditer(text):
            token = m.group()
            if token.replace("-", "").isdigit():
                continue  # digits only: a card, a phone or an order, decided elsewhere
            yield Span("key", m.start(), m.end(), token)


def _orders(text: str) -> Iterator[Span]:
    for m in LABELLED_ORDER.finditer(text):
        value = m.group("v")
        if NOT_PHONE.fullmatch(value.lstrip("#")):
            continue  # "invoice 2026-03-04" names a date, not an invoice
        yield Span("order", m.start("v"), m.end("v"), value)
    for m in BARE_ORDER.finditer(text):
        yield Span("order", m.start(), m.end(), m.group())


def _mask(text: str, spans: Iterable[tuple[int, int]]) -> str:
    """Blank out spans (same length) so a later pattern cannot see into them."""
    chars = list(text)
    for start, end in spans:
        chars[start:end] = " " * (end - start)
    return "".join(chars)


@lru_cache(maxsize=4096)
def _phone_extent(raw: str) -> tuple[int, int] | None:
    """The longest number phonenumbers sees in ``raw`` in any of ``PHONE_REGIONS``.

    Cached: a customer's number stands in every signature of the thread, and judging it
    in a dozen regions is the dearest step of the search.
    """
    best: tuple[int, int] | None = None
    for region in PHONE_REGIONS:
        for found in PhoneNumberMatcher(raw, region, leniency=Leniency.POSSIBLE):
            if best is None or found.end - found.start > best[1] - best[0]:
                best = (found.start, found.end)
        if best is not None and best[1] - best[0] == len(raw):
            break
    return best


def _phones(text: str) -> Iterator[Span]:
    """Phone numbers, matched leniently: fictional and mistyped numbers are still someone's.

    A cheap pattern finds runs of digits first; phonenumbers then judges each short run
    in the regions of ``PHONE_REGIONS`` (running it on whole messages is what makes
    other scrubbers slow).
    """
    for m in PHONE_CANDIDATE.finditer(text):
        raw = m.group().rstrip(" \t(-./")
        digits = sum(ch.isdigit() for ch in raw)
        if not 7 <= digits <= 15:
            continue
        formatted = raw[0] in "+(0" or any(not ch.isdigit() for ch in raw)
        if not formatted and not PHONE_LABEL.search(text[max(0, m.start() - 30) : m.start()]):
            continue  # a bare run of digits with no phone word near is an id or an amount
        best = _phone_extent(raw)
        if best is None and raw[0] == "+":
            continue  # an international number phonenumbers rejects is not a number
        start, end = (
            (m.start() + best[0], m.start() + best[1])
            if best
            else (m.start(), m.start() + len(raw))
        )
        yield Span("phone", start, end, text[start:end])


def _addresses(text: str, digits: _Digits) -> list[Span]:
    found: list[tuple[int, int]] = []
    # Every pattern but the French one without a number needs a digit; most postcode
    # patterns need five digits in a row, the British one a digit and two capitals.
    patterns: tuple[re.Pattern[str], ...] = (FRENCH_STREET_BARE,)
    if digits.count:
        us, apo, uk, five, four = POSTCODE_LINES
        patterns = (*STREETS, four)
        if digits.longest >= 5:
            patterns += (us, apo, five)
        if UK_INWARD.search(text):
            patterns += (uk,)
    for pattern in patterns:
        for m in pattern.finditer(text):
            start = m.start() + len(m.group()) - len(m.group().lstrip())
            if pattern is EN_STREET:
                unit = UNIT_BEFORE.search(text, max(0, start - 12), start)
                start = unit.start() if unit else start
            found.append((start, m.end()))
    if not found:
        return []
    found.sort()
    merged: list[list[int]] = []
    for start, end in found:
        if merged:
            last = merged[-1]
            if start <= last[1]:
                last[1] = max(last[1], end)
                continue
            gap = text[last[1] : start]
            if ADDRESS_GAP.fullmatch(gap) and gap.count("\n") <= 1:
                last[1] = max(last[1], end)
                continue
            # A town alone on a line between street and postcode: "12 Harbour Lane\nLeeds\nLS1 4AB".
            if gap.count("\n") == 2 and CITY_LINE.fullmatch(gap.lstrip(" ,\t\n") + "\n"):
                last[1] = max(last[1], end)
                continue
        merged.append([start, end])
    for span in merged:
        after = POSTCODE_AFTER_STREET.match(text, span[1])
        if after:
            span[1] = after.end()
    return [Span("address", s, e, text[s:e]) for s, e in merged]


def _urls(text: str, known: NameBook | None) -> Iterator[Span]:
    for m in URL.finditer(text):
        url = m.group().rstrip(".,;:!?")
        end = m.start() + len(url)
        if SOCIAL.match(url) or MASTODON_STYLE.match(url):
            yield Span("handle", m.start(), end, url)
        elif PERSONAL_PATH.search(url) or (known is not None and known.names_in_url(url)):
            yield Span("url", m.start(), end, url)


@dataclass(frozen=True, slots=True)
class _Digits:
    """How many digits a text holds and its longest run, from one scan.

    Most number-shaped patterns cannot match without enough of them (a card has 13, a phone
    7, a bare VAT number a run of 7, a postcode line a run of 5), and half of all mail text
    has fewer: one scan spares those passes (a pass costs as much as a whole pattern does).
    """

    count: int
    longest: int


def _digits(text: str) -> _Digits:
    runs = [len(run) for run in DIGIT_RUN.findall(text)]
    return _Digits(sum(runs), max(runs, default=0))


def find_structured(text: str, known: NameBook | None = None) -> list[Span]:
    """E-mails, phones, cards, keys, orders, addresses, handles and personal URLs.

    May return overlapping spans; ``find_all`` settles them. With ``known``, URLs on a
    domain built from a participant's name ("jameswhitfield.example") count as personal.
    """
    lower = text.lower()
    if "/" in text or "www." in lower:
        return _find_structured(text, lower, known)
    return list(_find_shapes(text))  # no URL: nothing depends on ``known``


@lru_cache(maxsize=1024)
def _find_shapes(text: str) -> tuple[Span, ...]:
    """``find_structured`` of a text without URLs, remembered.

    A thread's subject is read in every pass over it, anonymize reads a thread again when it
    learnt a name, and the same subjects recur across an inbox: a quarter of the texts a
    corpus ingest scans were scanned before. Bounded, so memory stays flat.
    """
    return tuple(_find_structured(text, text.lower(), None))


def _find_structured(text: str, lower: str, known: NameBook | None) -> list[Span]:
    # Cheap gates first: most texts have no "@", "/" or digit-run worth a full pattern pass.
    spans: list[Span] = []
    if "@" in text:
        spans.extend(Span("email", m.start(), m.end(), m.group()) for m in EMAIL.finditer(text))
        spans.extend(
            Span("handle", m.start(), m.end(), m.group())
            for m in HANDLE.finditer(text)
            if not m.group()[1:].isdigit()
        )
    if "/" in text or "www." in lower:
        spans.extend(_urls(text, known))
    bracket = "(" in text or "[" in text or "{" in text or "<" in text
    if ("@" in text or bracket) and SPACED_AT.search(text):  # it needs an "@" or a bracket
        spans.extend(
            Span("email", m.start(), m.end(), m.group()) for m in EMAIL_SPACED.finditer(text)
        )
    digits = _digits(text)
    if digits.count:
        if digits.count >= 13:
            spans.extend(_cards(text))
        spans.extend(_orders(text))
        spans.extend(_ibans(text))
        bare_vat = digits.longest >= 7 or "CHE-" in text
        spans.extend(_vats(text, VAT_WORDS.search(lower) is not None, bare_vat))
        if BIRTH_WORDS.search(lower):
            spans.extend(
                Span("dob", m.start("v"), m.end("v"), m.group("v"))
                for m in BIRTH_DATE.finditer(text)
            )
        spans.extend(_ips(text))
    spans.extend(_keys(text, digits.count > 0))
    spans.extend(_addresses(text, digits))
    if digits.count >= 7:  # a phone number has seven digits at least (``_phones``)
        masked = _mask(text, [(s.start, s.end) for s in spans])
        if PHONE_CANDIDATE.search(masked):
            masked = NOT_PHONE.sub(lambda m: " " * len(m.group()), masked)
            spans.extend(_phones(masked))
    return [Span(s.kind, s.start, s.end, text[s.start : s.end]) for s in spans]


# ---------------------------------------------------------------------------------------
# Names
# ---------------------------------------------------------------------------------------

TITLES = frozenset(
    [
        "mr",
        "mrs",
        "ms",
        "miss",
        "mx",
        "dr",
        "prof",
        "sir",
        "dame",
        "lady",
        "lord",
        "herr",
        "frau",
        "mme",
        "mlle",
        "monsieur",
        "madame",
        "mevrouw",
        "meneer",
        "dhr",
        "mevr",
        "sr",
        "sra",
        "srta",
        "señor",
        "señora",
        "signor",
        "signora",
        "sig",
        "sig.ra",
        "dott",
    ]
)
SUFFIXES = frozenset(
    ["jr", "jr.", "sr.", "ii", "iii", "iv", "phd", "md", "dds", "dvm", "esq", "mba"]
)
PARTICLES = frozenset(
    [
        "van",
        "von",
        "de",
        "der",
        "den",
        "du",
        "la",
        "le",
        "di",
        "da",
        "del",
        "dos",
        "das",
        "ten",
        "ter",
        "bin",
        "al",
        "el",
    ]
)
NOT_A_NAME = frozenset(
    [
        "there",
        "all",
        "team",
        "everyone",
        "everybody",
        "folks",
        "guys",
        "sir",
        "madam",
        "sirs",
        "support",
        "again",
        "both",
        "friends",
        "you",
        "yall",
        "y'all",
        "there,",
        "again,",
        "the",
        "customer",
        "service",
        "hello",
        "hi",
        "dear",
        "thanks",
        "thank",
        "regards",
        "best",
        "cheers",
        "sales",
        "billing",
        "accounts",
        "help",
        "helpdesk",
        "info",
        "admin",
        "contact",
        "office",
    ]
)
ROLE_LOCAL_PARTS = frozenset(
    [
        "info",
        "support",
        "hello",
        "admin",
        "contact",
        "sales",
        "billing",
        "accounts",
        "office",
        "team",
        "mail",
        "noreply",
        "no",
        "reply",
        "help",
        "service",
        "orders",
        "shop",
        "webmaster",
        "postmaster",
        "hi",
        "mail",
        "inbox",
        "news",
    ]
)
# Function words and nationalities that are also in the first-name lexicon: never names.
NOT_A_NAME = NOT_A_NAME | frozenset(
    [
        "the",
        "to",
        "in",
        "you",
        "on",
        "be",
        "are",
        "he",
        "his",
        "my",
        "an",
        "so",
        "me",
        "one",
        "can",
        "just",
        "do",
        "than",
        "go",
        "way",
        "said",
        "even",
        "here",
        "take",
        "made",
        "man",
        "come",
        "am",
        "long",
        "then",
        "her",
        "she",
        "it",
        "we",
        "they",
        "our",
        "your",
        "its",
        "american",
        "british",
        "english",
        "french",
        "german",
        "dutch",
        "spanish",
        "italian",
        "european",
    ]
)
# Words before a name that say a person comes next: "my colleague Sarah", "ask Priya".
CONTEXT_BEFORE = frozenset(
    [
        "colleague",
        "colleagues",
        "manager",
        "boss",
        "wife",
        "husband",
        "partner",
        "assistant",
        "accountant",
        "bookkeeper",
        "named",
        "called",
        "ask",
        "asked",
        "cc",
        "cc'd",
        "cc’d",
        "son",
        "daughter",
        "brother",
        "sister",
        "mum",
        "mom",
        "dad",
        "friend",
        "coworker",
        "co-worker",
        "kollege",
        "kollegin",
        "collègue",
        "collega",
        "compañero",
        "compañera",
    ]
)
CONTEXT_AFTER = re.compile(
    r"\s+(?:from|in|at)\s+(?:accounts|accounting|sales|finance|billing|it|hr|support|marketing"
    r"|legal|procurement|purchasing|operations|ops|admin|payroll)\b",
    re.IGNORECASE,
)
TOKEN = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*\.?")
# In ASCII text: the TOKEN matches that start with a capital, and only those. A capital
# opens a TOKEN match when no letter (nor a letter and ' or -) stands right before it.
CAPITALISED_ASCII_TOKEN = re.compile(
    r"[A-Z](?<![A-Za-z].)(?<![A-Za-z]['-].)[A-Za-z]*(?:['-][A-Za-z]+)*\.?"
)
SENTENCE_END = frozenset('.!?:;•*-–—"“”«»(>|')
ABBREVIATIONS = frozenset(
    ["e.g.", "i.e.", "vs.", "etc.", "approx.", "no.", "nr.", "ca.", "cf.", "p.s.", "ps."]
)

GREETING = re.compile(
    r"^[ \t]*(?:hi|hello|hey|dear|good\s+(?:morning|afternoon|evening)|morning|hallo|hola"
    r"|bonjour|bonsoir|salut|ciao|buongiorno|gentile|liebe[rs]?|sehr\s+geehrte[rs]?"
    r"|guten\s+(?:tag|morgen)|moin|servus|beste|geachte|hoi|olá|ola|estimad[oa]|querid[oa]"
    r"|greetings|yo)\b[ \t,]*"
    r"(?P<names>[^\W\d_][^\n,!:;]{0,60}?)[ \t]*(?:[,!:;—–-]|$)",
    re.IGNORECASE | re.MULTILINE,
)
SIGN_OFF = re.compile(
    r"^[ \t]*(?:thanks(?:\s+(?:again|so\s+much|a\s+lot|in\s+advance))?|thank\s+you(?:\s+so\s+much)?"
    r"|many\s+thanks|cheers|(?:best|kind|warm|warmest|many)\s+regards|best(?:\s+wishes)?|regards"
    r"|all\s+the\s+best|sincerely|yours(?:\s+(?:sincerely|truly|faithfully))?|take\s+care|thx"
    r"|ta|mit\s+freundlichen\s+gr(?:ü|ue)(?:ß|ss)en|(?:viele|beste|liebe|herzliche)\s+gr(?:ü|ue)(?:ß|ss)e"
    r"|gr(?:ü|ue)(?:ß|ss)e|gru(?:ß|ss)|lg|vg|mfg|(?:bien\s+)?cordialement|merci(?:\s+beaucoup)?"
    r"|bien\s+(?:à|a)\s+vous|salutations|met\s+vriendelijke\s+groet(?:en)?|groeten|groetjes"
    r"|(?:un\s+)?saludos?|atentamente|gracias|cordiali\s+saluti|saluti|grazie|obrigad[oa])\b"
    r"[ \t]*[,.!]*[ \t]*(?:(?P<same>[^\W\d_][^\n]{0,40}?)[ \t]*$|\n+[ \t]*(?P<next>[^\n]{1,40})$)",
    re.IGNORECASE | re.MULTILINE,
)
NAME_LINE = re.compile(r"(?:[^\W\d_][\w'’.-]*\.?)(?:[ \t]+[^\W\d_][\w'’.-]*\.?){0,3}")
SPLIT_NAMES = re.compile(r"\s*(?:,|&|\band\b|\bund\b|\bet\b|\ben\b|\by\b|\be\b)\s*", re.I)


LOCAL_PART_SPLIT = re.compile(r"[._+\-\d]+")
TOKEN_LEFT = re.compile(r"[\w.+-]+$")
LETTERS_BEFORE = re.compile(r"[^\W\d_]+$")
LETTERS_AFTER = re.compile(r"[^\W\d_]*")
TOKEN_RIGHT = re.compile(r"[\w.+-]*")
TOKEN_EDGE = frozenset(".-+_")
# A last line of one to three capitals, with dots, spaces or a dash: "-M", "K.", "J. W.".
INITIALS_LINE = re.compile(r"[ \t]*(?:[-–—~][ \t]*)?(?P<i>[^\W\d_](?:\.?[ \t]?[^\W\d_]){0,2}\.?)")
# Capitals that end a message without being anyone's initials.
NOT_INITIALS = frozenset(
    ["OK", "PS", "PPS", "NB", "IT", "US", "UK", "EU", "HR", "TY", "THX", "FYI", "BTW", "ASAP",
     "LOL", "XO", "XX", "XOX", "XXX", "AM", "PM", "ID", "PDF", "CSV", "API", "I"]
)  # fmt: skip


def _is_initial(token: str) -> bool:
    return len(token.rstrip(".")) == 1 and token[0].isupper()


def _clean_name(raw: str) -> list[str]:
    """Tokens of a person's name, titles and suffixes dropped: "Dr. Jane Doe, PhD" -> Jane Doe."""
    raw = raw.split("(")[0].replace('"', " ").replace(",", " ")
    tokens = [t for t in raw.split() if t]
    out = []
    for token in tokens:
        bare = token.rstrip(".").casefold()
        if bare in TITLES or token.casefold() in SUFFIXES or bare in SUFFIXES:
            continue
        out.append(token)
    return out


def greeting_names(text: str) -> list[str]:
    """Names a message greets ("Hi James,", "Dear Ms Whitfield", "bonjour amélie")."""
    names: list[str] = []
    first_names = lexicon().first_names
    for m in GREETING.finditer(text[:400]):
        for part in SPLIT_NAMES.split(m.group("names")):
            tokens = _clean_name(part)
            if not tokens or len(tokens) > 3 or tokens[0].casefold() in NOT_A_NAME:
                continue
            if not all(t[0].isalpha() for t in tokens):
                continue
            if not all(t[0].isupper() or fold(t.rstrip(".")) in first_names for t in tokens):
                continue  # "Hi, please refund me." greets nobody
            names.append(" ".join(tokens))
        break  # only the first greeting line greets the reader
    return names


# A signature block: the "-- " delimiter, then the name on the next line.
SIGNATURE_NAME = re.compile(r"^--[ \t]*\n[ \t]*(?P<name>[^\n]{1,40}?)[ \t]*$", re.MULTILINE)


def _signature_names(text: str) -> Iterator[str]:
    """The full name that opens a signature block ("-- \\nStefan Borg\\n0113 ...").

    A pasted thread can keep a signature a reply parser would drop, and it may be the only
    place the customer's surname is written: without it their blog's host
    ("borg-studio.example") or a handle built on it ("sborg") is not known to be theirs.
    Strict, since anything may follow a delimiter: two or three capitalised words, the
    first a known first name.
    """
    lex = lexicon()
    for m in SIGNATURE_NAME.finditer(text):
        candidate = m.group("name")
        tokens = _clean_name(candidate)
        if not 2 <= len(tokens) <= 3 or not NAME_LINE.fullmatch(candidate):
            continue
        if not all(t[0].isupper() for t in tokens) or tokens[0].casefold() in NOT_A_NAME:
            continue
        if fold(tokens[0].rstrip(".")) in lex.first_names:
            yield " ".join(tokens)


def signoff_names(text: str) -> list[str]:
    """The author's name in a sign-off ("Thanks, James", "Cheers,\\nJames W.") or at the
    top of a signature block ("-- \\nJames Whitfield")."""
    names: list[str] = list(_signature_names(text)) if "--" in text else []
    for m in SIGN_OFF.finditer(text):
        candidate = m.group("same") or m.group("next") or ""
        candidate = candidate.strip().rstrip(",!")
        if candidate.endswith(".") and not _is_initial(candidate.split()[-1]):
            candidate = candidate[:-1]
        if not candidate or not NAME_LINE.fullmatch(candidate):
            continue
        tokens = _clean_name(candidate)
        if not tokens or tokens[0].casefold() in NOT_A_NAME:
            continue
        lex = lexicon()
        first = fold(tokens[0].rstrip("."))
        looks_named = first in lex.first_names or all(t[0].isupper() for t in tokens)
        # An ordinary word that is no first name ("Team") signs nobody; tested word by word,
        # as building the set difference on every sign-off cost more than all the rest.
        if looks_named and (first not in lex.name_words or first in lex.first_names):
            names.append(" ".join(tokens))
    return names


@lru_cache(maxsize=1024)  # the same few addresses are asked about for every message
def names_from_address(address: str) -> str:
    """A name spelt out in an address's local part ("james.whitfield@" -> "James Whitfield")."""
    local = address.partition("@")[0]
    parts = [p for p in re.split(r"[._+\-\d]+", local) if len(p) >= 2]
    if not parts or any(p.casefold() in ROLE_LOCAL_PARTS for p in parts):
        return ""
    if len(parts) == 1 and fold(parts[0]) not in lexicon().first_names:
        return ""
    return " ".join(p.capitalize() for p in parts[:3])


@lru_cache(maxsize=4096)
def _name_forms(name: str) -> tuple[str, tuple[str, ...]]:
    """A name as written (titles dropped) and every folded form it can take in a text.

    "Dr. James Whitfield" -> "James Whitfield" and "james whitfield", "james",
    "whitfield", "j. whitfield", "james w.", "j. w.", "j.w.", "jim", "jimmy" …; ("", ())
    when nothing of a name is left. Cached: the same names are learnt in every message.
    """
    tokens = _clean_name(name)
    if not tokens:
        return "", ()
    words = [t for t in tokens if not _is_initial(t)]
    forms = {" ".join(fold(t) for t in tokens)}
    for word in words:
        bare = fold(word.rstrip("."))
        if len(bare) >= 2 and bare not in PARTICLES:
            forms.add(bare)
    if len(words) >= 2:
        first, last = fold(words[0]), fold(words[-1])
        forms.add(f"{first} {last}")
        forms.add(f"{first[0]}. {last}")
        forms.add(f"{first} {last[0]}.")
        forms.add(f"{first[0]}. {last[0]}.")
        forms.add(f"{first[0]}.{last[0]}.")
    if words:
        for nick in lexicon().nicknames.get(fold(words[0]), ()):
            forms.add(nick)
    return " ".join(tokens), tuple(forms)


@dataclass(slots=True)
class Person:
    """One participant: who they are (``key``) and every form their name took."""

    key: str  # normalised address, or normalised full name when there is no address
    role: Role | None
    name: str = ""  # the fullest name seen, as written
    forms: set[str] = field(default_factory=set)  # folded forms: "james", "james whitfield"


@dataclass(slots=True)
class NameBook:
    """The thread's participants and every way their names are written.

    Built once per thread from headers, greetings and sign-offs; ``find_names`` matches
    its forms everywhere in the thread, so a surname mentioned once in a sign-off is
    also caught in the third message.
    """

    people: dict[str, Person] = field(default_factory=dict)
    by_form: dict[str, str] = field(default_factory=dict)  # folded form -> person key
    # Folded address local parts ("wbishop", "jonas.whitlock88") and their parts that are no
    # name: handles, redacted in any case wherever they stand as a token.
    handles: dict[str, str] = field(default_factory=dict)
    _pattern: re.Pattern[str] | None = None
    _forms_by_word: dict[str, list[tuple[str, ...]]] | None = None
    _handle_literals: dict[str, frozenset[str]] | None = None
    _initials: dict[str, str] | None = None
    _added: set[tuple[str, str]] = field(default_factory=set)  # (key, name) already added

    def person(self, key: str, role: Role | None) -> Person:
        if key not in self.people:
            self.people[key] = Person(key=key, role=role)
        return self.people[key]

    def add_name(self, key: str, name: str, role: Role | None = None) -> None:
        """Record ``name`` and its parts, initials and nicknames as forms of ``key``.

        The same name for the same person again (a sender's name in each of their
        messages) changes nothing, so it is not worked out again.
        """
        if (key, name) in self._added:
            return
        self._added.add((key, name))
        full, forms = _name_forms(name)
        if not full:
            return
        person = self.person(key, role)
        if len(full) > len(person.name):
            person.name = full
        for form in forms:
            if self.by_form.setdefault(form, key) == key:
                person.forms.add(form)
        self._changed()

    def add_third_person(self, name: str) -> None:
        """A person the thread names in passing by full name ("my colleague Hope Baker").

        Their first name alone later ("Hope is now on your plan") is then theirs as surely
        as a participant's is. Names already known, or of one word, teach nothing.
        """
        tokens = _clean_name(name)
        full = " ".join(fold(t) for t in tokens)
        if len(tokens) >= 2 and full not in self.by_form:
            self.add_name("third:" + full, name, None)

    def add_address(self, key: str, address: str, role: Role | None = None) -> None:
        """Learn what an address says about its owner, even when it spells no name.

        The whole local part ("wbishop", "jw88") is a handle wherever it stands as a word,
        in any case: a subject like "account wbishop" names the customer as surely as the
        address does. Its parts split on ``. _ - +`` and digits are forms of the name when
        they are names ("jonas"), handles when they are not ("mlopez" of "mlopez88").
        Role addresses (support@, info@) teach nothing.
        """
        local = fold(address.partition("@")[0]).strip()
        parts = [p for p in LOCAL_PART_SPLIT.split(local) if p]
        if not parts or all(p in ROLE_LOCAL_PARTS for p in parts):
            return
        person = self.person(key, role)
        if len(local) >= 3 and local not in self.by_form:
            self.handles.setdefault(local, key)
        first_names = lexicon().first_names
        for part in parts:
            if len(part) < 3 or part in ROLE_LOCAL_PARTS or part in NOT_A_NAME or part in PARTICLES:
                continue
            if part in self.by_form or part in first_names:
                if self.by_form.setdefault(part, key) == key:
                    person.forms.add(part)
            else:
                self.handles.setdefault(part, key)
        self._changed()

    def _changed(self) -> None:
        self._pattern = None
        self._forms_by_word = None
        self._handle_literals = None
        self._initials = None

    def initials(self) -> dict[str, str]:
        """Each participant's initials ("M", "MB", "MAB") -> person key, first come first."""
        if self._initials is None:
            found: dict[str, str] = {}
            for person in self.people.values():
                tokens = [t for t in _clean_name(person.name) if fold(t) not in PARTICLES]
                letters = [fold(t[0]).upper() for t in tokens if t[0].isalpha()]
                if not letters:
                    continue
                found.setdefault(letters[0], person.key)
                if len(letters) >= 2:
                    found.setdefault(letters[0] + letters[-1], person.key)
                if len(letters) == 3:
                    found.setdefault("".join(letters), person.key)
            self._initials = found
        return self._initials

    def handle_literals(self) -> dict[str, frozenset[str]]:
        """What a handle is built on -> the letters that may touch it inside a token.

        Address handles ("wbishop") may touch no letter. A surname of 4 letters or more may
        have the first name, a nickname or an initial on either side ("jwhitlock",
        "whitlockj", "billbishop"), and anything after a first name run into it
        ("jonaswhitlockfan"); so "King" never finds "working".
        """
        if self._handle_literals is None:
            literals: dict[str, set[str]] = {h: set() for h in self.handles}
            nicknames = lexicon().nicknames
            for person in self.people.values():
                words = [
                    fold(w.rstrip("."))
                    for w in _clean_name(person.name)
                    if not _is_initial(w) and fold(w.rstrip(".")) not in PARTICLES
                ]
                given = "".join(words[:-1]).replace("-", "")  # "Luis Ángel", "Karl-Wilhelm"
                if len(words) < 2 or not given.isalpha():
                    continue
                first, last = words[0], words[-1]
                affixes = {first.split("-")[0], given, first[0], *nicknames.get(first, ())}
                for surname in (last, *last.split("-")):
                    if len(surname) >= 4 and surname.isalpha():
                        literals.setdefault(surname, set()).update(affixes)
            self._handle_literals = {k: frozenset(v) for k, v in literals.items()}
        return self._handle_literals

    def handle_hits(self, folded: str) -> list[tuple[int, int]]:
        """Where a handle literal occurs in ``folded`` (a ``_fold_in_place`` text), any case.

        A handful of ``str.find`` calls: compiling these literals into a regex would cost
        more than the whole thread's search, once per thread. The affixes are checked on
        the few hits (``is_handle``).
        """
        lower = folded.lower()
        if len(lower) != len(folded):  # a letter whose lower case is longer: keep offsets
            return []
        hits = []
        for literal in self.handle_literals():
            pos = lower.find(literal)
            while pos >= 0:
                hits.append((pos, pos + len(literal)))
                pos = lower.find(literal, pos + 1)
        return hits

    def is_handle(self, text: str, start: int, end: int) -> bool:
        """Whether the literal at ``text[start:end]`` sits in a token as a handle does."""
        affixes = self.handle_literals().get(text[start:end].lower(), frozenset())
        left = LETTERS_BEFORE.search(text, max(0, start - 40), start)
        before = left.group().lower() if left else ""
        after = LETTERS_AFTER.match(text, end).group().lower()  # "*": always a match
        if any(len(a) > 1 and before.endswith(a) for a in affixes):
            return True  # a first name run into the surname: "jonaswhitlock…"
        return (not before or before in affixes) and (not after or after in affixes)

    def names_in_url(self, url: str) -> bool:
        """Whether a URL carries a participant: a host built from their name, or a handle."""
        if self.names_in_host(url):
            return True
        folded = _fold_in_place(url)
        return any(self.is_handle(folded, s, e) for s, e in self.handle_hits(folded))

    def who(self, text: str) -> str | None:
        """The participant a matched name belongs to, trying the whole then each word."""
        folded = " ".join(fold(t) for t in _clean_name(text))
        if folded in self.by_form:
            return self.by_form[folded]
        for token in folded.split():
            if token.rstrip(".") in self.by_form and len(token.rstrip(".")) > 1:
                return self.by_form[token.rstrip(".")]
        letters = "".join(ch for ch in text if not ch.isspace() and ch not in ".-–—~")
        if 1 <= len(letters) <= 3 and letters.isalpha() and letters.isupper():
            return self.initials().get(fold(letters).upper())  # "MB" signing off
        return None

    def pattern(self) -> re.Pattern[str] | None:
        """One regex of every form, longest first, compiled once per book."""
        if self._pattern is None and self.by_form:
            alternatives = sorted(self.by_form, key=len, reverse=True)
            body = "|".join(re.escape(f).replace(r"\ ", r"\s+") for f in alternatives)
            self._pattern = re.compile(rf"(?<![\w@.])(?:{body})(?![\w@]|\.\w)", re.IGNORECASE)
        return self._pattern

    def forms_by_word(self) -> dict[str, list[tuple[str, ...]]]:
        """Each form's words, grouped by the form's leading word run, longest form first.

        Empty when a form starts with no word character: ``name_hits`` then uses the
        regex, which handles any form.
        """
        if self._forms_by_word is None:
            groups: dict[str, list[tuple[str, ...]]] = {}
            for form in sorted(self.by_form, key=len, reverse=True):
                lead = WORD_RUN_START.match(form)
                if lead is None:
                    groups = {}
                    break
                groups.setdefault(lead.group(), []).append(tuple(form.split(" ")))
            self._forms_by_word = groups
        return self._forms_by_word

    def name_hits(self, folded: str) -> list[tuple[int, int]]:
        """Where a participant's form stands in ``folded`` (a ``_fold_in_place`` text).

        The same matches as ``pattern().finditer`` (a form as a whole word, any case, any
        run of spaces between its words, longest form first, left to right), found with
        ``str.find`` on each form's first word: compiling the thread's alternation of a few
        dozen forms cost more than the whole search, once per thread.
        """
        groups = self.forms_by_word()
        lower = folded.lower()
        if not groups or len(lower) != len(folded):
            pattern = self.pattern()
            return [m.span() for m in pattern.finditer(folded)] if pattern else []
        starts: list[tuple[int, str]] = []
        for word in groups:
            size = len(word)
            pos = lower.find(word)
            while pos >= 0:
                before = lower[pos - 1] if pos else " "
                after = lower[pos + size] if pos + size < len(lower) else " "
                if not (before.isalnum() or before in "_@.") and not (
                    after.isalnum() or after == "_"
                ):
                    starts.append((pos, word))
                pos = lower.find(word, pos + size)
        if not starts:
            return []
        starts.sort()
        hits: list[tuple[int, int]] = []
        done = 0
        for start, word in starts:
            if start < done:
                continue
            for words in groups[word]:
                end = _form_end(lower, start, words)
                if end >= 0:
                    hits.append((start, end))
                    done = end
                    break
        return hits

    def names_in_host(self, url: str) -> bool:
        """Whether a URL's host is built from a participant's name (first+last or surname)."""
        host = re.sub(r"^(?:https?://)?(?:www\.)?", "", url.casefold()).split("/")[0]
        label = host.rsplit(".", 1)[0].replace("-", "").replace(".", "")
        for person in self.people.values():
            words = [fold(w) for w in _clean_name(person.name) if not _is_initial(w)]
            if len(words) >= 2 and words[-1] in label and len(words[-1]) >= 4:
                return True
            if words and len(words[0]) >= 3 and label.split(".")[-1] == words[0]:
                return True  # "liam.example": the first name is the whole domain
        return False


WORD_RUN_START = re.compile(r"\w+")


def _form_end(lower: str, start: int, words: tuple[str, ...]) -> int:
    r"""Where a form's words, separated by any whitespace, end from ``start``; -1 if not there.

    Mirrors the pattern's ``(?![\w@]|\.\w)``: a form is never the start of a longer word,
    an address or a dotted name.
    """
    pos = start
    size = len(lower)
    for k, word in enumerate(words):
        if k:
            gap = pos
            while gap < size and lower[gap].isspace():
                gap += 1
            if gap == pos:
                return -1
            pos = gap
        if not lower.startswith(word, pos):
            return -1
        pos += len(word)
    if pos < size:
        nxt = lower[pos]
        if nxt.isalnum() or nxt in "_@":
            return -1
        if nxt == "." and pos + 1 < size and (lower[pos + 1].isalnum() or lower[pos + 1] == "_"):
            return -1
    return pos


def _line_is_title_case(text: str, pos: int) -> bool:
    start = text.rfind("\n", 0, pos) + 1
    end = text.find("\n", pos)
    words = [w for w in text[start : end if end >= 0 else len(text)].split() if len(w) > 3]
    capital = sum(w[0].isupper() for w in words)
    return capital >= 3 and capital >= 0.7 * len(words)


def _starts_sentence(text: str, pos: int) -> bool:
    i = pos - 1
    while i >= 0 and text[i] in " \t":
        i -= 1
    if i < 0 or text[i] == "\n":
        return True
    if text[i] not in SENTENCE_END:
        return False
    if text[i] == ".":
        word = text[max(0, text.rfind(" ", 0, i) + 1) : i + 1].casefold().strip("(")
        if word in ABBREVIATIONS or word.rstrip(".") in TITLES or len(word) == 2:
            return False
    return True


def _alone_on_line(text: str, end: int) -> bool:
    """A name with nothing after it on its line: a sign-off or a greeting."""
    rest = text[end : text.find("\n", end) if text.find("\n", end) >= 0 else len(text)]
    return not rest.strip(" \t,.!:;")


def _previous_word(text: str, pos: int) -> tuple[str, int]:
    """The word before ``pos`` (within 40 characters) and where it starts; ("", pos) if none.

    What ``([^\\W\\d_][\\w'’.-]*)[ \\t]*$`` finds searching ``text[pos - 40 : pos]``,
    walked backwards by hand: the search tried every one of the 40 positions, for each
    capitalised word of every message. Spaces and tabs (after one line break, as ``$``
    allows) are skipped, then the run of word characters, apostrophes, dots and hyphens;
    the word starts at the run's first letter.
    """
    low = max(0, pos - 40)
    end = pos
    if end > low and text[end - 1] == "\n":
        end -= 1
    while end > low and text[end - 1] in " \t":
        end -= 1
    start = end
    while start > low and (text[start - 1].isalnum() or text[start - 1] in "_'’.-"):
        start -= 1
    for i in range(start, end):
        ch = text[i]
        if ch.isalnum() and not ch.isdecimal():
            return text[i:end], i
    return "", pos


def _surname_end(text: str, end: int, lex: Lexicon, products: frozenset[str]) -> int:
    """Extend a first name over the surname after it: "Sarah Jenkins", "Jan van der Berg"."""
    taken = 0
    pos = end
    while taken < 3:
        m = TOKEN.match(text, pos + 1) if pos < len(text) and text[pos] == " " else None
        if not m:
            break
        word = m.group()
        bare = word.rstrip(".")
        if bare.casefold() in PARTICLES:
            scan = m.end()
            while (nxt := TOKEN.match(text, scan + 1)) and text[scan] == " ":
                if nxt.group().casefold() not in PARTICLES:
                    break
                scan = nxt.end()
            if nxt and text[scan : scan + 1] == " " and nxt.group()[0].isupper():
                pos = scan
                continue
            break
        if not word[0].isupper() or (bare.isupper() and len(bare) > 1):
            break
        folded = fold(bare)
        if folded in lex.capitalised or folded in products or folded in NOT_A_NAME:
            break
        if _is_initial(word):
            return m.end()  # "James W."
        pos = m.start() + len(bare)
        taken += 1
        if folded not in lex.first_names:
            break  # a surname ends the name; more first names may follow a first name
    return pos


def _plain_surname(text: str, end: int, lex: Lexicon) -> bool:
    """Whether the word after ``end`` reads as a surname: "Adams", not "Will", "I" or "B."."""
    nxt = TOKEN.match(text, end + 1) if text[end : end + 1] == " " else None
    if nxt is None:
        return False
    bare = nxt.group().rstrip(".")
    return len(bare) > 1 and not bare.isupper() and fold(bare) not in lex.name_words


# After a known name that is also a word, at the start of a sentence: what a person does.
PERSON_VERB = re.compile(
    r"[ \t]+(?:is|was|has|says|said|asked|told|wrote|joined|sees|saw|will|can|cannot)\b"
)


def _known_spans(text: str, book: NameBook, lex: Lexicon) -> Iterator[Span]:
    for start, end in book.name_hits(_fold_in_place(text)):
        matched = text[start:end]
        folded = " ".join(fold(t) for t in matched.split())
        single = " " not in folded
        ambiguous = single and (folded in lex.name_words or folded in lex.capitalised)
        lower_word = matched.islower() and (ambiguous or folded not in lex.first_names)
        if single and lower_word and not _alone_on_line(text, end):
            continue  # "the bill was wrong" even when a participant is called Bill
        if ambiguous and matched[0].isupper():
            after = _surname_end(text, end, lex, frozenset())
            if (
                (_starts_sentence(text, start) or _line_is_title_case(text, start))
                and after == end
                and not _alone_on_line(text, end)
                and not PERSON_VERB.match(text, end)
            ):
                continue  # "Will you ..." at the start of a sentence; "Will is now ..." is Will
        yield Span("name", start, end, matched)


def _third_party_spans(text: str, lex: Lexicon, products: frozenset[str]) -> Iterator[Span]:
    """People named in passing ("my colleague Sarah Jenkins", "Mr. Okafor").

    Only capitalised words can start a name, so ASCII text (most mail) is walked from
    capital to capital rather than word by word.
    """
    tokens = CAPITALISED_ASCII_TOKEN if text.isascii() else TOKEN
    for m in tokens.finditer(text):
        word = m.group()
        if not word[0].isupper() or len(word.rstrip(".")) < 2:
            continue
        bare = word.rstrip(".")
        folded = fold(bare)
        if "-" in folded and all(p in lex.first_names for p in folded.split("-")):
            folded = folded.split("-")[0]  # "Hans-Dietrich" is a first name when its parts are
        if folded in products or (bare.isupper() and len(bare) > 1):
            continue
        start, end = m.start(), m.start() + len(bare)
        prev, prev_start = _previous_word(text, start)
        prev_bare = prev.rstrip(".").casefold()
        if folded in TITLES:
            # The title is taken with the name after it; here only "Mr van Ochten", whose
            # next word is not capitalised.
            nxt = TOKEN.match(text, m.end() + 1)
            if nxt and nxt.group().casefold() in PARTICLES:
                after = _surname_end(text, m.end(), lex, products)
                if after > m.end():
                    yield Span("name", m.start(), after, text[m.start() : after])
            continue
        titled = prev_bare in TITLES and prev[0].isupper()
        first_name = folded in lex.first_names and not _is_initial(word)
        if not (titled or first_name or prev_bare in CONTEXT_BEFORE):
            continue  # most capitalised words: nothing below can make them a name
        after = _surname_end(text, end, lex, products)
        has_surname = after > end
        if titled:
            yield Span("name", prev_start, after, text[prev_start:after])
            continue
        if first_name:
            if folded in lex.capitalised:
                # "in May" stays; "May Adams sees" is a person: a month, place or brand is a
                # first name only with a surname that is no first name or initial itself.
                if not has_surname or not (
                    prev_bare in CONTEXT_BEFORE
                    or (_plain_surname(text, end, lex) and not _line_is_title_case(text, start))
                ):
                    continue
            elif folded in lex.name_words or folded in NOT_A_NAME:
                sentence_start = _starts_sentence(text, start) or _line_is_title_case(text, start)
                context = prev_bare in CONTEXT_BEFORE or CONTEXT_AFTER.match(text, after)
                if folded in NOT_A_NAME or (sentence_start and not (has_surname or context)):
                    continue
            yield Span("name", start, after, text[start:after])
        elif (
            prev_bare in CONTEXT_BEFORE
            and not _starts_sentence(text, start)
            and folded not in lex.capitalised
            and folded not in NOT_A_NAME
        ):
            yield Span("name", start, after, text[start:after])


def find_handles(text: str, known: NameBook) -> list[Span]:
    """Tokens built from a participant's address or name: "wbishop", "jonas.whitlock88".

    A match is widened to the whole token it sits in (letters, digits, ``. _ + -``), so
    "whitlock_dev-2" goes whole. A token that is just a form of the name ("Whitlock") is
    left to ``find_names``, which gives it the person's pseudonym.
    """
    folded = _fold_in_place(text)
    spans: dict[int, Span] = {}
    for hit_start, hit_end in known.handle_hits(folded):
        if not known.is_handle(folded, hit_start, hit_end):
            continue
        left = TOKEN_LEFT.search(text, max(0, hit_start - 64), hit_start)
        start = left.start() if left else hit_start
        end = TOKEN_RIGHT.match(text, hit_end).end()
        while end > start and text[end - 1] in TOKEN_EDGE:
            end -= 1
        while start < end and text[start] in TOKEN_EDGE:
            start += 1
        token = fold(text[start:end])
        if token not in known.handles and token in known.by_form:
            continue
        spans[start] = Span("handle", start, end, text[start:end])
    return sorted(spans.values(), key=lambda span: span.start)


def _initials_signoff(text: str, known: NameBook) -> Iterator[Span]:
    """A last line of initials that are a participant's ("-M", "K.", "JW") signs a message."""
    body = text.rstrip()
    m = INITIALS_LINE.fullmatch(body, body.rfind("\n") + 1)
    if m is None:
        return
    letters = "".join(ch for ch in m.group("i") if ch.isalpha())
    if (
        letters.isupper()
        and letters not in NOT_INITIALS
        and fold(letters).upper() in known.initials()
    ):
        yield Span("name", m.start("i"), m.end("i"), m.group("i"))


def find_names(text: str, known: NameBook, products: Iterable[str] = ()) -> list[Span]:
    """Every person's name in ``text``: the thread's participants and third people.

    Participants are matched in every form the NameBook holds, in any case when the form
    cannot be an ordinary word. Third people need a first name from the lexicon (or a
    title, or a word like "colleague" before them); first names that are also words
    ("Will", "May", "Grant") need more: a title, a surname, or not starting a sentence.
    """
    lex = lexicon()
    product_words = frozenset(fold(w) for p in products for w in p.split())
    spans = list(_known_spans(text, known, lex))
    spans.extend(_initials_signoff(text, known))
    spans.extend(_third_party_spans(text, lex, product_words))
    return spans


def resolve(spans: Iterable[Span]) -> list[Span]:
    """Drop overlapping spans: the longest wins, then the most specific kind; in text order."""
    chosen: list[Span] = []
    taken: list[tuple[int, int]] = []
    for span in sorted(spans, key=lambda s: (s.start - s.end, PRIORITY.get(s.kind, 9), s.start)):
        if span.end <= span.start:
            continue
        if any(span.start < e and s < span.end for s, e in taken):
            continue
        chosen.append(span)
        taken.append((span.start, span.end))
    return sorted(chosen, key=lambda s: s.start)


def find_all(text: str, known: NameBook | None = None, products: Iterable[str] = ()) -> list[Span]:
    """Every piece of personal data in ``text``, without overlaps, in text order."""
    book = known if known is not None else NameBook()
    products = list(products)
    spans = find_structured(text, book)
    protected = _product_ranges(text, products)
    # A handle built from a name inside a key or an order ("TIDY-7KQ2-…" of a Ms Tidy) is
    # that key; a product's name is never anyone's handle.
    structured = [(s.start, s.end) for s in spans]
    spans.extend(
        h
        for h in find_handles(text, book)
        if not _inside(h, protected) and not any(s <= h.start and h.end <= e for s, e in structured)
    )
    spans.extend(find_names(text, book, products))
    return [s for s in resolve(spans) if s.kind != "name" or not _inside(s, protected)]


def _product_ranges(text: str, products: list[str]) -> list[tuple[int, int]]:
    ranges = []
    for product in products:
        if product.strip():
            for m in re.finditer(re.escape(product), text, re.IGNORECASE):
                ranges.append((m.start(), m.end()))
    return ranges


def _inside(span: Span, ranges: list[tuple[int, int]]) -> bool:
    return any(s < span.end and span.start < e for s, e in ranges)


__all__ = [
    "NameBook",
    "Person",
    "Span",
    "find_all",
    "find_handles",
    "find_names",
    "find_structured",
    "greeting_names",
    "lexicon",
    "names_from_address",
    "signoff_names",
]
