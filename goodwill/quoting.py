"""How mail clients mark the start of quoted history, in many languages.

Kept apart from ``replies`` because these lists grow with every new client
or language someone's inbox holds, while the cutting logic stays the same.
Every function here looks at one line (or a few joined lines) and answers
yes or no; none of them decides what to cut.

Patterns are compiled once at import and written without nested repetition,
so a long line costs one linear pass, never a backtracking explosion.
"""

from __future__ import annotations

import re

# --- quoted lines -------------------------------------------------------------

_QUOTED = re.compile(r"^[ \t]*>")


def is_quoted(line: str) -> bool:
    """A line of quoted history: it starts with ``>`` (leading blanks allowed)."""
    return _QUOTED.match(line) is not None


def unquote_once(line: str) -> str:
    """Remove one level of ``>`` (and the space after it).

    String operations, not a pattern: history recovery unquotes every quoted line once
    per quote level, and this ran 165,000 times over 4,400 bodies.
    """
    rest = line.lstrip(" \t")
    if not rest.startswith(">"):
        return line
    return rest[2:] if rest.startswith("> ") else rest[1:]


# --- attribution lines ("On <date>, <name> wrote:") ----------------------------

# The verb that ends (or sits inside) an attribution line. Most clients end the
# line with it; Scandinavian, German and Dutch clients put it before the name.
_VERBS = (
    r"wrote|writes|a écrit|a ecrit|écrivait|schrieb|escribió|escribio|schreef"
    r"|het volgende geschreven|skrev|napisał\(a\)|napisała|napisał|napisal|ha scritto"
    r"|escreveu|kirjoitti|написал\(а\)|написала|написал|пишет|írta|napsal\(a\)|napsal"
    r"|yazdı|a scris|wrote the following"
)
_VERB_AT_END = re.compile(rf"(?:^|[\s>\"')\]])(?:{_VERBS})\s*:?\s*-*\s*$", re.IGNORECASE)
_VERB_ANYWHERE = re.compile(rf"(?:^|[\s>\"')\]])(?:{_VERBS})(?:\s|:|$)", re.IGNORECASE)
_CJK_WROTE = re.compile(r"(?:写道|寫道|のメッセージ)\s*[:：]?\s*$")
# "<date> <name> <ann@example.com>:" with no verb at all (Gmail in Japanese,
# Russian, Yandex, mail.ru, some mobile clients).
_ADDRESS_COLON_END = re.compile(
    r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+\s*[>\])]*\s*[>\])]?\s*[:：]\s*-*\s*$"
)
_ADDRESS = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+")
_DIGIT = re.compile(r"\d")
# Words that open an attribution line in the languages we have seen.
_LEAD = re.compile(
    r"^(?:on|le|am|el|op|den|il|in data|em|w dniu|dnia|pada|dne|el día|on \w+day)\b",
    re.IGNORECASE,
)
_DASH_RUN = re.compile(r"^-+\s*|\s*-+$")
MAX_ATTRIBUTION = 400  # characters; longer "lines" are paragraphs, not attributions


# Plain-string endings checked before any pattern runs: almost every line fails here.
_VERB_ENDINGS = (
    *(v.replace("\\(", "(").replace("\\)", ")") for v in _VERBS.split("|")),
    "写道",
    "寫道",
    "のメッセージ",
)


def is_attribution(text: str) -> bool:
    """True when ``text`` (one line, or wrapped lines joined by spaces) introduces a quote.

    Requires a date or an address beside the verb, so that prose such as
    "My colleague wrote:" is left alone.
    """
    t = text.strip()
    if not t or len(t) > MAX_ATTRIBUTION:
        return False
    if t[0] == "-" or t[-1] == "-":
        t = _DASH_RUN.sub("", t)
        if not t:
            return False
    ending = t[-60:].lower().rstrip(" :：-")
    if not ending.endswith(_VERB_ENDINGS) and not (t[-1] in ":：" and "@" in t):
        return False
    has_address = "@" in t
    has_digit = _DIGIT.search(_ADDRESS.sub("", t) if has_address else t) is not None
    if _VERB_AT_END.search(t) or _CJK_WROTE.search(t):
        return has_digit or has_address or _LEAD.match(t) is not None
    if t.endswith((":", "：")) and _ADDRESS_COLON_END.search(t):
        # A verb in the middle ("skrev Ann <a@x>:") or none at all: a date must be there.
        return has_digit or _VERB_ANYWHERE.search(t) is not None
    return False


def could_start_attribution(line: str) -> bool:
    """Can a wrapped attribution begin on this line? (Prose sentences end with . ! ?)"""
    s = line.strip()
    if not s or len(s) > MAX_ATTRIBUTION or s[-1] in ".!?;":
        return False
    return _DIGIT.search(s) is not None or _LEAD.match(s) is not None or "@" in s


# --- header blocks ("From: … Sent: … To: … Subject: …") ------------------------

# The one list of header names in every language, for quoted header blocks
# (``goodwill.replies``) and pasted threads (``goodwill.paste``) alike.

_FROM_KEYS = {
    "from",
    "de",
    "von",
    "van",
    "da",
    "od",
    "fra",
    "från",
    "frá",
    "lähettäjä",
    "от",
    "送信者",
    "发件人",
    "差出人",
    "feladó",
    "kimden",
    "afzender",
    "remitente",
    "mittente",
    "expéditeur",
    "absender",
    "avsändare",
    "nadawca",
}
_DATE_KEYS = {
    "sent",
    "date",
    "datum",
    "dato",
    "data",
    "envoyé",
    "envoyé le",
    "envoye",
    "gesendet",
    "verzonden",
    "inviato",
    "enviado",
    "enviada",
    "wysłano",
    "sendt",
    "skickat",
    "lähetetty",
    "отправлено",
    "дата",
    "日付",
    "发送时间",
    "送信日時",
    "fecha",
    "datum und uhrzeit",
    "message du",
    "sent at",
}
_TO_KEYS = {
    "to",
    "à",
    "a",
    "an",
    "aan",
    "para",
    "do",
    "til",
    "till",
    "vastaanottaja",
    "кому",
    "宛先",
    "收件人",
    "cc",
    "kopie",
    "copie à",
    "cc.",
    "bcc",
    "destinataire",
    "empfänger",
    "reply-to",  # an address, like To: (a paste's Reply-To is never its subject)
    "répondre à",
}
_SUBJECT_KEYS = {
    "subject",
    "objet",
    "sujet",
    "betreff",
    "onderwerp",
    "oggetto",
    "asunto",
    "assunto",
    "temat",
    "emne",
    "ämne",
    "aihe",
    "тема",
    "件名",
    "主题",
}
KNOWN_KEYS = _FROM_KEYS | _DATE_KEYS | _TO_KEYS | _SUBJECT_KEYS
_HEADER_LINE = re.compile(
    r"^\s*[*_]{0,2}([^\W\d_][\w .'’()-]{0,24}?)\s*[*_]{0,2}\s*[:：]\s*[*_]{0,2}(.*)$"
)


def header_field(line: str) -> tuple[str, str] | None:
    """``("from", "Ann <ann@example.com>")`` for a header-like line, else None.

    Keys are lower-cased. Unknown keys are returned too: a block is judged as a
    whole by ``header_kind``, which only trusts the known ones.
    """
    if len(line) > 300:
        return None
    m = _HEADER_LINE.match(line)
    if not m:
        return None
    key = m.group(1).strip().lower()
    if len(key.split()) > 3 or key.startswith(("http", "www")):
        return None
    return key, m.group(2).strip().strip("*_").strip()


def header_kind(key: str) -> str:
    """Which of from/date/to/subject a header key means, or "" when unknown."""
    for kind, keys in (
        ("from", _FROM_KEYS),
        ("date", _DATE_KEYS),
        ("to", _TO_KEYS),
        ("subject", _SUBJECT_KEYS),
    ):
        if key in keys:
            return kind
    return ""


def is_header_block(kinds: list[str]) -> bool:
    """Do these header keys make a quoted message's header? ("To:" alone does not.)"""
    found = set(kinds) - {""}
    if "from" in found and len(found) >= 2:
        return True
    return {"date", "subject"} <= found and len(found) >= 3


# --- separators ---------------------------------------------------------------

_ORIGINAL = re.compile(
    r"^\s*+[-_=*]{2,}+\s*+(?:original message|original-nachricht|message d'origine|message original"
    r"|oprindelig (?:besked|meddelelse)|ursprüngliche nachricht|mensaje original"
    r"|messaggio originale|oorspronkelijk bericht|origineel bericht|originalmeddelande"
    r"|ursprungligt meddelande|opprinnelig melding|wiadomość oryginalna|oryginalna wiadomość"
    r"|исходное сообщение|alkuperäinen viesti|mensagem original|forwarded message"
    r"|message transféré|weitergeleitete nachricht|mensaje reenviado|doorgestuurd bericht"
    r"|messaggio inoltrato|videresendt (?:besked|meddelelse)|vidarebefordrat meddelande"
    r"|wiadomość przekazana|mensagem encaminhada|пересылаемое сообщение|reply message)"
    r"\s*[-_=*]*\s*$",
    re.IGNORECASE,
)
_FORWARD_INTRO = re.compile(
    r"^\s*(?:begin forwarded message|anfang der weitergeleiteten nachricht"
    r"|début du message réexpédié|inicio del mensaje reenviado|forwarded message)\s*:?\s*$",
    re.IGNORECASE,
)
_RULE = re.compile(r"^\s*(?:[-_=~*—–]\s?){2,}\s*$")
_UNDERSCORES = re.compile(r"^\s*_{8,}\s*$")


def is_original_separator(line: str) -> bool:
    """ "-----Original Message-----", "---------- Forwarded message ---------" and kin."""
    return _ORIGINAL.match(line) is not None or _FORWARD_INTRO.match(line) is not None


def is_rule(line: str) -> bool:
    """A line drawn with dashes, underscores or equals signs only."""
    return _RULE.match(line) is not None


def is_outlook_rule(line: str) -> bool:
    """Outlook's "________________________________" between a reply and its history."""
    return _UNDERSCORES.match(line) is not None
