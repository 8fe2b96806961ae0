"""Numbered notes: every source behind a figure or a feature a brief shows, numbered in order of first use."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Note", "Notes"]


@dataclass(frozen=True, kw_only=True)
class Note:
    """One cited source: its number, title, publisher, date and URL (or why there is none)."""

    number: int
    title: str
    publisher: str
    date: str
    url: str
    type: str = ""


@dataclass
class Notes:
    """The brief's notes: `cite` a source once, refer to it by number everywhere."""

    by_key: dict[str, Note] = field(default_factory=dict)

    def cite(self, source: Mapping[str, Any] | str) -> int:
        """Return the number of `source` (a record with title/publisher/date/url, or a bare URL), adding it if new."""
        record: Mapping[str, Any] = {"url": source} if isinstance(source, str) else source
        url = str(record.get("url") or "").strip()
        title = str(record.get("title") or "").strip()
        key = url or title or str(record.get("offline") or "")
        if not key:
            msg = f"A source with neither a URL nor a title cannot be cited: {dict(record)!r}."
            raise ValueError(msg)
        if key not in self.by_key:
            self.by_key[key] = Note(
                number=len(self.by_key) + 1,
                title=title or url,
                publisher=str(record.get("publisher") or "").strip(),
                date=str(record.get("date") or "").strip(),
                url=url or f"no URL: {record.get('offline') or 'not online'}",
                type=str(record.get("type") or "").strip(),
            )
        return self.by_key[key].number

    def cite_all(self, sources: Iterable[Mapping[str, Any] | str] | None) -> list[int]:
        """Cite each of `sources` and return their numbers, sorted and without repeats."""
        return sorted({self.cite(s) for s in (sources or []) if s})

    def __iter__(self) -> Any:
        return iter(sorted(self.by_key.values(), key=lambda n: n.number))

    def __len__(self) -> int:
        return len(self.by_key)

    @property
    def urls(self) -> list[str]:
        """Every cited URL, in note order."""
        return [n.url for n in self if n.url.startswith(("http://", "https://"))]


def refs(numbers: Iterable[int]) -> str:
    """Return note numbers as a reference mark: ``[1, 4, 7]``."""
    listed = sorted(set(numbers))
    return f"[{', '.join(str(n) for n in listed)}]" if listed else ""
