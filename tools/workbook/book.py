"""The book's site: its npm packages, its build, and the browser check.

What the site needs from npm (mermaid, served with the site so that diagrams render offline, and
puppeteer-core, which drives Debian's chromium in the browser check) is pinned in
tools/book/package-lock.json and installed into tools/book/node_modules by `npm ci`, only when
that folder is missing or was installed from another lock file. Nothing else is downloaded:
`--ignore-scripts` keeps any package's install script from fetching a browser or a binary.
"""
from __future__ import annotations

import functools
import http.server
import subprocess
import threading

import deps
from chapters import ROOT, WorkbookError

NPM_DIR = ROOT / "tools" / "book"
SITE = ROOT / "build" / "site"
BROWSER_CHECK_TIMEOUT = 300  # a guard against a hang; the check takes about 10 s


def npm_install(quiet: bool = False) -> None:
    """The book's npm packages (deps.npm_ci in tools/book)."""
    deps.npm_ci(NPM_DIR, "the book's", quiet)


def build() -> int:
    """mkdocs build --strict into build/site; 0 when it built."""
    npm_install()
    result = subprocess.run([deps.DEBIAN_PYTHON, "-m", "mkdocs", "build", "--strict", "-q", "-d", "build/site"],
                            cwd=ROOT, capture_output=True, text=True)
    print(result.stdout + result.stderr, end="")
    if result.returncode == 0:
        print("workbook: the book is in build/site (open build/site/index.html)")
    return result.returncode


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


def browser_check() -> tuple[bool, str, list[str]]:
    """Serves build/site on 127.0.0.1 and runs tools/book/check_site.mjs against it: every page
    in headless chromium (console errors, diagrams, links and anchors, search). Returns whether
    it passed, its summary line and its problems, one line each ("page: problem")."""
    npm_install()
    handler = functools.partial(_QuietHandler, directory=str(SITE))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        result = subprocess.run(["node", "check_site.mjs", f"http://127.0.0.1:{server.server_address[1]}/",
                                 str(SITE)], cwd=NPM_DIR, capture_output=True, text=True,
                                timeout=BROWSER_CHECK_TIMEOUT)
    except subprocess.TimeoutExpired:
        return False, f"no answer from the browser check in {BROWSER_CHECK_TIMEOUT} s", []
    finally:
        server.shutdown()
        server.server_close()
    lines = result.stdout.splitlines()
    summary = lines[-1] if lines and lines[-1].startswith("checked ") else ""
    problems = [line for line in lines if line != summary]
    if result.returncode != 0 and not problems:
        problems = result.stderr.splitlines()[-20:] or [f"check_site.mjs exited with {result.returncode}"]
    return result.returncode == 0, summary, problems
