"""Briefs an analyst can hand over: a printable A4 document with a map, key figures, tables and numbered notes.

``geo.brief.write_brief("education", "brief.pdf", lang="ru")``; the shipped briefs are in ``briefs/``
(``geo.brief.briefs()``), and a brief recipe of your own is a TOML file (see :mod:`geo.brief.recipe`).
"""

from geo.brief.recipe import BriefRecipe, briefs, load_brief
from geo.brief.render import Brief, build_brief, write_brief

__all__ = ["Brief", "BriefRecipe", "briefs", "build_brief", "load_brief", "write_brief"]
