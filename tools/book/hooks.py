"""mkdocs hooks (mkdocs.yml's `hooks:`): the site serves mermaid itself, so diagrams render
offline.

Material for MkDocs turns a ```mermaid block into a diagram with mermaid.js, and loads that from a
CDN unless a script of the page has already defined `mermaid`. mkdocs.yml lists MERMAID_URL in
extra_javascript, and this hook copies the file there from tools/book/node_modules, which npm
installs from package-lock.json (the workbook runs `npm ci` when node_modules is missing or
stale). The file is not committed.
"""
from __future__ import annotations

import shutil
from pathlib import Path

from mkdocs.exceptions import PluginError

MERMAID = Path(__file__).resolve().parent / "node_modules" / "mermaid" / "dist" / "mermaid.min.js"
MERMAID_URL = "assets/javascripts/mermaid.min.js"  # under site_dir; listed in extra_javascript
# Listed after it: fits a wide diagram to the column without blank bands (see the file).
FIT = Path(__file__).resolve().parent / "mermaid_fit.js"
FIT_URL = "assets/javascripts/mermaid_fit.js"


def on_config(config, **kwargs):
    if [str(path) for path in config["extra_javascript"]][:2] != [MERMAID_URL, FIT_URL]:
        raise PluginError(f"mkdocs.yml: extra_javascript must start with {MERMAID_URL} and {FIT_URL} "
                          "(tools/book/hooks.py copies them there)")
    if not MERMAID.is_file():
        raise PluginError(f"{MERMAID} is missing: build the book with ./workbook book, which installs it "
                          "(or run `npm ci` in tools/book)")
    return config


def on_post_build(config, **kwargs):
    target = Path(config["site_dir"]) / MERMAID_URL
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(MERMAID, target)
    shutil.copyfile(FIT, Path(config["site_dir"]) / FIT_URL)
    # Its licence notices, which the minified file points to.
    shutil.copyfile(MERMAID.with_name(MERMAID.name + ".LICENSE.txt"), target.with_name(target.name + ".LICENSE.txt"))
