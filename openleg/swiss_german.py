"""The de-CH catalogue: Django's and the installed apps' German, spelt the Swiss way, plus what they lack.

Django and the third-party apps ship German (``de``) with "ß" ("Schließen", "Größe"); Swiss German writes "ss".
``catalogue(domain)`` takes every entry of the installed German catalogues that has an "ß", rewrites it, and adds
the hand-written entries of ``locale/de_CH/additions/<domain>.po`` (strings German lacks: newer admin JavaScript,
argparse). ``scripts/de_ch_catalogue`` writes the result to ``locale/de_CH/LC_MESSAGES``; a test keeps the
committed files equal to what this module computes, so an upgrade of Django shows up as a failing test.
"""

from pathlib import Path

import django
from django.apps import apps
from django.conf import settings

from openleg.gettext_files import read_mo, read_po, write_mo, write_po

DOMAINS = ("django", "djangojs")
HEADER = (
    "Project-Id-Version: OpenLEG\n"
    "Language: de_CH\n"
    "MIME-Version: 1.0\n"
    "Content-Type: text/plain; charset=UTF-8\n"
    "Content-Transfer-Encoding: 8bit\n"
    "Plural-Forms: nplurals=2; plural=(n != 1);\n"
)
SWISS_SPELLING = str.maketrans({"ß": "ss", "ẞ": "SS"})


def locale_dir() -> Path:
    return Path(settings.LOCALE_PATHS[0]) / "de_CH"


def installed_german(domain: str) -> list[Path]:
    """The compiled German catalogues Django merges for ``domain``: its own, then each installed app's."""
    roots = [Path(django.__file__).parent / "conf" / "locale"]
    roots += [Path(app.path) / "locale" for app in apps.get_app_configs()]
    found = [root / "de" / "LC_MESSAGES" / f"{domain}.mo" for root in roots]
    return [path for path in found if path.is_file()]


def swiss_overrides(domain: str) -> dict[str, tuple[str, str]]:
    """Per key the Swiss spelling and where the German came from, for every installed entry with an "ß"."""
    overrides = {}
    for path in installed_german(domain):
        for key, value in read_mo(path.read_bytes()).items():
            if key and ("ß" in value or "ẞ" in value):
                overrides[key] = (value.translate(SWISS_SPELLING), _origin(path))
    return overrides


def additions(domain: str) -> dict[str, str]:
    path = locale_dir() / "additions" / f"{domain}.po"
    return read_po(path.read_text(encoding="utf-8")) if path.is_file() else {}


def catalogue(domain: str) -> tuple[str, bytes]:
    """The .po text and the compiled .mo of the de-CH catalogue of ``domain``."""
    overrides = swiss_overrides(domain)
    entries = {key: value for key, (value, _origin_) in overrides.items()}
    comments = {key: f"Swiss spelling of {origin}" for key, (_value, origin) in overrides.items()}
    for key, value in additions(domain).items():
        if key:
            entries[key] = value
            comments[key] = f"added in locale/de_CH/additions/{domain}.po"
    entries[""] = HEADER
    return write_po(entries, comments=comments), write_mo(entries)


def _origin(path: Path) -> str:
    """``django/contrib/admin`` for ``…/site-packages/django/contrib/admin/locale/de/LC_MESSAGES/django.mo``."""
    package_root = path.parents[3]
    for parent in package_root.parents:
        if parent.name in ("site-packages", "dist-packages"):
            return package_root.relative_to(parent).as_posix()
    return package_root.name
