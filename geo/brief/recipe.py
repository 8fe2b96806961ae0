"""Brief recipes (TOML): a title, the layers and selection a brief shows, its map's extent and its questions.

A recipe::

    title = { en = "UK campuses and the critical minerals near them", ru = "…" }   # or one string
    bounds = [[39, 50], [56, 88]]                  # optional [[south, west], [north, east]]
    layers = [
      { layer = "campuses", where = "kind = campus" },
      { layer = "mineral_deposits", critical = true },    # features with a UK-critical mineral only
      { layer = "carbon_sites", in_agreements = true },    # features an agreement concerns only
    ]
    [[questions]]
    kind = "near"                                   # one of geo.brief.questions.QUESTIONS
    left = "campuses"
    right = "mineral_deposits"
    distance = "300 km"

Shipped briefs live in the repository's ``briefs/`` (``geo/_briefs`` in the wheel) and open by name.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from geo.errors import RecipeError

__all__ = ["BRIEFS_DIR", "BriefRecipe", "LayerChoice", "Question", "briefs", "find_brief", "load_brief"]

_HERE = Path(__file__).resolve().parent.parent
#: The shipped briefs: inside the wheel as ``geo/_briefs``; in a checkout, the repository's ``briefs/``.
BRIEFS_DIR = _HERE / "_briefs" if (_HERE / "_briefs").is_dir() else _HERE.parent / "briefs"
_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
_KEYS = {"title", "bounds", "layers", "questions", "summary"}
_LAYER_KEYS = {"layer", "where", "critical", "in_agreements"}


@dataclass(frozen=True, kw_only=True)
class LayerChoice:
    """One shipped layer a brief shows, with an optional ``--where`` condition."""

    layer: str
    where: str | None = None
    critical: bool = False
    in_agreements: bool = False


@dataclass(frozen=True, kw_only=True)
class Question:
    """One question a brief answers: its kind (a key of ``QUESTIONS``) and that kind's options."""

    kind: str
    options: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True)
class BriefRecipe:
    """A brief: its name, title by language, layers, map extent and questions."""

    name: str
    title: dict[str, str]
    summary: dict[str, str]
    layers: tuple[LayerChoice, ...]
    questions: tuple[Question, ...]
    bounds: tuple[tuple[float, float], tuple[float, float]] | None = None

    def text(self, value: dict[str, str], lang: str) -> str:
        """Return `value` (a title or summary) in `lang`, or its English where the recipe gives no other."""
        return value.get(lang) or value.get("en") or next(iter(value.values()), "")


def briefs() -> list[str]:
    """Return the names of the shipped briefs."""
    return sorted(p.stem for p in BRIEFS_DIR.glob("*.toml"))


def find_brief(name: str | Path) -> Path:
    """Return the recipe file `name` names: a file, or a shipped brief's name (``"education"``).

    Raises
    ------
    RecipeError
        Neither a file nor a shipped brief; the message lists the shipped ones.
    """
    candidate = Path(name)
    if candidate.suffix == ".toml" and candidate.is_file():
        return candidate
    stem = str(name).removesuffix(".toml")
    if _NAME.match(stem) and (BRIEFS_DIR / f"{stem}.toml").is_file():
        return BRIEFS_DIR / f"{stem}.toml"
    msg = f"{name}: no such brief recipe file, and no shipped brief of that name; shipped: {', '.join(briefs())}."
    raise RecipeError(msg)


def _texts(value: object, *, where: str) -> dict[str, str]:
    if isinstance(value, str):
        return {"en": value}
    if isinstance(value, dict) and value and all(isinstance(v, str) for v in value.values()):
        return {str(k): str(v) for k, v in value.items()}
    msg = f'{where}: give a text, or a table of texts by language ({{ en = "…", ru = "…" }}).'
    raise RecipeError(msg)


def _bounds(value: object, *, where: str) -> tuple[tuple[float, float], tuple[float, float]] | None:
    if value is None:
        return None
    try:
        corners: list[list[float]] = [[float(v) for v in corner] for corner in value]  # type: ignore[attr-defined]
        (south, west), (north, east) = corners
    except (TypeError, ValueError):
        msg = f"{where}: bounds must be [[south, west], [north, east]] in degrees."
        raise RecipeError(msg) from None
    return (south, west), (north, east)


def load_brief(name: str | Path) -> BriefRecipe:
    """Read a brief recipe (a file or a shipped brief's name) and check its keys.

    Raises
    ------
    RecipeError
        An unreadable file, an unknown key, a layer or question kind that does not exist; the message
        names the file and the key.
    """
    from geo import registry
    from geo.brief.questions import QUESTIONS

    path = find_brief(name)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        msg = f"{path}: not a readable TOML brief recipe ({exc})."
        raise RecipeError(msg) from None
    if unknown := set(raw) - _KEYS:
        msg = f"{path}: unknown key(s) {sorted(unknown)}; a brief recipe has {sorted(_KEYS)}."
        raise RecipeError(msg)
    layers = []
    for i, entry in enumerate(raw.get("layers") or []):
        where = f"{path}: layers[{i}]"
        if not isinstance(entry, dict) or "layer" not in entry or set(entry) - _LAYER_KEYS:
            msg = f"{where}: give {{ layer = NAME }}, optionally where = …, critical = true, in_agreements = true."
            raise RecipeError(msg)
        registry.get(str(entry["layer"]))  # an unknown layer is an error naming the layers
        layers.append(
            LayerChoice(
                layer=str(entry["layer"]),
                where=entry.get("where"),
                critical=bool(entry.get("critical")),
                in_agreements=bool(entry.get("in_agreements")),
            )
        )
    if not layers:
        msg = f"{path}: a brief shows at least one layer (layers = [{{ layer = NAME }}])."
        raise RecipeError(msg)
    questions = []
    for i, entry in enumerate(raw.get("questions") or []):
        kind = entry.get("kind") if isinstance(entry, dict) else None
        if kind not in QUESTIONS:
            msg = f"{path}: questions[{i}]: unknown kind {kind!r}; kinds: {', '.join(QUESTIONS)}."
            raise RecipeError(msg)
        questions.append(Question(kind=str(kind), options={k: v for k, v in entry.items() if k != "kind"}))
    return BriefRecipe(
        name=path.stem,
        title=_texts(raw.get("title", path.stem), where=f"{path}: title"),
        summary=_texts(raw.get("summary", ""), where=f"{path}: summary") if raw.get("summary") else {},
        layers=tuple(layers),
        questions=tuple(questions),
        bounds=_bounds(raw.get("bounds"), where=f"{path}: bounds"),
    )
