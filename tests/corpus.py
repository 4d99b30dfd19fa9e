"""A fictional support inbox with planted personal data, and the list of what was planted.

Why it exists: a privacy claim is only as good as the data it was tested on. Real
support mail cannot be used (it is the very thing we must never publish), so this
module writes an inbox that looks like one -- Gmail-style replies quoting the whole
history, Outlook "-----Original Message-----" blocks, French and German mail, mbox
files holding many threads, pasted text with and without headers -- and records every
personal value it planted, so a test or the benchmark can look for each one in what a
tool published.

Everything is fictional and seeded: names and street addresses come from Faker; e-mail
addresses live on reserved domains (example.com/.org/.net, *.example, *.test); phone
numbers come from ranges kept for drama and documentation (UK 020 7946 0xxx,
0113/0161 496 0xxx, 07700 900xxx; US 555-01xx; FR 01 99 00 xx xx; DE 030 23125 xxx);
card numbers are the issuers' published test numbers. The same seed gives the same
inbox byte for byte, so a failing test can be rerun and debugged.

Used by ``tests/test_privacy.py`` and ``bench/bench_ingest.py``.
"""

from __future__ import annotations

import os
import quopri
import random
import re
import string
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from email.header import Header
from email.utils import format_datetime, formataddr
from pathlib import Path

from faker import Faker

LOCALES = ("en_GB", "en_US", "de_DE", "fr_FR", "nl_NL", "es_ES")
# Customers abroad who write to support in English: their names, streets and postcodes are
# Nordic, Italian, Portuguese or Polish, the shapes the address detectors learnt last.
ABROAD = ("sv_SE", "no_NO", "da_DK", "fi_FI", "it_IT", "pt_PT", "pl_PL")
KINDS = (
    "name",
    "email",
    "phone",
    "card",
    "key",
    "order",
    "address",
    "handle",
    "url",
    "iban",
    "dob",
    "vat",
    "ip",
    "name-handle",  # a handle built from the customer's name: jwhitlock, t.me/jonaswhitlock
    "local-part",  # the local part of the customer's address, alone in the subject
    "nickname",  # "Bill" signing a thread whose headers say William
    "initials",  # a message signed "-M" or "J.W."
)
STAFF_DOMAIN = "tidy.example"
PRODUCTS = ("Tidy Invoice", "Tidy Notes", "Tidy Backup", "Tidy Scan")

# Staff of the fictional company: public people of the business, not planted data.
STAFF = (("Ada", "ada@tidy.example"), ("Ben", "ben@tidy.example"), ("Support", "help@tidy.example"))

# First names and surnames that are also ordinary words. The corpus uses them as names
# in some threads and as plain words ("Will the fix...", "in May") in every thread, so a
# tool that blanks every "Will" is caught by the false-positive count.
WORD_FIRST_NAMES = ("Will", "May", "Grant", "Mark", "Rose", "Hope", "Bill", "Joy", "Summer")
WORD_SURNAMES = ("Baker", "Young", "King", "Hall", "Wood", "Green", "Hill", "Page", "Grant")

# Published example IBANs (the registry's and banks' documentation numbers, mod-97 valid).
TEST_IBANS = (
    "DE89370400440532013000",
    "GB82WEST12345698765432",
    "FR1420041010050500013M02606",
    "NL91ABNA0417164300",
    "ES9121000418450200051332",
    "IT60X0542811101000000123456",
    "BE68539007547034",
    "AT611904300234573201",
    "CH9300762011623852957",
    "SE4550000000058398257466",
    "NO9386011117947",
    "DK5000400440116243",
    "FI2112345600000785",
    "PT50000201231234567890154",
    "PL61109010140000071219812874",
    "IE29AIBK93115212345678",
)

# Full names and the short forms their owners sign with.
NICKNAMES = {
    "William": ("Bill", "Will", "Liam"),
    "Robert": ("Bob", "Rob"),
    "Elizabeth": ("Liz", "Beth"),
    "Margaret": ("Maggie", "Peggy"),
    "Katherine": ("Kate", "Kathy"),
    "Thomas": ("Tom",),
    "James": ("Jim", "Jamie"),
    "Michael": ("Mike",),
    "Jennifer": ("Jen", "Jenny"),
    "Alexander": ("Alex", "Sasha"),
    "Johannes": ("Hans",),
    "Friedrich": ("Fritz",),
}
# Capitals that end many messages without being anyone's initials: not planted as
# initials, since no reader (or tool) can tell "IT" the initials from "IT" the department,
# or "I." from the pronoun.
COMMON_CAPITALS = frozenset(
    ["OK", "PS", "NB", "IT", "US", "UK", "EU", "HR", "TY", "AM", "PM", "ID"]
)

# Published card test numbers (Luhn-valid, never issued to anyone).
TEST_CARDS = (
    "4111111111111111",
    "4012888888881881",
    "4242424242424242",
    "5555555555554444",
    "5105105105105100",
    "6011111111111117",
    "378282246310005",
)

CUSTOMER_DOMAINS = ("example.com", "example.org", "example.net", "mail.test", "post.example")
WORD_RE = re.compile(r"[^\W\d_]{2,}")
TZ = {
    "en_GB": UTC,
    "en_US": timezone(timedelta(hours=-5)),
    "de_DE": timezone(timedelta(hours=1)),
    "fr_FR": timezone(timedelta(hours=1)),
    "nl_NL": timezone(timedelta(hours=1)),
    "es_ES": timezone(timedelta(hours=1)),
    **{loc: timezone(timedelta(hours=1)) for loc in ABROAD},
    "fi_FI": timezone(timedelta(hours=2)),
}


@dataclass(frozen=True, slots=True)
class Plant:
    """One planted personal value.

    ``probe`` is the text that must not survive. It is the value itself, except for a
    first name used alone: "Will" is also an ordinary word, so what must go is the
    phrase around it ("Hi Will").
    """

    kind: str
    value: str
    probe: str


@dataclass(slots=True)
class FakeMessage:
    """One message of a fictional thread, as its author wrote it (no quoted history)."""

    role: str  # "customer" or "staff"
    name: str
    address: str
    sent: datetime  # aware, in the author's own time zone
    text: str  # greeting, content, sign-off and signature
    words: list[str]  # the ordinary words of the content sentences


@dataclass(slots=True)
class FakeThread:
    """A fictional thread, its rendered source and what was planted in it."""

    id: str
    locale: str
    lang: str
    shape: str  # eml-gmail, eml-outlook, eml-files, mbox, txt-pasted, txt-headerless
    subject: str
    messages: list[FakeMessage]
    plants: list[Plant]
    cc: tuple[str, str] | None = None  # a third person copied in by the customer (name, address)
    source_texts: list[str] = field(default_factory=list)  # what a person would paste into a tool
    files: list[str] = field(default_factory=list)  # inbox-relative paths holding the thread

    @property
    def words(self) -> list[str]:
        return [w for m in self.messages for w in m.words]

    @property
    def text(self) -> str:
        """The whole thread as one text: the input for tools that only take text."""
        return "\n\n".join(self.source_texts)


@dataclass(slots=True)
class Truth:
    """What an inbox holds: every planted value, and the words that are nobody's data."""

    planted: list[tuple[str, str]]
    words: list[str]
    threads: list[FakeThread]

    def plants(self, *kinds: str) -> list[Plant]:
        """Every distinct planted value of the given kinds (all kinds when none are named)."""
        seen: dict[tuple[str, str], Plant] = {}
        for thread in self.threads:
            for p in thread.plants:
                if not kinds or p.kind in kinds:
                    seen.setdefault((p.kind, p.probe), p)
        return list(seen.values())


# --------------------------------------------------------------------------------------
# Text templates. Literal text is "ordinary words"; {fields} are filled per thread.

REQUESTS = {
    "en": [
        "the export to CSV in {product} stops at invoice {n}, and my accountant "
        "needs the file by Friday. Will the fix be in the next release?",
        "since the update in May, {product} will not open my archive; it just shows a "
        "spinner and then closes.",
        "I bought a licence last week (order {order}) but the key {key} is refused on my "
        "second laptop. It may be my fault, I grant you.",
        "my card {card} was charged twice for order {order}. Could you check the bill and "
        "mark one of them as refunded?",
        "please change the billing address on invoice {order} to:\n\n{address}\n\n"
        "We moved in the summer and I hope that is not too late.",
        "my colleague {third} cannot sign in to our team plan. May I add her myself, or "
        "do you need to grant her access?",
        "you can reach me on {phone} in the afternoon, or write to {alt_email} if that is "
        "easier. The sync has been failing since Monday.",
        "I wrote about the problem as {handle} and on my blog at {url}, in case the "
        "screenshots help. Search finds nothing older than a week.",
        "the serial on my box says {key} and the app keeps asking for it again. I have "
        "tried twice with the same result.",
    ],
    "fr": [
        "l'export CSV de {product} s'arrête à la facture {n} et mon comptable en "
        "a besoin vendredi.",
        "j'ai acheté une licence (commande {order}) mais la clé {key} est refusée sur mon "
        "deuxième ordinateur.",
        "ma carte {card} a été débitée deux fois pour la commande {order}. Pouvez-vous vérifier ?",
        "merci de changer l'adresse de facturation de la facture {order} :\n\n{address}\n\n"
        "Nous avons déménagé cet été.",
        "vous pouvez me joindre au {phone} l'après-midi, ou écrire à {alt_email}.",
        "ma collègue {third} ne peut pas se connecter à notre abonnement d'équipe.",
    ],
    "de": [
        "der CSV-Export in {product} bricht bei Rechnung {n} ab, und mein "
        "Steuerberater braucht die Datei bis Freitag.",
        "ich habe letzte Woche eine Lizenz gekauft (Bestellung {order}), aber der "
        "Schlüssel {key} wird auf meinem zweiten Laptop abgelehnt.",
        "meine Karte {card} wurde für die Bestellung {order} zweimal belastet. Können Sie "
        "das prüfen?",
        "bitte ändern Sie die Rechnungsadresse der Rechnung {order} auf:\n\n{address}\n\n"
        "Wir sind im Sommer umgezogen.",
        "Sie erreichen mich nachmittags unter {phone} oder per Mail an {alt_email}.",
        "meine Kollegin {third} kann sich nicht in unserem Team-Abo anmelden.",
    ],
}

REPLIES = {
    "en": [
        "thank you for the clear report. I could reproduce it: the export stops at {n} "
        "rows because of a paging bug. A build with the fix is on its way to you.",
        "I have refunded the second charge for order {order}; it will show on your "
        "statement in a few days. Sorry for the trouble.",
        "I reset the activations for {key}, so it should now work on both laptops. Will "
        "you let me know if it does not?",
        "I will call you on {phone} tomorrow morning, if that suits you.",
        "{third_first} is now on your plan and will get an invitation from us shortly.",
        "the address is changed and a corrected invoice is attached. Nothing else to do "
        "on your side.",
    ],
    "fr": [
        "merci pour ce rapport très clair. J'ai pu reproduire le problème : une version "
        "corrigée arrive.",
        "j'ai remboursé le second débit de la commande {order}. Désolée pour le souci.",
        "j'ai réinitialisé les activations de la clé {key} ; elle devrait fonctionner "
        "sur les deux ordinateurs.",
        "je vous appelle demain matin au {phone}, si cela vous convient.",
    ],
    "de": [
        "vielen Dank für die genaue Beschreibung. Ich konnte den Fehler nachstellen; eine "
        "korrigierte Version ist unterwegs.",
        "ich habe die zweite Abbuchung für die Bestellung {order} erstattet. Entschuldigen "
        "Sie bitte den Ärger.",
        "ich habe die Aktivierungen für {key} zurückgesetzt; jetzt sollte es auf beiden "
        "Laptops gehen.",
        "ich rufe Sie morgen früh unter {phone} an, wenn es Ihnen passt.",
    ],
}

FOLLOW_UPS = {
    "en": [
        "still the same here, I am afraid. I attached the log from this morning.",
        "one more thing: {third} sees the same error on her machine.",
        "it works on the laptop now, but the desktop still says the key is invalid.",
    ],
    "fr": ["toujours pareil chez moi, malheureusement. Je joins le journal de ce matin."],
    "de": ["leider immer noch dasselbe. Ich habe das Protokoll von heute früh angehängt."],
}

THANKS = {
    "en": [
        "that worked, thank you so much! You saved my quarter-end.",
        "brilliant, it works now. Will recommend you to everyone I know.",
        "all sorted, and so quickly. I hope you have a lovely weekend.",
    ],
    "fr": ["ça marche, merci beaucoup ! Vous m'avez sauvé la clôture du trimestre."],
    "de": ["es funktioniert, vielen Dank! Sie haben mir den Quartalsabschluss gerettet."],
}

SUBJECTS = {
    "en": [
        "Export stops after {n} invoices",
        "Licence key refused",
        "Charged twice",
        "Change of billing address",
        "Cannot sign in",
        "Sync failing since Monday",
    ],
    "fr": ["L'export s'arrête", "Clé de licence refusée", "Débit en double"],
    "de": ["Export bricht ab", "Lizenzschlüssel abgelehnt", "Doppelt abgebucht"],
}

# One more sentence in some customer messages, carrying the kinds of data added last.
# Labels come before birth dates and VAT numbers, as people write them (a bare date or a
# bare number is nobody's data).
EXTRAS = {
    "en": [
        "Please refund it to my bank account instead, IBAN {iban}.",
        "For your identity check: my date of birth is {dob}.",
        "I was born on {dob}, if you need it for the account.",
        "Our VAT number is {vat}; could it be on the invoice?",
        "The activity log shows a login from {ip} that was not me.",
        "My IP address is {ip}, in case you need it for the firewall.",
        "You will find me as {name_handle} on your forum.",
        "I posted the screenshots on {name_handle} as well.",
    ],
    "fr": [
        "Merci de rembourser plutôt sur mon compte, IBAN {iban}.",
        "Pour la vérification, date de naissance : {dob}.",
        "Je suis née le {dob}, si besoin pour le compte.",
        "Notre numéro de TVA intracommunautaire : {vat}.",
        "Le journal montre une connexion depuis l'adresse IP {ip} qui n'est pas la mienne.",
        "Vous me trouverez sous le nom {name_handle} sur votre forum.",
    ],
    "de": [
        "Bitte erstatten Sie den Betrag auf mein Konto, IBAN {iban}.",
        "Für die Prüfung, Geburtsdatum: {dob}.",
        "Ich bin geboren am {dob}, falls Sie das brauchen.",
        "Unsere USt-IdNr.: {vat}.",
        "Im Protokoll steht eine Anmeldung von der IP-Adresse {ip}, das war ich nicht.",
        "Im Forum finden Sie mich als {name_handle}.",
    ],
}
# The customer's address local part in the subject: "Cannot sign in (account jwhitlock88)".
SUBJECT_ACCOUNT = {"en": "account", "fr": "compte", "de": "Konto"}
MONTH_NAMES = {
    "en": [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ],
    "fr": [
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
    ],
    "de": [
        "Januar",
        "Februar",
        "März",
        "April",
        "Mai",
        "Juni",
        "Juli",
        "August",
        "September",
        "Oktober",
        "November",
        "Dezember",
    ],
}

GREET = {"en": ("Hi", "Hello", "Dear"), "fr": ("Bonjour",), "de": ("Hallo", "Guten Tag")}
SIGN_OFF = {
    "en": ("Best,", "Thanks,", "Cheers,", "Kind regards,"),
    "fr": ("Cordialement,", "Merci,"),
    "de": ("Viele Grüße,", "Danke,"),
}

MONTHS = {
    "fr": [
        "janv.",
        "févr.",
        "mars",
        "avr.",
        "mai",
        "juin",
        "juil.",
        "août",
        "sept.",
        "oct.",
        "nov.",
        "déc.",
    ],
    "de": [
        "Jan.",
        "Feb.",
        "März",
        "Apr.",
        "Mai",
        "Juni",
        "Juli",
        "Aug.",
        "Sept.",
        "Okt.",
        "Nov.",
        "Dez.",
    ],
}
DAYS = {
    "fr": ["lun.", "mar.", "mer.", "jeu.", "ven.", "sam.", "dim."],
    "de": ["Mo.", "Di.", "Mi.", "Do.", "Fr.", "Sa.", "So."],
}


# --------------------------------------------------------------------------------------
# Fictional values


_UNDECOMPOSED = str.maketrans({"ø": "o", "Ø": "O", "ł": "l", "Ł": "L", "æ": "ae", "Æ": "Ae",
                               "ß": "ss", "đ": "d", "Đ": "D"})  # fmt: skip


def _ascii(text: str) -> str:
    """A name folded to what can stand in an e-mail local part or a handle ("Østergaard"
    is "ostergaard", as its owner would type it, not "stergaard")."""
    folded = unicodedata.normalize("NFKD", text.translate(_UNDECOMPOSED))
    folded = folded.encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "", folded.lower()) or "user"


def _phone(rng: random.Random, locale: str) -> str:
    """A number from a range kept for fiction, in one of the ways people write it."""
    n3, n4 = rng.randrange(1000), rng.randrange(100)
    country = {"en_GB": "GB", "en_US": "US", "fr_FR": "FR", "de_DE": "DE"}.get(
        locale, rng.choice(("GB", "US", "FR", "DE"))
    )
    if rng.random() < 0.12:  # possible but invalid: fictional ranges phonenumbers rejects
        return rng.choice(
            (
                f"07700 900{n3:03d}",
                f"+44 7700 900{n3:03d}",
                f"01632 960{n3:03d}",
                f"(555) 555-01{n4:02d}",
                f"06 39 98 {n4:02d} {rng.randrange(100):02d}",
            )
        )
    if country == "GB":
        area, local = rng.choice((("20", "7946 0"), ("113", "496 0"), ("161", "496 0")))
        tail = f"{local}{n3:03d}"
        return rng.choice(
            (
                f"0{area} {tail}",
                f"+44 {area} {tail}",
                f"+44 (0){area} {tail}",
                f"0044 {area} {tail}",
            )
        )
    if country == "US":
        area = rng.choice(("201", "312", "415", "646", "917"))
        return rng.choice(
            (
                f"({area}) 555-01{n4:02d}",
                f"{area}-555-01{n4:02d}",
                f"+1 {area} 555 01{n4:02d}",
                f"{area}.555.01{n4:02d}",
            )
        )
    if country == "FR":
        pair = f"{n4:02d} {rng.randrange(100):02d}"
        return rng.choice(
            (
                f"01 99 00 {pair}",
                f"+33 1 99 00 {pair}",
                f"+33 (0)1 99 00 {pair}",
                f"01.99.00.{pair.replace(' ', '.')}",
            )
        )
    return rng.choice(
        (
            f"030 23125{n3:03d}",
            f"+49 30 23125 {n3:03d}",
            f"030/23125-{n3:03d}",
            f"+49 (0)30 23125{n3:03d}",
        )
    )


def _card(rng: random.Random) -> str:
    digits = rng.choice(TEST_CARDS)
    if len(digits) == 15:
        groups = [digits[:4], digits[4:10], digits[10:]]
    else:
        groups = [digits[i : i + 4] for i in range(0, 16, 4)]
    return rng.choice((" ", "-", "")).join(groups)


def _key(rng: random.Random) -> str:
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    if rng.random() < 0.7:
        return "TIDY-" + "-".join("".join(rng.choices(alphabet, k=4)) for _ in range(4))
    return "SN-" + "".join(rng.choices(alphabet, k=10))


def _iban(rng: random.Random) -> str:
    """A published example IBAN, written compact or in groups of four."""
    compact = rng.choice(TEST_IBANS)
    if rng.random() < 0.5:
        return compact
    return " ".join(compact[i : i + 4] for i in range(0, len(compact), 4))


def _dob(rng: random.Random, lang: str) -> str:
    """A birth date between 1950 and 2004, in a way people of ``lang`` write one."""
    year, month, day = rng.randrange(1950, 2005), rng.randrange(1, 13), rng.randrange(1, 29)
    name = MONTH_NAMES[lang][month - 1]
    shapes = {
        "en": (f"{day:02d}/{month:02d}/{year}", f"{year}-{month:02d}-{day:02d}",
               f"{day} {name} {year}", f"{name} {day}, {year}"),
        "fr": (f"{day:02d}/{month:02d}/{year}", f"{day} {name} {year}"),
        "de": (f"{day:02d}.{month:02d}.{year}", f"{day}. {name} {year}"),
    }[lang]  # fmt: skip
    return rng.choice(shapes)


def _vat(rng: random.Random, lang: str) -> str:
    """A VAT number of the shape the country uses (random digits, so no real company's)."""

    def digits(n: int) -> str:
        return "".join(rng.choices(string.digits, k=n))

    if lang == "de":
        return rng.choice((f"DE{digits(9)}", f"DE {digits(3)} {digits(3)} {digits(3)}"))
    if lang == "fr":
        return f"FR{digits(2)}{digits(9)}"
    return rng.choice(
        (
            f"GB{digits(9)}",
            f"IE{digits(7)}A",
            f"NL{digits(9)}B01",
            f"SE{digits(10)}01",
            f"IT{digits(11)}",
            f"PL{digits(10)}",
            f"DK{digits(8)}",
        )
    )


def _ip(rng: random.Random) -> str:
    """An address from the ranges kept for documentation (RFC 5737, RFC 3849)."""
    if rng.random() < 0.7:
        net = rng.choice(("192.0.2", "198.51.100", "203.0.113"))
        return f"{net}.{rng.randrange(1, 255)}"
    a, b, c = rng.randrange(1, 0xFFFF), rng.randrange(1, 0xFFFF), rng.randrange(1, 0xFFF)
    return f"2001:db8:{a:x}:{b:x}::{c:x}"


def _name_handle(rng: random.Random, first: str, last: str) -> str | None:
    """A handle built from a name ("jwhitlock", "t.me/jonaswhitlock"), or None.

    Only for a one-word surname of four letters or more: "jfox" cannot be told from a
    word by anyone, so a corpus planting it would measure luck.
    """
    f, surname = _ascii(first), _ascii(last)
    if len(surname) < 4 or not last.isalpha() or not f:
        return None
    number = rng.randrange(10, 99)
    handle = rng.choice(
        (f"{f}{surname}", f"{f[0]}{surname}", f"{surname}{f[0]}", f"{f}.{surname}{number}")
    )
    if rng.random() < 0.4:
        return rng.choice(("t.me/", "instagram.com/", "github.com/")) + handle
    return handle


def _initials(rng: random.Random, first: str, last: str) -> str | None:
    """A sign-off of initials ("-M", "M.", "– MB", "M.B."; "de Plantard" gives a P), or
    None when every way of writing them is also a common word."""
    f, surname = _ascii(first)[:1].upper(), _ascii(last.split()[-1])[:1].upper()
    both = f + surname
    singles = [f"-{f}", f"- {f}", f"{f}."] if f and f != "I" else []
    doubles = [both, f"{f}.{surname}.", f"– {both}"] if len(both) == 2 else []
    choices = singles + (doubles if both not in COMMON_CAPITALS else [])
    return rng.choice(choices) if choices else None


def _order(rng: random.Random, year: int) -> str:
    if rng.random() < 0.5:
        return f"TI-{rng.randrange(100000, 999999)}"
    return f"INV-{year}-{rng.randrange(1, 99999):05d}"


@dataclass(slots=True)
class _Person:
    first: str
    last: str
    email: str

    @property
    def full(self) -> str:
        return f"{self.first} {self.last}"


def _person(fake: Faker, rng: random.Random, word_names: bool = True) -> _Person:
    first = rng.choice(WORD_FIRST_NAMES) if word_names and rng.random() < 0.25 else None
    first = first or fake.first_name()
    last = rng.choice(WORD_SURNAMES) if word_names and rng.random() < 0.15 else fake.last_name()
    domain = rng.choice((*CUSTOMER_DOMAINS, f"{_ascii(last)}-studio.example", "inbox.test"))
    local = rng.choice(
        (
            f"{_ascii(first)}.{_ascii(last)}",
            f"{_ascii(first)[0]}{_ascii(last)}",
            f"{_ascii(first)}{rng.randrange(10, 99)}",
        )
    )
    return _Person(first, last, f"{local}@{domain}")


def _renamed(person: _Person, first: str, rng: random.Random) -> _Person:
    """The same person under another first name, with an address to match."""
    f, last = _ascii(first), _ascii(person.last)
    local = rng.choice((f"{f}.{last}", f"{f[0]}{last}", f"{f}{rng.randrange(10, 99)}"))
    return _Person(first, person.last, f"{local}@{person.email.partition('@')[2]}")


# --------------------------------------------------------------------------------------
# Building one thread


class _Builder:
    """Fills templates for one thread and keeps the list of what it planted."""

    def __init__(
        self,
        fake: Faker,
        rng: random.Random,
        lang: str,
        locale: str,
        when: datetime,
        more: random.Random,
    ):
        # ``more`` draws everything added to the corpus later (IBANs, nicknames, ...), so
        # the values ``rng`` drew before stay the same for the same seed.
        self.fake, self.rng, self.lang, self.locale, self.more = fake, rng, lang, locale, more
        self.plants: list[Plant] = []
        self.customer = _person(fake, rng)
        self.nick: str | None = None
        if more.random() < 0.08:
            full = more.choice(sorted(NICKNAMES))
            self.customer = _renamed(self.customer, full, more)
            self.nick = more.choice(NICKNAMES[full])
        c = self.customer
        self.initials = _initials(more, c.first, c.last) if more.random() < 0.12 else None
        self.iban = _iban(more)
        self.dob = _dob(more, lang)
        self.vat = _vat(more, lang)
        self.ip = _ip(more)
        self.name_handle = _name_handle(more, c.first, c.last)
        self.third = _person(fake, rng)
        self.staff = rng.choice(STAFF)
        self.product = rng.choice(PRODUCTS)
        self.n = rng.randrange(20, 400)
        self.order = _order(rng, when.year)
        self.key = _key(rng)
        self.card = _card(rng)
        self.phone = _phone(rng, locale)
        self.alt_email = _person(fake, rng, word_names=False).email
        handle = f"{_ascii(self.customer.first)}_{_ascii(self.customer.last)}{rng.randrange(100)}"
        self.handle = rng.choice((f"@{handle}", f"@{handle}@social.example"))
        self.url = rng.choice(
            (
                f"https://{_ascii(self.customer.last)}-studio.example/blog",
                f"https://www.example.com/~{_ascii(self.customer.first)}",
                f"http://{_ascii(self.customer.first)}.test/portfolio",
            )
        )
        self.street = fake.street_address().replace("\n", ", ").strip()
        self.town = f"{fake.postcode()} {fake.city()}"

    def plant(self, kind: str, value: str, probe: str | None = None) -> str:
        p = Plant(kind, value, probe or value)
        if p not in self.plants:
            self.plants.append(p)
        return value

    def fill(self, template: str) -> tuple[str, list[str]]:
        """The template with its fields filled; words of the literal text are ordinary."""
        out: list[str] = []
        words: list[str] = []
        for literal, name, _spec, _conv in string.Formatter().parse(template):
            out.append(literal)
            words.extend(WORD_RE.findall(literal))
            if name is None:
                continue
            value = self.value(name)
            out.append(value)
            if name == "product":
                words.extend(WORD_RE.findall(value))
        return "".join(out), words

    def value(self, name: str) -> str:
        match name:
            case "product":
                return self.product
            case "n":
                return str(self.n)
            case "order":
                return self.plant("order", self.order)
            case "key":
                return self.plant("key", self.key)
            case "card":
                return self.plant("card", self.card)
            case "phone":
                return self.plant("phone", self.phone)
            case "alt_email":
                return self.plant("email", self.alt_email)
            case "handle":
                return self.plant("handle", self.handle)
            case "url":
                return self.plant("url", self.url)
            case "third":
                return self.plant("name", self.third.full)
            case "third_first":
                return self.plant("name", self.third.first, f"{self.third.first} is now")
            case "iban":
                return self.plant("iban", self.iban)
            case "dob":
                return self.plant("dob", self.dob)
            case "vat":
                return self.plant("vat", self.vat)
            case "ip":
                return self.plant("ip", self.ip)
            case "name_handle":
                return self.plant("name-handle", self.name_handle or "")
            case "address":
                self.plant("name", self.customer.full)
                self.plant("address", self.street)
                return f"{self.customer.full}\n{self.street}\n{self.town}"
        raise KeyError(name)

    def greeting(self, to_customer: bool) -> str:
        word = self.rng.choice(GREET[self.lang])
        if not to_customer:
            if self.rng.random() < 0.5:
                return "Hi," if self.lang == "en" else f"{GREET[self.lang][0]},"
            return f"{word} {self.staff[0]},"
        first = self.customer.first
        self.plant("name", first, f"{word} {first}")
        return f"{word} {first},"

    def bare_signoff(self) -> str:
        """The first name alone on the last line, or the nickname its owner signs with."""
        if self.nick:
            return self.plant("nickname", self.nick, f"\n{self.nick}\n")
        first = self.customer.first
        return self.plant("name", first, f"\n{first}\n")

    def extra(self) -> tuple[str, list[str]]:
        """One sentence carrying an IBAN, a birth date, a VAT number, an IP or a handle."""
        templates = [t for t in EXTRAS[self.lang] if self.name_handle or "{name_handle}" not in t]
        return self.fill(self.more.choice(templates))

    def customer_signature(self) -> str:
        c, roll = self.customer, self.rng.random()
        if roll < 0.3:
            return self.bare_signoff()  # the bare sign-off of a quick reply
        sign = self.rng.choice(SIGN_OFF[self.lang])
        self.plant("name", c.full)
        if roll < 0.55:
            return f"{sign}\n{c.full}"
        lines = ["-- ", c.full]
        if self.rng.random() < 0.5:
            lines.append(self.fake.company())
        lines.append(self.plant("phone", self.phone))
        if self.rng.random() < 0.5:
            self.plant("address", self.street)
            lines += [self.street, self.town]
        if self.rng.random() < 0.4:
            lines.append(self.plant("url", self.url))
        if self.rng.random() < 0.3:
            lines.append(self.plant("handle", self.handle))
        return f"{sign}\n{c.first}\n\n" + "\n".join(lines)

    def message(self, role: str, kind: str, sent: datetime, bare: bool = False) -> FakeMessage:
        lang, rng = self.lang, self.rng
        pool = {"request": REQUESTS, "reply": REPLIES, "follow": FOLLOW_UPS, "thanks": THANKS}
        templates = pool[kind][lang]
        chosen = rng.sample(templates, k=min(len(templates), 2 if kind == "request" else 1))
        parts, words = [], []
        for t in chosen:
            text, w = self.fill(t[0].upper() + t[1:])
            parts.append(text)
            words += w
        if role == "customer" and kind in ("request", "follow") and self.more.random() < 0.45:
            text, w = self.extra()
            parts.append(text)
            words += w
        body = "\n\n".join(parts)
        if role == "customer":
            if kind == "thanks" and (bare or rng.random() < 0.5):
                text = f"{body}\n\n{self.bare_signoff()}"  # thanks on top, bare sign-off
            elif kind != "request" and self.initials:
                self.plant("initials", self.initials, f"\n{self.initials}\n")
                text = f"{self.greeting(False)}\n\n{body}\n\n{self.initials}"
            else:
                text = f"{self.greeting(False)}\n\n{body}\n\n{self.customer_signature()}"
            return FakeMessage(role, self.customer.full, self.customer.email, sent, text, words)
        name, address = self.staff
        text = f"{self.greeting(True)}\n\n{body}\n\n{rng.choice(SIGN_OFF[lang])}\n{name}"
        return FakeMessage(role, name, address, sent, text, words)


def _plan(rng: random.Random, thanks: bool) -> list[tuple[str, str]]:
    """The order of messages: a request, a reply, sometimes more rounds, often thanks."""
    plan = [("customer", "request"), ("staff", "reply")]
    if not thanks and rng.random() < 0.35:
        plan += [("customer", "follow"), ("staff", "reply")]
    if thanks or rng.random() < 0.75:
        plan.append(("customer", "thanks"))
    return plan


def _gaps(rng: random.Random, count: int) -> list[timedelta]:
    return [
        timedelta(minutes=rng.choice((rng.randrange(4, 90), rng.randrange(90, 3000))))
        for _ in range(count)
    ]


# --------------------------------------------------------------------------------------
# Rendering a thread in the shapes mail takes


def _quote(text: str) -> str:
    return "\n".join(f"> {line}" if line else ">" for line in text.splitlines())


def _attribution(m: FakeMessage, lang: str, tz: tzinfo) -> str:
    """The line a mail client writes above a quote, in the replier's own time zone."""
    t = m.sent.astimezone(tz)
    who = f"{m.name} <{m.address}>"
    if lang == "fr":
        day = f"{DAYS['fr'][t.weekday()]} {t.day} {MONTHS['fr'][t.month - 1]} {t.year}"
        return f"Le {day} à {t:%H:%M}, {who} a écrit :"
    if lang == "de":
        day = f"{DAYS['de'][t.weekday()]}, {t.day}. {MONTHS['de'][t.month - 1]} {t.year}"
        return f"Am {day} um {t:%H:%M} schrieb {who}:"
    return f"On {t:%a}, {t.day} {t:%b %Y} at {t:%H:%M}, {who} wrote:"


def _outlook_block(m: FakeMessage, to: FakeMessage, subject: str, lang: str) -> str:
    t = m.sent.astimezone(to.sent.tzinfo)  # Outlook shows the replier's local time
    hour = t.hour % 12 or 12
    stamp = f"{t:%A}, {t:%B} {t.day}, {t.year} {hour}:{t:%M} {'AM' if t.hour < 12 else 'PM'}"
    labels = {
        "en": ("-----Original Message-----", "From:", "Sent:", "To:", "Subject:"),
        "fr": ("-----Message d'origine-----", "De :", "Envoyé :", "À :", "Objet :"),
        "de": ("-----Ursprüngliche Nachricht-----", "Von:", "Gesendet:", "An:", "Betreff:"),
    }[lang]
    return "\n".join(
        (
            labels[0],
            f"{labels[1]} {m.name} <{m.address}>",
            f"{labels[2]} {stamp}",
            f"{labels[3]} {to.name} <{to.address}>",
            f"{labels[4]} {subject}",
        )
    )


def _bodies(t: FakeThread, outlook: bool) -> list[str]:
    """Each message's body as sent: its own text, then the whole earlier history quoted."""
    bodies: list[str] = []
    for i, m in enumerate(t.messages):
        if i == 0:
            bodies.append(m.text)
        elif outlook:
            prev = t.messages[i - 1]
            head = _outlook_block(prev, m, t.subject, t.lang)
            bodies.append(f"{m.text}\n\n{head}\n\n{bodies[-1]}")
        else:
            prev = t.messages[i - 1]
            line = _attribution(prev, t.lang, m.sent.tzinfo)
            bodies.append(f"{m.text}\n\n{line}\n{_quote(bodies[-1])}")
    return bodies


def _email(t: FakeThread, i: int, body: str) -> bytes:
    """Message ``i`` of a thread as raw mail bytes.

    Built from the standard library's header helpers rather than ``EmailMessage``: the
    result is the same RFC 5322 text (encoded words for accented names, quoted-printable
    or 8-bit bodies), five times faster, which keeps a 5,000-thread inbox quick to make.
    """
    m = t.messages[i]
    other = next((x for x in t.messages if x.role != m.role), t.messages[0])
    ids = [f"<{t.id}.{k}@{x.address.split('@')[1]}>" for k, x in enumerate(t.messages[: i + 1])]
    subject = t.subject if i == 0 else f"Re: {t.subject}"
    if not subject.isascii():
        subject = Header(subject, "utf-8").encode()
    lines = [
        f"From: {formataddr((m.name, m.address), 'utf-8')}",
        f"To: {formataddr((other.name, other.address), 'utf-8')}",
    ]
    if t.cc:
        lines.append(f"Cc: {formataddr(t.cc, 'utf-8')}")
    lines += [f"Subject: {subject}", f"Date: {format_datetime(m.sent)}", f"Message-ID: {ids[-1]}"]
    if i:
        lines += [f"In-Reply-To: {ids[-2]}", f"References: {' '.join(ids[:-1])}"]
    lines += ["MIME-Version: 1.0", 'Content-Type: text/plain; charset="utf-8"']
    if (len(t.id) + i) % 3:
        lines.append("Content-Transfer-Encoding: quoted-printable")
        payload = quopri.encodestring(body.encode("utf-8"))
    else:
        lines.append("Content-Transfer-Encoding: 8bit")
        payload = body.encode("utf-8")
    head = "\n".join(lines).encode("ascii")
    return head + b"\n\n" + payload.replace(b"\nFrom ", b"\n>From ") + b"\n"


def _paste_header(m: FakeMessage, subject: str) -> str:
    return (
        f"From: {m.name} <{m.address}>\nSent: {m.sent.astimezone(UTC):%d %B %Y %H:%M}\n"
        f"To: {'support' if m.role == 'customer' else 'you'}\nSubject: {subject}\n"
    )


def _headerless(t: FakeThread) -> str:
    """Thanks on top with a bare sign-off; reply and request below, quoted at one level.

    The quoted messages are separated only by a blank quoted line, the way a founder
    pastes a thread from a phone: the hardest shape for reply extraction.
    """
    *earlier, last = t.messages
    quoted = "\n\n".join(m.text for m in reversed(earlier))
    return f"{last.text}\n\n{_quote(quoted)}\n"


SHAPES = {
    "eml": ("eml-gmail", "eml-outlook", "eml-files"),
    "mbox": ("mbox",),
    "txt": ("txt-pasted", "txt-headerless"),
}
WEIGHTS = {
    "eml-gmail": 5,
    "eml-outlook": 2,
    "eml-files": 1,
    "mbox": 5,
    "txt-pasted": 2,
    "txt-headerless": 2,
}


def generate_threads(
    n: int, seed: int = 2026, formats: Sequence[str] = ("eml", "mbox", "txt")
) -> list[FakeThread]:
    """``n`` fictional threads in memory, with their source texts; same seed, same threads."""
    shapes = [s for f in formats for s in SHAPES[f]]
    if not shapes:
        raise ValueError(f"formats {formats!r}: choose from {sorted(SHAPES)}")
    rng = random.Random(seed)
    fakes = {}
    for k, loc in enumerate(LOCALES + ABROAD):
        fakes[loc] = Faker(loc)
        fakes[loc].seed_instance(seed * 10 + k)
    start = datetime(2025, 1, 6, 8, 0, tzinfo=UTC)
    threads = []
    for i in range(n):
        locale = rng.choice(LOCALES)
        lang = {"fr_FR": "fr", "de_DE": "de"}.get(locale, "en") if rng.random() < 0.7 else "en"
        shape = rng.choices(shapes, weights=[WEIGHTS[s] for s in shapes])[0]
        more = random.Random(f"{seed}:{i}")  # what was added to the corpus later draws here
        if lang == "en" and more.random() < 0.2:
            locale = more.choice(ABROAD)  # abroad, writing to support in English
        # Start times are at least 97 minutes apart, so every thread starts in its own minute.
        when = (start + timedelta(minutes=97 * i + rng.randrange(60))).astimezone(TZ[locale])
        b = _Builder(fakes[locale], rng, lang, locale, when, more)
        messages = []
        gaps = _gaps(rng, 6)
        headerless = shape == "txt-headerless"
        if not headerless:  # the From lines name the customer
            b.plant("name", b.customer.full)
            b.plant("email", b.customer.email)
        for k, (role, kind) in enumerate(_plan(rng, thanks=headerless)):
            sent = when if k == 0 else messages[-1].sent + gaps[k]
            tz = TZ[locale] if role == "customer" else UTC
            messages.append(b.message(role, kind, sent.astimezone(tz), bare=headerless))
        subject, _ = b.fill(rng.choice(SUBJECTS[lang]))
        if not headerless and more.random() < 0.15:  # a headerless paste has no subject
            local = b.customer.email.partition("@")[0]
            subject += f" ({SUBJECT_ACCOUNT[lang]} {b.plant('local-part', local)})"
        t = FakeThread(f"t{i:05d}", locale, lang, shape, subject, messages, b.plants)
        if shape.startswith(("eml", "mbox")) and rng.random() < 0.2:
            t.cc = (b.plant("name", b.third.full), b.plant("email", b.third.email))
        t.source_texts = _source_texts(t, b)
        threads.append(t)
    return threads


def _source_texts(t: FakeThread, b: _Builder) -> list[str]:
    """The thread as the texts of its source documents, headers included, for text tools."""
    if t.shape == "txt-headerless":
        return [_headerless(t)]
    if t.shape == "txt-pasted":
        return ["\n\n".join(_paste_header(m, t.subject) + "\n" + m.text for m in t.messages)]
    outlook = t.shape == "eml-outlook"
    bodies = _bodies(t, outlook)
    keep = range(len(bodies)) if t.shape in ("mbox", "eml-files") else [len(bodies) - 1]
    texts = []
    for i in keep:
        m = t.messages[i]
        cc = f"Cc: {t.cc[0]} <{t.cc[1]}>\n" if t.cc else ""
        texts.append(f"From: {m.name} <{m.address}>\n{cc}Subject: {t.subject}\n\n{bodies[i]}")
    return texts


# --------------------------------------------------------------------------------------
# Writing an inbox


def generate_inbox(
    dest: Path, threads: int, seed: int = 2026, formats: Sequence[str] = ("eml", "mbox", "txt")
) -> Truth:
    """Write a fictional inbox of ``threads`` threads into ``dest``; return what it holds.

    Files: ``NNNNN.eml`` (one per thread, the last message quoting all earlier ones, or
    ``NNNNN-K.eml`` for threads kept one message a file), ``support-NN.mbox`` (up to 25
    threads each) and ``NNNNN.txt`` (pasted threads; their file time is the thread's
    start, as if saved then).
    """
    dest.mkdir(parents=True, exist_ok=True)
    made = generate_threads(threads, seed, formats)
    mbox: list[bytes] = []
    mbox_no = 0

    def flush_mbox() -> None:
        nonlocal mbox, mbox_no
        if mbox:
            (dest / f"support-{mbox_no:02d}.mbox").write_bytes(b"".join(mbox))
            mbox_no += 1
            mbox = []

    in_mbox = 0
    for t in made:
        num = t.id[1:]
        if t.shape.startswith("txt"):
            path = dest / f"{num}.txt"
            path.write_text(t.source_texts[0], encoding="utf-8")
            stamp = t.messages[0].sent.timestamp()
            os.utime(path, (stamp, stamp))
            t.files = [path.name]
            continue
        bodies = _bodies(t, t.shape == "eml-outlook")
        if t.shape in ("eml-gmail", "eml-outlook"):
            last = len(t.messages) - 1
            path = dest / f"{num}.eml"
            path.write_bytes(_email(t, last, bodies[last]))
            t.files = [path.name]
        elif t.shape == "eml-files":
            for i, body in enumerate(bodies):
                path = dest / f"{num}-{i}.eml"
                path.write_bytes(_email(t, i, body))
                t.files.append(path.name)
        else:
            for i, body in enumerate(bodies):
                raw = _email(t, i, body)
                stamp = t.messages[i].sent.astimezone(UTC).strftime("%a %b %d %H:%M:%S %Y")
                mbox.append(f"From {t.messages[i].address} {stamp}\n".encode() + raw + b"\n")
            t.files = [f"support-{mbox_no:02d}.mbox#{t.id}"]
            in_mbox += 1
            if in_mbox >= 25:
                flush_mbox()
                in_mbox = 0
    flush_mbox()
    planted = [(p.kind, p.value) for t in made for p in t.plants]
    words = [w for t in made for w in t.words]
    return Truth(planted, words, made)


# --------------------------------------------------------------------------------------
# Looking for planted values in published text


_DIGIT_RUN = re.compile(r"\+?\d[\d\s().\-/]*\d")


def digit_runs(text: str) -> list[str]:
    """Every run of digits and number punctuation in ``text``, as digits only."""
    return [re.sub(r"\D", "", m.group()) for m in _DIGIT_RUN.finditer(text)]


def phone_core(value: str) -> str:
    """The digits that identify a number however it is written (no country code, no 0)."""
    digits = re.sub(r"\D", "", value.replace("(0)", ""))
    for prefix in ("0044", "0033", "0049", "44", "33", "49"):
        if value.lstrip().startswith(("+", "00")) and digits.startswith(prefix):
            digits = digits[len(prefix) :]
            break
    if value.lstrip().startswith("+1"):
        digits = digits[1:]
    return digits.lstrip("0")


def _alnum(text: str) -> str:
    return re.sub(r"[\W_]+", "", text).upper()


def leaked(plants: Iterable[Plant], text: str) -> list[Plant]:
    """The planted values still readable in ``text``, however they were reformatted.

    Phones are compared on their identifying digits and cards on all their digits, so
    "+44 20 7946 0123" also leaks as "020-7946-0123"; keys, order numbers, IBANs and VAT
    numbers are compared without punctuation or case, so "DE89 3704…" also leaks compact;
    handles, address local parts and IPs in any case.
    """
    runs: list[str] | None = None
    alnum: str | None = None
    lower = text.lower()
    out = []
    for p in plants:
        if p.kind in ("phone", "card"):
            runs = digit_runs(text) if runs is None else runs
            needle = phone_core(p.value) if p.kind == "phone" else re.sub(r"\D", "", p.value)
            hit = any(needle in r for r in runs) or p.value in text
        elif p.kind in ("key", "order", "iban", "vat"):
            alnum = _alnum(text) if alnum is None else alnum
            hit = _alnum(p.value) in alnum
        elif p.kind in ("email", "url", "handle", "name-handle", "local-part", "ip"):
            needle = p.value.lower().split("://", 1)[-1]
            hit = needle in lower
        elif p.probe.startswith("\n"):  # alone on a line (a bare sign-off, initials), maybe quoted
            alone = rf"^[>| \t]*{re.escape(p.value)}[ \t]*$"
            hit = re.search(alone, text, re.MULTILINE) is not None
        else:
            hit = p.probe in text
        if hit:
            out.append(p)
    return out


def ordinary_words(text: str) -> Counter[str]:
    """The words of a text, counted the way ``FakeMessage.words`` counts them."""
    return Counter(WORD_RE.findall(text))


def words_lost(expected: Iterable[str], output: str) -> int:
    """How many ordinary words are missing from ``output``: a tool's false positives."""
    have = ordinary_words(output)
    want = Counter(expected)
    return sum(max(0, n - have[w]) for w, n in want.items())
