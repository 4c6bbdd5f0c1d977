"""Vendor the browser assets of the map pages into layers/static/vendor/ (run by hand).

Command centres run on intranets: pages must load nothing from outside the server, but
folium's templates point at public CDNs. This script fetches the same libraries from the npm
registry (`npm pack`, the only package source besides PyPI and Debian here), copies their
distribution files and licences, and writes nothing else. The result is committed; pages.py
points folium at these copies. Versions follow folium 0.20's pins where npm has them
(Leaflet.awesome-markers 2.0.2 is not on npm: 2.0.5, the same API, is used; Bootstrap 3's
glyphicons, which folium takes from a CDN copy of Bootstrap 3.0, come from bootstrap 3.4.1).

    python -m layers.vendor_assets [--from DIR_WITH_TARBALLS] [--only FOLDER ...]

The people's pages (gis_app/pages) use Apache ECharts for charts and htmx for small server
round trips; they are vendored here too, so there is one recipe for every browser asset.
"""
from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path

VENDOR = Path(__file__).resolve().parent / "static" / "vendor"

# npm spec -> (target folder, [(path in package, path in target)])
PACKAGES = {
    "leaflet@1.9.3": ("leaflet", [("dist/leaflet.js", "leaflet.js"), ("dist/leaflet.css", "leaflet.css"),
                                  ("dist/images/", "images/"), ("LICENSE", "LICENSE")]),
    "jquery@3.7.1": ("jquery", [("dist/jquery.min.js", "jquery.min.js"), ("LICENSE.txt", "LICENSE.txt")]),
    "bootstrap@5.2.2": ("bootstrap", [("dist/js/bootstrap.bundle.min.js", "bootstrap.bundle.min.js"),
                                      ("dist/css/bootstrap.min.css", "bootstrap.min.css"),
                                      ("LICENSE", "LICENSE")]),
    "leaflet.awesome-markers@2.0.5": ("awesome-markers", [
        ("dist/leaflet.awesome-markers.js", "leaflet.awesome-markers.js"),
        ("dist/leaflet.awesome-markers.css", "leaflet.awesome-markers.css"),
        ("dist/images/", "images/"), ("LICENSE", "LICENSE")]),
    "@fortawesome/fontawesome-free@6.2.0": ("fontawesome", [("css/all.min.css", "css/all.min.css"),
                                                            ("webfonts/", "webfonts/"),
                                                            ("LICENSE.txt", "LICENSE.txt")]),
    "bootstrap@3.4.1": ("glyphicons", [("dist/fonts/", "fonts/"), ("LICENSE", "LICENSE")]),
    "leaflet.vectorgrid@1.3.0": ("vectorgrid", [
        ("dist/Leaflet.VectorGrid.bundled.min.js", "Leaflet.VectorGrid.bundled.min.js")]),
    # The people's pages (gis_app/pages): charts and small server round trips.
    "echarts@6.1.0": ("echarts", [("dist/echarts.min.js", "echarts.min.js"), ("LICENSE", "LICENSE"),
                                  ("NOTICE", "NOTICE")]),
    "htmx.org@2.0.11": ("htmx", [("dist/htmx.min.js", "htmx.min.js"), ("LICENSE", "LICENSE")]),
    # Drawing footprints, routes and areas on the map (footprint check, planner pages).
    "@geoman-io/leaflet-geoman-free@2.17.0": ("geoman", [
        ("dist/leaflet-geoman.min.js", "leaflet-geoman.min.js"), ("dist/leaflet-geoman.css", "leaflet-geoman.css"),
        ("LICENSE", "LICENSE")]),
}


def _tarball(spec: str, source: Path | None, work: Path) -> Path:
    name = spec.rsplit("@", 1)[0].lstrip("@").replace("/", "-") + "-" + spec.rsplit("@", 1)[1] + ".tgz"
    if source is not None and (source / name).exists():
        return source / name
    subprocess.run(["npm", "pack", spec, "--silent"], cwd=work, check=True, stdout=subprocess.DEVNULL)
    return work / name


def _glyphicons_css(bootstrap3_css: str) -> str:
    """Bootstrap 3's glyphicon font face and icon rules only (folium's glyphicons_css)."""
    rules = re.findall(r"@font-face\s*\{[^}]*Glyphicons Halflings[^}]*\}|\.glyphicon[^{]*\{[^}]*\}",
                       bootstrap3_css)
    return "/* Glyphicons rules extracted from Bootstrap 3.4.1 (MIT, see LICENSE) */\n" + "\n".join(rules) + "\n"


def vendor(source: Path | None = None, only: list[str] | None = None) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        for spec, (folder, files) in PACKAGES.items():
            if only and folder not in only:
                continue
            unpacked = work / folder
            with tarfile.open(_tarball(spec, source, work)) as tar:
                tar.extractall(unpacked, filter="data")
            package = unpacked / "package"
            target = VENDOR / folder
            shutil.rmtree(target, ignore_errors=True)
            target.mkdir(parents=True)
            for src, dst in files:
                if src.endswith("/"):
                    shutil.copytree(package / src, target / dst)
                else:
                    (target / dst).parent.mkdir(parents=True, exist_ok=True)
                    shutil.copy2(package / src, target / dst)
            if folder == "glyphicons":
                css = (package / "dist/css/bootstrap.css").read_text(encoding="utf-8")
                (target / "css").mkdir()
                (target / "css" / "glyphicons.css").write_text(_glyphicons_css(css), encoding="utf-8")
            if folder == "vectorgrid":
                readme = (package / "README.md").read_text(encoding="utf-8")
                (target / "LICENSE").write_text(readme[readme.index("## Legalese"):], encoding="utf-8")
            (target / "VERSION").write_text(spec + "\n", encoding="utf-8")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--from", dest="source", type=Path, help="folder holding npm pack tarballs")
    parser.add_argument("--only", nargs="*", help="vendor only these target folders (e.g. echarts htmx)")
    args = parser.parse_args()
    vendor(args.source, args.only)
