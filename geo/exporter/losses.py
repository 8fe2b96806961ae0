"""What a format could not keep, collected per kind of loss (one line per kind, naming the layers)."""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["Losses"]


@dataclass
class Losses:
    """Losses of one export: ``kind -> {layer: detail}``, in the order first seen."""

    kinds: dict[str, dict[str, str]] = field(default_factory=dict)

    def add(self, kind: str, layer: str, detail: str = "") -> None:
        """Record that `layer` lost something of `kind` (detail: e.g. the fields concerned)."""
        self.kinds.setdefault(kind, {})[layer] = detail

    def lines(self) -> list[str]:
        """One line per kind of loss: ``<kind> (<layer> [<detail>], ...)``."""
        out = []
        for kind, layers in self.kinds.items():
            named = ", ".join(f"{layer} [{detail}]" if detail else layer for layer, detail in layers.items())
            out.append(f"{kind} ({named})")
        return out

    def __bool__(self) -> bool:
        return bool(self.kinds)
