"""``geo brief``: write a printable brief (A4 PDF, or one offline HTML file) in English or Russian."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from geo.cli.options import Lang, Overwrite, out, user_errors, user_output

__all__ = ["brief"]


@user_errors
def brief(
    name: Annotated[
        str, typer.Argument(help="A shipped brief (education, minerals, afforestation, agreements) or a recipe .toml.")
    ],
    output: Annotated[Path, typer.Option("--output", "-o", help="The brief to write: .pdf (A4) or .html.")],
    lang: Lang = "en",
    overwrite: Overwrite = False,
) -> None:
    """Write a brief: a map, key figures, tables and numbered notes citing every source, ready to hand over."""
    from geo.brief import load_brief, write_brief

    output = user_output(output, overwrite=overwrite, suffixes=(".pdf", ".html"))
    recipe = load_brief(name)
    path = write_brief(recipe, output, lang=lang, overwrite=overwrite)
    out().print(f"Wrote {path}", soft_wrap=True)
