"""Goodwill's settings: ``GOODWILL_*`` names in ``pelicanconf.py``, with defaults.

The command line reads the same file Pelican reads, so a founder configures
one place. ``goodwill`` never imports Pelican: the file is executed as plain
Python, as Pelican itself does, and only the names it needs are taken.
"""

from __future__ import annotations

import runpy
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

PREFIX = "GOODWILL_"


class SettingsError(Exception):
    """A settings file that cannot be read or holds a value of the wrong shape."""


@dataclass(slots=True)
class Settings:
    """Every ``GOODWILL_*`` setting; the field name is the setting without its prefix."""

    inbox: str = "inbox"
    # Staff: addresses ("ada@tidy.example") or domains ("tidy.example"). A dict maps each to
    # a public name to show ({"ada@tidy.example": "Ada, founder"}); None keeps the role label.
    staff: dict[str, str | None] = field(default_factory=dict)
    staff_label: str = "Support"
    # How the customer is named in public: "first-name" (a generated first name, the default,
    # never the real one), "letter" ("Customer A") or "initials" ("J. W.", reveals initials).
    pseudonym_style: str = "first-name"
    products: list[str] = field(default_factory=list)  # product names to recognise in a thread
    # Helpdesk CSV: our field -> the CSV's column name.
    csv_columns: dict[str, str] = field(
        default_factory=lambda: {
            "thread": "thread_id",
            "sender": "from",
            "name": "name",
            "sent": "sent_at",
            "body": "body",
            "subject": "subject",
            "role": "role",
        }
    )
    # Pledges ingest can infer from a thread: pledge slug -> rule. Rules: "first_reply" with a
    # "within" in business days or hours; "no_purchase" (helped someone who had not bought).
    pledge_rules: dict[str, dict[str, Any]] = field(
        default_factory=lambda: {
            "reply-within-one-business-day": {"measure": "first_reply", "business_days": 1},
            "help-whether-or-not-you-paid": {"measure": "no_purchase"},
        }
    )
    key_file: str = ".goodwill/key"  # the local HMAC key for redaction digests, git-ignored
    # Where Pelican reads content from; taken from PATH when the file sets it.
    content: str = "content"
    max_file_mb: int = 256  # larger inbox files are refused with a clear message
    publish_keep: int = 5  # releases `goodwill publish` keeps; the live one always stays

    @property
    def content_dir(self) -> Path:
        return Path(self.content)

    @property
    def inbox_dir(self) -> Path:
        return Path(self.inbox)


def _kind(value: Any) -> str:
    names = {bool: "True or False", int: "a whole number", float: "a number", str: "a string"}
    return names.get(type(value), f"a {type(value).__name__}")


def from_mapping(values: dict[str, Any], base: Path | None = None) -> Settings:
    """Build Settings from a Pelican-style namespace; relative paths resolve against ``base``."""
    settings = Settings()
    known = {f.name for f in fields(Settings)}
    for name, value in values.items():
        if not name.startswith(PREFIX):
            continue
        attr = name[len(PREFIX) :].lower()
        if attr not in known:
            continue  # other GOODWILL_ names belong to the site plugin
        default = getattr(settings, attr)
        if attr == "staff" and isinstance(value, list | tuple | set):
            value = {str(v): None for v in value}
        if (not isinstance(value, type(default)) or isinstance(value, bool)) and not isinstance(
            default, bool
        ):
            raise SettingsError(f"{name} should be {_kind(default)}, not {_kind(value)}")
        setattr(settings, attr, value)
    if "PATH" in values and "GOODWILL_CONTENT" not in values:
        settings.content = str(values["PATH"])
    settings.staff = {k.lower(): v for k, v in settings.staff.items()}
    check(settings)
    if base is not None:
        for attr in ("inbox", "content", "key_file"):
            path = Path(getattr(settings, attr))
            if not path.is_absolute():
                setattr(settings, attr, str(base / path))
    return settings


PSEUDONYM_STYLES = ("first-name", "letter", "initials")
PLEDGE_MEASURES = ("first_reply", "resolution", "no_purchase")
CSV_FIELDS = ("thread", "sender", "name", "sent", "body", "subject", "role")


def check(settings: Settings) -> None:
    """Refuse values of the right type but the wrong shape, once, before any work is done."""
    if settings.pseudonym_style not in PSEUDONYM_STYLES:
        raise SettingsError(
            f"GOODWILL_PSEUDONYM_STYLE = {settings.pseudonym_style!r} is not one of "
            f"{', '.join(PSEUDONYM_STYLES)}"
        )
    for slug, rule in settings.pledge_rules.items():
        if not isinstance(rule, dict) or rule.get("measure") not in PLEDGE_MEASURES:
            raise SettingsError(
                f"GOODWILL_PLEDGE_RULES[{slug!r}] should be a dict with 'measure' one of "
                f"{', '.join(PLEDGE_MEASURES)}, e.g. {{'measure': 'first_reply', 'hours': 24}}"
            )
        if rule["measure"] != "no_purchase":
            target = rule.get("hours", rule.get("business_days"))
            if not isinstance(target, int | float) or isinstance(target, bool) or target <= 0:
                raise SettingsError(
                    f"GOODWILL_PLEDGE_RULES[{slug!r}] needs a positive 'hours' or 'business_days'"
                )
    for field_name, column in settings.csv_columns.items():
        if field_name not in CSV_FIELDS or not isinstance(column, str) or not column:
            raise SettingsError(
                f"GOODWILL_CSV_COLUMNS[{field_name!r}] = {column!r}: keys are "
                f"{', '.join(CSV_FIELDS)}, values the CSV's column names"
            )
    for name, value in (
        ("MAX_FILE_MB", settings.max_file_mb),
        ("PUBLISH_KEEP", settings.publish_keep),
    ):
        if value < 1:
            raise SettingsError(f"GOODWILL_{name} = {value} should be at least 1")


def load(path: Path | None = None) -> Settings:
    """Read ``pelicanconf.py`` (or ``path``); defaults when there is none."""
    conf = path or Path("pelicanconf.py")
    if not conf.exists():
        if path is not None:
            raise SettingsError(f"{conf}: no such settings file")
        return from_mapping({}, base=Path.cwd())
    try:
        namespace = runpy.run_path(str(conf))
    except Exception as exc:  # any error in the founder's file, shown with its name
        raise SettingsError(f"{conf}: could not be read: {exc}") from exc
    try:
        return from_mapping(namespace, base=conf.resolve().parent)
    except SettingsError as exc:
        raise SettingsError(f"{conf}: {exc}") from exc
