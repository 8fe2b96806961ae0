"""Make a rendered folium page work with no network: inline every asset, fail on any left.

Each ``<script src>`` and stylesheet ``<link>`` folium writes is replaced by the vendored file
(``_vendor/assets.json`` maps CDN URL -> file): scripts inline (with ``</script`` escaped), CSS
inline with every ``url(...)`` turned into a data URI. Leaflet's default icon path is set to
data URIs too, since its CSS-path detection fails on inlined CSS. Anything that would still
load from ``http(s)`` raises `OfflineError`, naming the URL.
"""

from __future__ import annotations

import base64
import json
import mimetypes
import re
from functools import cache
from pathlib import Path

from geo.errors import OfflineError
from geo.mapping.vendor import VENDOR_DIR

__all__ = ["OfflineError", "inline_assets", "loaded_urls"]

_SCRIPT = re.compile(r'<script\s+src="(?P<url>[^"]+)"\s*>\s*</script>')
_LINK = re.compile(r'<link\s+rel="stylesheet"\s+href="(?P<url>[^"]+)"\s*/?>')
_CSS_URL = re.compile(r"url\((?P<q>['\"]?)(?P<path>[^)'\"]+)(?P=q)\)")
#: Attributes and CSS through which a page would fetch something from the network.
_REMOTE = re.compile(
    r"""(?:<(?:script|img|iframe|source|embed|video|audio)\b[^>]*\bsrc\s*=\s*["']?\s*(?:https?:)?//[^"'\s>]+)"""
    r"""|(?:<link\b[^>]*\bhref\s*=\s*["']?\s*(?:https?:)?//[^"'\s>]+)"""
    r"""|(?:url\(\s*["']?\s*(?:https?:)?//[^)"']+)"""
    r"""|(?:@import\s+["']?(?:https?:)?//)""",
    re.IGNORECASE,
)


@cache
def _urls() -> dict[str, str]:
    return json.loads((VENDOR_DIR / "assets.json").read_text())["urls"]


def _data_uri(path: Path) -> str:
    mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    if path.suffix == ".svg":
        mime = "image/svg+xml"
    return f"data:{mime};base64,{base64.b64encode(path.read_bytes()).decode()}"


def _css(path: Path) -> str:
    text = path.read_text(encoding="utf-8")

    def repl(match: re.Match[str]) -> str:
        ref = match["path"].strip()
        if ref.startswith(("data:", "#")):
            return match[0]
        target = (path.parent / ref.split("?")[0].split("#")[0]).resolve()
        if not target.is_file():
            msg = f"{path.name} refers to {ref!r}, which is not vendored; add it to geo/mapping/vendor.py."
            raise OfflineError(msg)
        return f'url("{_data_uri(target)}")'

    return _CSS_URL.sub(repl, text)


def _icon_fix() -> str:
    images = VENDOR_DIR / "leaflet@1.9.3" / "dist" / "images"
    icons = {
        "iconUrl": _data_uri(images / "marker-icon.png"),
        "iconRetinaUrl": _data_uri(images / "marker-icon-2x.png"),
        "shadowUrl": _data_uri(images / "marker-shadow.png"),
    }
    return f'L.Icon.Default.imagePath="";L.Icon.Default.mergeOptions({json.dumps(icons)});'


def _safe_script(text: str) -> str:
    return re.sub(r"</(script)", r"<\\/\1", text, flags=re.IGNORECASE)


def _vendored(url: str) -> Path:
    rel = _urls().get(url)
    if rel is None:
        msg = (
            f"The map loads {url}, which is not vendored. Add its npm package to geo/mapping/vendor.py "
            "and run `python -m geo.mapping.vendor`, or drop the element that needs it."
        )
        raise OfflineError(msg)
    return VENDOR_DIR / rel


def inline_assets(html: str) -> str:
    """Return `html` with every vendored script and stylesheet inlined; raise if anything remote is left.

    Raises
    ------
    OfflineError
        If the page refers to an asset that is not vendored, or still loads anything over the network.
    """

    def script(match: re.Match[str]) -> str:
        path = _vendored(match["url"])
        body = path.read_text(encoding="utf-8")
        if path.name == "leaflet.js":
            body += "\n" + _icon_fix()
        return f"<script>{_safe_script(body)}</script>"

    def link(match: re.Match[str]) -> str:
        return f"<style>{_safe_script(_css(_vendored(match['url'])))}</style>"

    out = _LINK.sub(link, _SCRIPT.sub(script, html))
    if remote := loaded_urls(out):
        msg = f"The map would still load {len(remote)} resource(s) from the network: {remote[:5]}."
        raise OfflineError(msg)
    return out


def loaded_urls(html: str) -> list[str]:
    """Return what `html` would load over the network (scripts, stylesheets, images, CSS urls)."""
    return [m[0][:200] for m in _REMOTE.finditer(html)]
