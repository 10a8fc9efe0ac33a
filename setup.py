"""Wheels carry the front end: the templates, the static files and hyparquet's browser build
(installed from web/'s npm lock when the wheel is made), so that an installed staticrec builds
sites from any folder without npm. Everything else is in pyproject.toml."""

import importlib.util
import shutil
import subprocess
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent
WEB = HERE / "web"


def _copy_hyparquet(package: Path, target: Path) -> None:
    # the package's own copier (standard library only), loaded without importing staticrec
    path = HERE / "src" / "staticrec" / "site" / "vendor.py"
    spec = importlib.util.spec_from_file_location("staticrec_site_vendor", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.copy_hyparquet(package, target)


class BuildWithFrontEnd(build_py):
    def run(self):
        super().run()
        if self.editable_mode:
            return  # an editable install reads web/ where it is
        package = WEB / "node_modules" / "hyparquet"
        if not (package / "package.json").is_file():
            npm_ci = ["npm", "ci", "--prefix", str(WEB), "--no-audit", "--no-fund"]
            subprocess.run(npm_ci, check=True)
        target = Path(self.build_lib) / "staticrec" / "site" / "web"
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(WEB / "templates", target / "templates")
        shutil.copytree(WEB / "static", target / "static")
        _copy_hyparquet(package, target / "vendor" / "hyparquet")


setup(cmdclass={"build_py": BuildWithFrontEnd})
