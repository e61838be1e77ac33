"""Builds the wheel with the browser libraries inside it.

They are not in git: ``build_py`` installs them from the npm lock (``npm ci``, skipped when
``node_modules`` already matches the lock, as in ``scripts/bootstrap``) and copies them into
the package, so ``pip install .`` gives a server whose pages connect. Everything else is in
``pyproject.toml``.
"""

from __future__ import annotations

import hashlib
import importlib.util
import shutil
import subprocess
from pathlib import Path
from types import ModuleType

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).parent.resolve()


def _assets() -> ModuleType:
    # Loaded by path: importing the package would need its dependencies at build time.
    spec = importlib.util.spec_from_file_location("helpcall_assets", ROOT / "web" / "assets.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _node_modules() -> Path:
    lock = ROOT / "package-lock.json"
    node_modules = ROOT / "node_modules"
    stamp = node_modules / f".helpcall-{hashlib.sha256(lock.read_bytes()).hexdigest()[:16]}"
    if not stamp.is_file():
        npm = shutil.which("npm")
        if npm is None:
            raise SystemExit("building helpcall needs npm (Debian: apt-get install npm) "
                             "to fetch the browser libraries of package-lock.json")
        subprocess.run([npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"],
                       cwd=ROOT, check=True)
        stamp.touch()
    return node_modules


class BuildWithBrowserAssets(build_py):
    def run(self) -> None:
        if self.editable_mode:
            # pip install -e (scripts/bootstrap): the checkout's own copy step serves it.
            super().run()
            return
        assets = _assets()
        node_modules = _node_modules()
        # Into the source tree first (package data is listed from it), then into the build.
        assets.copy_from(node_modules, ROOT / "web" / "static" / "vendor")
        # A module deleted from the source must not live on in a wheel from an old build
        # (only our own build directory is ever emptied).
        build_lib = Path(self.build_lib).resolve()
        if build_lib.is_relative_to(ROOT / "build"):
            shutil.rmtree(build_lib, ignore_errors=True)
        super().run()
        assets.copy_from(node_modules, Path(self.build_lib) / "web" / "static" / "vendor")


setup(cmdclass={"build_py": BuildWithBrowserAssets})
