"""The atlas's words: every interface string of the map page, in one table, by key.

The page's script has no text of its own: the payload carries this table (``words``) and the script
looks every word up through one function (``t`` in ``static/src/words.js``) that throws on a key the
table lacks. The popups' and filters' labels the payload builds in Python come from here too, so one
table holds the whole interface and a translation replaces it whole.

A value is a text, or plural forms by CLDR category (``{"one": ..., "other": ...}``; a Russian table
adds ``few`` and ``many``), chosen in the page with ``Intl.PluralRules``. ``{name}`` marks a
placeholder the caller fills; a missing one is an error, in Python and in the page.

The table is also a gettext catalogue template, ``geo/locale/messages.pot`` (each word's key is its
``msgctxt``, its English text the ``msgid``, plural forms ``msgid``/``msgid_plural``), written by
``python -m geo.mapping.words`` and checked against the table by the tests, so translators (Babel,
Poedit, msginit) start from it.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

from geo.errors import UnknownNameError

__all__ = [
    "CATALOG_TEMPLATE",
    "LANGUAGE",
    "WORDS",
    "catalog_template",
    "current_language",
    "data_word",
    "language",
    "page_words",
    "table",
    "word",
]

#: The gettext catalogue template of :data:`WORDS`.
CATALOG_TEMPLATE = Path(__file__).resolve().parents[1] / "locale" / "messages.pot"
#: The language of :data:`WORDS` (a BCP 47 tag; the page's plural rules and number format follow it).
LANGUAGE = "en"

_MONTHS = (
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
)

_TABLE: dict[str, str | dict[str, str]] = {
    # counts and choices
    "count": "({n})",
    "filter.all": "all",
    "filter.none": "none",
    "filter.n_of": "{n} of {total}",
    "filter.facet": "{label}: {choice}",
    "filter.reset": "Show everything",
    "filter.summary": {
        "one": "On the map: {shown} of {n} located curated feature",
        "other": "On the map: {shown} of {n} located curated features",
    },
    "filter.summary_active": {"one": "{summary} ({n} filter on)", "other": "{summary} ({n} filters on)"},
    # the facets of the filter panel (geo.mapping.payload.FACETS)
    "facet.status": "Status",
    "facet.country": "Country",
    "facet.commodities": "Commodity",
    "facet.confidence": "Confidence",
    "facet.location_precision": "Location precision",
    "facet.agreements": "Agreement",
    "facet.uk_link": "UK link",
    "facet.uk_critical": "{value} (UK critical)",
    "facet.precision_point": "{value} (point and radius)",
    "facet.precision_area": "{value} (somewhere inside)",
    "facet.precision_none": "{value} (not on the map)",
    # popup rows built in Python (geo.mapping.payload)
    "field.part_of": "Part of",
    "field.country": "Country",
    "field.region": "Region",
    "field.region_missing": "not stated",
    "field.location": "Location",
    "field.location_basis": "{words}. Basis: {basis}",
    "field.confidence": "Confidence",
    "field.as_of": "As of",
    "field.checked": "Checked",
    "field.notes": "Notes",
    "field.uk_critical": "{value} (UK critical)",
    "field.unnamed": "feature {index}",
    "legend.recede": "hatched up to zoom {zoom}; from zoom {zoom}, or once it fills the view, its outline only "
    "(the hatching comes back on hover, on a click and while a filter is set)",
    "legend.glyph": "{glyph}: {commodity} (UK critical mineral)",
    "legend.critical": "thick black outline: includes a UK critical mineral",
    "legend.precision": "Location precision",
    "legend.empty": "No layer with a legend is switched on.",
    # the hover note and the popups
    "hover.features": {"one": "{n} feature here: click for the list", "other": "{n} features here: click for the list"},
    "hover.people": "{name}, {people} people",
    "popup.dialog": "Feature details",
    "popup.disputed": "Sources disagree: every reading is shown",
    "popup.history": "History",
    "popup.readings": "Readings",
    "popup.reading": "{claim} [{confidence}] - {source}",
    "popup.sources": "Sources",
    "popup.here": {"one": "{n} feature here", "other": "{n} features here"},
    "popup.back": "← {heading}",
    "popup.packed_nearest": "{count} points here; the nearest {n} (zoom in to tell them apart):",
    "packed.position": "Position",
    "packed.where": "{lat}, {lng} (stored on a {step} m grid: within {within} m)",
    "packed.point": "Point {n}",
    # labels of areas
    "label.site_more": "{name} +{n}",
    "label.somewhere_in": "somewhere in {country}",
    "label.this_country": "this country",
    "label.in_this_area": "in this area",
    "label.one_in": "{name}: {where}",
    "label.features": {"one": "{n} feature {where}", "other": "{n} features {where}"},
    # the panel
    "panel.show": "☰ Layers, filter, legend",
    "panel.hide": "✕ Hide panel",
    "panel.layers": "Layers",
    "panel.filter": "Filter and time",
    "panel.filter_active": "Filter and time ({n} on)",
    "panel.legend": "Legend",
    "panel.unknown": "Not on the map",
    "panel.group.curated": "Curated (sourced)",
    "panel.group.user": "Your layers",
    "panel.group.reference": "Reference",
    "panel.tiles": "Online tiles: this map needs a network for them.",
    "unknown.summary": "Not on the map: location unknown ({n})",
    "unknown.entry": "{name} ({layer})",
    # the time control
    "time.label": "When",
    "time.aria": "Time filter",
    "time.mode.any": "Any date (status as curated)",
    "time.mode.on": "Status on a month",
    "time.mode.between": "Dated in a period",
    "time.this_month": "this month",
    "time.to": " to ",
    "time.month_year": "{month} {year}",
    "time.hint.on": (
        "Each feature's status at the end of {month}, from its dated records; "
        "features with no record by then are hidden."
    ),
    "time.hint.between": (
        "Features with a dated record (status, event, opening, agreement) from {from} to {to}; "
        "the status filter reads those records."
    ),
    **{f"time.month.{i}": name for i, name in enumerate(_MONTHS, start=1)},
    # what the search calls a reference feature (geo.mapping.context), and reference labels
    "group.region": "Region",
    "group.region_of": "Region of {country}",
    "group.city": "City",
    "group.city_of": "City of {country}",
    "group.town": "Town",
    "group.town_in": "Town in {country}",
    "group.countries": "Country",
    "group.lakes": "Lake",
    "group.rivers": "River",
    "group.hover": "{name} ({group})",
    "lease.baikonur": "Baikonur (Kazakhstan, leased to Russia)",
    # search
    "search.short": "Search",
    "search.placeholder": "Search places and features",
    "search.aria": "Search places and features (Latin or Cyrillic)",
    "search.none": "No match",
    "search.more": "{n} more matches: type more letters",
    "search.count": {"one": "{n} match", "other": "{n} matches"},
}

#: Every word of the atlas by key (read-only).
WORDS: Mapping[str, str | Mapping[str, str]] = MappingProxyType(_TABLE)

_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def word(key: str, **params: Any) -> str:
    """Return the text of `key` with its ``{placeholders}`` filled from `params`.

    Raises
    ------
    UnknownNameError
        If `key` is not in :data:`WORDS`, names a plural word (the page chooses plural forms), or
        a placeholder has no value.
    """
    text = table(current_language()).get(key)
    if not isinstance(text, str):
        what = "is a plural word, chosen in the page" if text is not None else "is not a word of the atlas"
        msg = f"{key!r} {what}; add a text to geo/mapping/words.py."
        raise UnknownNameError(msg)

    def fill(match: re.Match[str]) -> str:
        if match[1] not in params:
            msg = f"The word {key!r} needs a value for {{{match[1]}}}."
            raise UnknownNameError(msg)
        return str(params[match[1]])

    return _PLACEHOLDER.sub(fill, text)


def page_words() -> dict[str, Any]:
    """Return the table the page receives (``payload["words"]``), in the language of the map being built."""
    return {k: v if isinstance(v, str) else dict(v) for k, v in table(current_language()).items()}


_LANG: ContextVar[str] = ContextVar("geo_atlas_language", default=LANGUAGE)


def current_language() -> str:
    """Return the language of the map being built (:func:`language`); English outside one."""
    return _LANG.get()


@contextmanager
def language(lang: str) -> Iterator[str]:
    """Build a map's words in `lang` inside this block (``geo.map(lang=...)`` does).

    Raises
    ------
    UnknownNameError
        No catalog for `lang` (:data:`geo.i18n.LANGUAGES`).
    """
    from geo.i18n import words

    words(lang)  # an unknown language is an error naming the languages there are
    token = _LANG.set(lang)
    try:
        yield lang
    finally:
        _LANG.reset(token)


def catalog_path(lang: str) -> Path:
    """Return the atlas's catalog of `lang` (the template for English)."""
    return CATALOG_TEMPLATE if lang == LANGUAGE else CATALOG_TEMPLATE.parent / lang / "LC_MESSAGES" / "messages.po"


#: CLDR plural categories by the index of a gettext plural form, per language (Russian: one, few, many).
_PLURALS = {"ru": ("one", "few", "many")}


@cache
def table(lang: str) -> Mapping[str, str | Mapping[str, str]]:
    """Return every word of the atlas in `lang`: :data:`WORDS`, or its translation from the language's ``.po``.

    Raises
    ------
    UnknownNameError
        The catalog lacks a word of :data:`WORDS` or leaves it untranslated (the message names it).
    """
    if lang == LANGUAGE:
        return WORDS
    from babel.messages.pofile import read_po

    path = catalog_path(lang)
    try:
        with path.open("rb") as fh:
            catalog = read_po(fh, locale=lang)
    except OSError:
        msg = f"No atlas catalog for {lang!r} ({path}); translate geo/locale/messages.pot into it."
        raise UnknownNameError(msg) from None
    forms = _PLURALS.get(lang, ("one", "other"))
    found: dict[str, str | Mapping[str, str]] = {}
    for message in catalog:
        if message.context is None or message.context not in WORDS:
            continue
        if isinstance(message.string, tuple | list):
            plural = {form: str(text or "") for form, text in zip(forms, message.string, strict=False)}
            plural["other"] = str(message.string[-1] or "")
            found[message.context] = plural
        else:
            found[message.context] = str(message.string or "")
    lacking = [k for k in WORDS if not _complete(found.get(k))]
    if lacking:
        msg = f"{path}: no {lang!r} text for {len(lacking)} word(s) of the atlas, e.g. {lacking[:3]}; translate them."
        raise UnknownNameError(msg)
    return MappingProxyType({k: found[k] for k in WORDS})


def _complete(text: str | Mapping[str, str] | None) -> bool:
    """Whether a translated word has its text (every plural form, for a plural word)."""
    if isinstance(text, Mapping):
        return all(text.values())
    return bool(text)


def data_word(text: str) -> str:
    """Return a word that reaches the page as data, in the map's language.

    Statuses, commodities, layer titles and field labels come from the registries in English; in another
    language they are looked up in the catalog of :mod:`geo.i18n` (a missing one is an error).
    """
    lang = current_language()
    if lang == LANGUAGE:
        return text
    from geo.i18n import words

    return words(lang)(text)


def _po(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def catalog_template() -> str:
    """Return :data:`WORDS` as a gettext catalogue template (POT): key as ``msgctxt``, English as ``msgid``."""
    out = [
        "# The atlas's words: geo/mapping/words.py. Regenerate with `python -m geo.mapping.words`.",
        'msgid ""',
        'msgstr ""',
        '"Project-Id-Version: centralasia-geo atlas\\n"',
        '"MIME-Version: 1.0\\n"',
        '"Content-Type: text/plain; charset=UTF-8\\n"',
        '"Content-Transfer-Encoding: 8bit\\n"',
    ]
    for key, text in WORDS.items():
        out += ["", "#, python-brace-format" if "{" in str(text) else "", f"msgctxt {_po(key)}"]
        if isinstance(text, str):
            out += [f"msgid {_po(text)}", 'msgstr ""']
        else:
            out += [f"msgid {_po(text['one'])}", f"msgid_plural {_po(text['other'])}", 'msgstr[0] ""', 'msgstr[1] ""']
    return "\n".join(line for i, line in enumerate(out) if line or out[i - 1] != "") + "\n"


if __name__ == "__main__":
    CATALOG_TEMPLATE.parent.mkdir(parents=True, exist_ok=True)
    CATALOG_TEMPLATE.write_text(catalog_template(), encoding="utf-8")
    sys.stdout.write(f"Wrote {CATALOG_TEMPLATE}\n")
