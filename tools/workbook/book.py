"""The book's site: its npm packages, its build, and the browser check.

What the site needs from npm (mermaid, served with the site so that diagrams render offline, and
puppeteer-core, which drives Debian's chromium in the browser check) is pinned in
tools/book/package-lock.json and installed into tools/book/node_modules by `npm ci`, only when
that folder is missing or was installed from another lock file. Nothing else is downloaded:
`--ignore-scripts` keeps any package's install script from fetching a browser or a binary.
"""
from __future__ import annotations

import functools
import hashlib
import http.server
import re
import shutil
import subprocess
import threading
import time

import deps
from chapters import ROOT, WorkbookError

NPM_DIR = ROOT / "tools" / "book"
# Written after a successful `npm ci`: the digest of the package.json and lock file it installed.
STAMP = NPM_DIR / "node_modules" / ".workbook-installed"
SITE = ROOT / "build" / "site"
NODE_MAJOR = 18  # Debian bookworm's nodejs
BROWSER_CHECK_TIMEOUT = 300  # a guard against a hang; the check takes about 10 s


def _lock_digest() -> str:
    digest = hashlib.sha256()
    for name in ("package.json", "package-lock.json"):
        digest.update((NPM_DIR / name).read_bytes())
    return digest.hexdigest()


def npm_install(quiet: bool = False) -> None:
    """`npm ci` in tools/book, unless node_modules already holds what the lock file names.
    quiet: print nothing unless it fails (the full check runs it beside other work)."""
    wanted = _lock_digest()
    if STAMP.is_file() and STAMP.read_text().strip() == wanted:
        return
    node = shutil.which("node")
    if node is None or shutil.which("npm") is None:
        raise WorkbookError("node and npm are needed for the book (Debian's nodejs and npm)")
    version = subprocess.run([node, "--version"], capture_output=True, text=True).stdout.strip()
    major = re.match(r"v(\d+)", version)
    if not major or int(major[1]) < NODE_MAJOR:
        raise WorkbookError(f"node {version} is too old for the book's tools: {NODE_MAJOR} or newer is needed")
    if not quiet:
        print("workbook: installing the book's npm packages (npm ci in tools/book)", flush=True)
    start = time.monotonic()
    result = subprocess.run(["npm", "ci", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"],
                            cwd=NPM_DIR, capture_output=quiet, text=True)
    if result.returncode != 0:
        raise WorkbookError("npm ci failed in tools/book" + (":\n" + (result.stdout + result.stderr)[-3000:]
                                                             if quiet else " (see above)"))
    STAMP.write_text(wanted + "\n")
    if not quiet:
        print(f"workbook: npm ci took {time.monotonic() - start:.0f} s", flush=True)


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
