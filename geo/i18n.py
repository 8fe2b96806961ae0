"""Interface words in more than one language: gettext catalogs (``geo/locale``) read through Babel.

English is the source language: its words are the catalog's message ids (``geo/locale/geo.pot``). Each other
language is one ``.po`` file (``geo/locale/<lang>/LC_MESSAGES/geo.po``); Kazakh or Uzbek is one more file. A word
the catalog does not hold is an error, never passed through untranslated: ``tests/test_i18n.py`` extracts every
word the code and templates use and checks each catalog holds all of them.

Numbers and dates are written in the language's own style (``12 345,6`` and ``8 декабря 2026`` in Russian)
by Babel's CLDR data.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from geo.errors import UnknownNameError

__all__ = ["LANGUAGES", "LOCALE_DIR", "Words", "catalog_path", "words"]

#: The languages with a catalog; the first is the source language.
LANGUAGES = ("en", "ru")
LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "geo"
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
#: ISO alpha-3 -> alpha-2, for the countries the data names (CLDR gives their names in each language).
_ALPHA2 = {
    "KAZ": "KZ", "KGZ": "KG", "TJK": "TJ", "TKM": "TM", "UZB": "UZ", "GBR": "GB", "CHN": "CN", "RUS": "RU",
    "BRA": "BR", "COD": "CD", "ZAF": "ZA", "AUS": "AU", "CHL": "CL", "USA": "US", "IDN": "ID", "PHL": "PH",
    "TUR": "TR", "IND": "IN", "CAN": "CA", "PER": "PE", "MEX": "MX", "MNG": "MN", "AFG": "AF", "IRN": "IR",
    "GAB": "GA", "MOZ": "MZ", "MDG": "MG", "RWA": "RW", "NGA": "NG", "BOL": "BO", "ARG": "AR", "JPN": "JP",
    "KOR": "KR", "DEU": "DE", "FRA": "FR", "NOR": "NO", "VNM": "VN", "MMR": "MM", "MYS": "MY", "THA": "TH",
}  # fmt: skip
_PARTIAL_DATE = re.compile(r"^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?$")


class UnknownLanguageError(UnknownNameError):
    """A language with no catalog."""


class MissingWordError(UnknownNameError):
    """A word the language's catalog does not hold."""


def catalog_path(lang: str) -> Path:
    """Return the catalog file of `lang` (the template ``geo.pot`` for English, the source language)."""
    if lang == LANGUAGES[0]:
        return LOCALE_DIR / f"{DOMAIN}.pot"
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


@cache
def _messages(lang: str) -> dict[str, str]:
    from babel.messages.pofile import read_po

    with catalog_path(lang).open("rb") as fh:
        catalog = read_po(fh, locale=None if lang == LANGUAGES[0] else lang)
    found: dict[str, str] = {}
    for message in catalog:
        if not message.id or not isinstance(message.id, str):
            continue
        text = message.string if isinstance(message.string, str) else ""
        found[message.id] = message.id if lang == LANGUAGES[0] else text
    return found


@dataclass(frozen=True, kw_only=True)
class Words:
    """The words of one language: call it with an English message id (``w("Notes")``).

    Attributes
    ----------
    lang
        The language code (``en``, ``ru``).
    """

    lang: str
    messages: dict[str, str] = field(repr=False)

    def __call__(self, msgid: str, **values: Any) -> str:
        """Return `msgid` in this language, with ``{name}`` fields filled from `values`.

        Raises
        ------
        MissingWordError
            The catalog holds no (or an empty) translation of `msgid`.
        """
        text = self.messages.get(msgid)
        if not text:
            msg = (
                f"No {self.lang!r} word for {msgid!r} in {catalog_path(self.lang)}: add it "
                "(make i18n extracts new words into the catalogs)."
            )
            raise MissingWordError(msg)
        return text.format(**values) if values else text

    def table(self, msgids: list[str] | tuple[str, ...]) -> dict[str, str]:
        """Return ``{msgid: word}`` for `msgids` (the page receives its words as such a table)."""
        return {m: self(m) for m in msgids}

    def number(self, value: float, *, digits: int = 0) -> str:
        """Return `value` with this language's digit grouping and decimal mark."""
        from babel.numbers import format_decimal

        pattern = "#,##0" + ("." + "0" * digits if digits else "")
        return str(format_decimal(value, format=pattern, locale=self.lang))

    def date(self, value: str | date | None) -> str:
        """Return an ISO date (``2025``, ``2025-03`` or ``2025-03-10``) in this language's style (``""`` stays)."""
        from babel.dates import format_date

        if value is None or value == "":
            return ""
        if isinstance(value, date):
            return str(format_date(value, format="long", locale=self.lang))
        match = _PARTIAL_DATE.match(str(value).strip())
        if match is None:
            return str(value)
        year, month, day = match.groups()
        if day:
            return str(format_date(date(int(year), int(month), int(day)), format="long", locale=self.lang))
        if month:
            return str(format_date(date(int(year), int(month), 1), format="LLLL y", locale=self.lang))
        return year

    def country(self, code: object) -> str:
        """Return a country's name (its ISO alpha-3 code) in this language, from CLDR; the code if CLDR has none."""
        from babel import Locale

        text = "" if code is None or (isinstance(code, float) and math.isnan(code)) else str(code)
        alpha2 = _ALPHA2.get(text)
        if alpha2 is None:
            return text or "–"
        return str(Locale.parse(self.lang).territories.get(alpha2, text))

    def name(self, row: Any) -> str:
        """Return a feature's name for this language: its Cyrillic ``name_local`` in Russian where it has one."""
        name = str(_get(row, "name") or "")
        if self.lang == "ru":
            local = _get(row, "name_local")
            if isinstance(local, str) and _CYRILLIC.search(local):
                return local
        return name


def _get(row: Any, key: str) -> Any:
    try:
        value = row[key]
    except (KeyError, IndexError, TypeError):
        return None
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else value


def words(lang: str = "en") -> Words:
    """Return the words of `lang`.

    Raises
    ------
    UnknownLanguageError
        No catalog for `lang`; the message lists the languages there are.
    """
    if lang not in LANGUAGES:
        msg = f"Unknown language {lang!r}: use one of {', '.join(LANGUAGES)}."
        raise UnknownLanguageError(msg)
    return Words(lang=lang, messages=_messages(lang))


#: Fields whose values reach the page as words (their vocabularies are translated).
_VOCABULARY_FIELDS = ("status", "kind", "approach", "location_precision")


def vocabulary() -> list[str]:
    """Return the words that reach the text as data, not as literals: statuses, commodities, kinds, precision.

    The extractor cannot see them in the code, so they are listed from their registries and put in the catalogs.
    """
    from geo import agreement_table, precision, registry, symbology

    found: list[str] = ["yes", "no", "possibly", "unknown", *registry.CONFIDENCE.values()]
    found += list(registry.STATUSES)
    found += list(agreement_table.STATUSES)
    found += list(symbology.COMMODITIES)
    for sch in symbology.SCHEMES.values():
        found += list(sch.colours)
    for key, level in precision.LEVELS.items():
        found += [key, level.legend, level.words]
    for name in registry.names():
        spec = registry.get(name)
        found.append(spec.title)
        found += list(spec.kinds or ())
        found += [f.label for f in spec.all_fields if f.label]
        found += [str(v) for f in spec.all_fields if f.name in _VOCABULARY_FIELDS for v in f.values or ()]
    found += recipe_titles()
    return list(dict.fromkeys(w for w in found if w))


def recipe_titles() -> list[str]:
    """Return the titles the shipped map recipes give their maps and layers (translated like layer titles)."""
    import tomllib

    from geo.paths import MAPS_DIR

    titles: list[str] = []
    for path in sorted(MAPS_DIR.glob("*.toml")):
        recipe = tomllib.loads(path.read_text(encoding="utf-8"))
        titles.append(str(recipe.get("title") or ""))
        layers = recipe.get("layers")
        titles += [str(e.get("title") or "") for e in layers if isinstance(e, dict)] if isinstance(layers, list) else []
    titles.append("UK–Central Asia: minerals, campuses, carbon and forests")  # geo.map's own default
    titles += ["Elevation (GEBCO 2023, 15″)", "Relief (GEBCO 2023 hillshade)"]  # geo.mapping.overlays' images
    return [t for t in titles if t]


def extract() -> list[str]:
    """Return every English message id the code, the templates and :func:`vocabulary` use, in a stable order."""
    from babel.messages.extract import extract_from_dir

    package = Path(__file__).parent
    method_map = [("**/templates/**.j2", "jinja2"), ("**.py", "python")]
    options = {"**/templates/**.j2": {"extensions": ""}}
    keywords = {"_": None, "w": None}
    found: list[str] = []
    for _filename, _lineno, message, _comments, _context in extract_from_dir(
        package, method_map=method_map, options_map=options, keywords=keywords
    ):
        if isinstance(message, str):
            found.append(message)
        elif isinstance(message, tuple) and message and isinstance(message[0], str):
            found.append(message[0])
    return list(dict.fromkeys([*found, *vocabulary()]))


def write_template(path: Path | None = None) -> Path:
    """Write the catalog template (``geo/locale/geo.pot``) from :func:`extract`; ``make i18n`` runs it."""
    from babel.messages.catalog import Catalog
    from babel.messages.pofile import write_po

    catalog = Catalog(project="centralasia-geo", domain=DOMAIN)
    for msgid in extract():
        catalog.add(msgid)
    target = path or catalog_path(LANGUAGES[0])
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("wb") as fh:
        write_po(fh, catalog, omit_header=False, sort_output=False, width=120)
    return target


def update_catalogs() -> list[Path]:
    """Write the template and merge it into each language's catalog (new words arrive untranslated).

    ``make i18n`` runs it; ``tests/test_i18n.py`` then names every word still lacking a translation.
    """
    from babel.messages.pofile import read_po, write_po

    template_path = write_template()
    with template_path.open("rb") as fh:
        template = read_po(fh)
    written = [template_path]
    for lang in LANGUAGES[1:]:
        path = catalog_path(lang)
        with path.open("rb") as fh:
            catalog = read_po(fh, locale=lang)
        catalog.update(template, no_fuzzy_matching=True, update_header_comment=False)
        with path.open("wb") as fh:
            write_po(fh, catalog, width=120, ignore_obsolete=True)
        written.append(path)
    _messages.cache_clear()
    return written
