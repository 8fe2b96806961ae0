"""PNG snapshots of a rendered map through headless Chromium (Debian's ``/usr/bin/chromium``), offline."""

from __future__ import annotations

import logging
import re
import shutil
from pathlib import Path

from geo.errors import GeoToolkitError

__all__ = ["CHROMIUM_ARGS", "chromium_path", "snapshot"]

logger = logging.getLogger(__name__)

#: Flags that keep Chromium from reaching for the network on its own (toolchain.md §3).
CHROMIUM_ARGS = [
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str:
    """Return Debian's Chromium, or raise with the command that installs it."""
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        msg = "Chromium is not installed; `apt-get install chromium` (or `make test`, which installs it)."
        raise GeoToolkitError(msg)
    return path


def snapshot(html: str | Path, png: str | Path, *, width: int = 1400, height: int = 900) -> Path:
    """Open `html` in headless Chromium with the network blocked and save a PNG of the idle map."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        msg = "PNG snapshots need Playwright, a dependency of centralasia-geo: reinstall the toolkit (make map)."
        raise GeoToolkitError(msg) from None
    html, png = Path(html).resolve(), Path(png)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), headless=True, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": width, "height": height})
            context.route(re.compile(r"^(https?|wss?)://"), lambda route: route.abort())
            page = context.new_page()
            page.goto(html.as_uri())
            page.wait_for_function("window.atlas !== undefined", timeout=30_000)
            page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
            png.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(png))
        finally:
            browser.close()
    logger.info("Wrote %s", png)
    return png
