"""The browser libraries helpcall serves from ``/static/vendor``, and where each comes from.

They come from the npm registry (``package.json`` / ``package-lock.json``), never from a CDN
and never from git: ``scripts/bootstrap`` copies them for a source checkout, and the wheel
build (``setup.py``) copies them into the package. A server without them refuses to start.
No third-party imports here: ``setup.py`` loads this file while building the wheel.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

VENDOR = Path(__file__).parent / "static" / "vendor"

# file under /static/vendor -> file under node_modules
VENDORED = {
    "socket.io.esm.min.js": "socket.io-client/dist/socket.io.esm.min.js",
    "swagger-ui-bundle.js": "swagger-ui-dist/swagger-ui-bundle.js",
    "swagger-ui.css": "swagger-ui-dist/swagger-ui.css",
}

HOW_TO_BUILD = (
    "run scripts/bootstrap in a source checkout (it runs `npm ci` and copies them), "
    "or install the wheel (`pip install .` fetches them from the npm lock while building)"
)


def missing(vendor: Path = VENDOR) -> list[str]:
    return [name for name in VENDORED if not (vendor / name).is_file()]


def copy_from(node_modules: Path, vendor: Path = VENDOR) -> None:
    vendor.mkdir(parents=True, exist_ok=True)
    for name, source in VENDORED.items():
        shutil.copyfile(node_modules / source, vendor / name)


if __name__ == "__main__":
    # scripts/bootstrap: python web/assets.py node_modules
    copy_from(Path(sys.argv[1]))
