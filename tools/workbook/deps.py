"""Installs the Debian packages the workbook needs, or says exactly how to; and the npm packages
of the book and of the tests that use some (npm_ci).

Everything comes from Debian bookworm's own repositories (see README.md). As root we run
apt-get ourselves; otherwise through sudo if there is one; otherwise we print the one command to
run and stop.
"""
from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import time
from pathlib import Path

from chapters import ROOT, Chapter, WorkbookError

# What building the servers needs.
BUILD = ["cmake", "ninja-build", "g++", "ccache", "libboost1.81-dev", "libboost-json1.81-dev", "libspdlog-dev",
         "libfmt-dev", "libcli11-dev"]
# What building the book site needs. Debian's mkdocs is importable only from Debian's python,
# which may not be the python3 first on PATH: the workbook runs it with DEBIAN_PYTHON. node and
# npm install mermaid, which the site serves (book.py: npm ci in tools/book).
BOOK = ["mkdocs", "mkdocs-material", "python3-pymdownx", "nodejs", "npm"]
DEBIAN_PYTHON = "/usr/bin/python3"
# What the browser check of the site needs on top (puppeteer-core, from npm, drives it).
BROWSER = ["chromium"]
# Packages that a command already on PATH stands for: a machine may have node and npm from
# elsewhere (NodeSource's nodejs includes npm and conflicts with Debian's npm package).
_COMMAND_OF = {"nodejs": "node", "npm": "npm"}
# What every test, bite check and sanitizer run needs on top: Catch2, a real Redis to compare
# with and its clients (redis-cli, redis-benchmark, the Python library), clang with libFuzzer
# for the fuzz targets, and lld (the check and sanitizer presets link with it: four times
# faster than ld.bfd).
TEST = BUILD + ["catch2", "redis-server", "redis-tools", "python3-redis", "clang", "clang-format",
                "libclang-rt-14-dev", "lld", "nodejs", "npm"]
# The full check: the tests, the book and its browser check.
FULL_CHECK = TEST + BOOK + BROWSER
# What `./workbook run` needs: the build, and redis-cli, which README has the user talk to the
# server with.
RUN = BUILD + ["redis-tools"]
# What `./workbook bench` needs: the build, redis-server to compare with, and redis-benchmark.
BENCH = BUILD + ["redis-server", "redis-tools"]
# What one chapter's tests use beyond the build and Catch2, found by these words in its test
# sources: a learner testing chapter 01 should not wait for clang and the book's tools.
_USED_BY_TESTS = {
    "RealRedis": "redis-server",  # replies compared with a real Redis (real_redis.hpp)
    "otlp-check": "nodejs",  # exported spans checked by OpenTelemetry's own definitions (npm)
    "redis-cli": "redis-tools",
    "redis-benchmark": "redis-tools",
    "python3-redis": "python3-redis",
}
# npm packages a chapter's tests use, by the word in its test sources that names them: the
# folder under tools/ whose package-lock.json pins them (npm_ci installs them).
NPM_USED_BY_TESTS = {"otlp-check": ROOT / "tools" / "otlp-check"}
NODE_MAJOR = 18  # Debian bookworm's nodejs
# Boost 1.81's headers cannot be installed beside the default 1.74 ones.
CONFLICTS = ["libboost1.74-dev", "libboost-dev"]


def _test_sources(chapter: Chapter) -> str:
    return "\n".join(p.read_text(errors="replace") for p in chapter.tests_dir.rglob("*") if p.is_file())


def for_chapter(chapter: Chapter) -> list[str]:
    """The packages `./workbook test NN` needs: the build, Catch2, and what its tests use."""
    sources = _test_sources(chapter)
    used = sorted({package for word, package in _USED_BY_TESTS.items() if word in sources})
    if "nodejs" in used:
        used.append("npm")
    return BUILD + ["catch2"] + used


def ensure_for_chapter(chapter: Chapter) -> None:
    """Everything `./workbook test NN` needs: for_chapter's packages, then the npm packages its
    tests use."""
    ensure(for_chapter(chapter))
    npm_for_tests(_test_sources(chapter))


def ensure_for_tests(quiet: bool = False) -> None:
    """Everything every chapter's tests need (TEST's packages and every npm folder)."""
    ensure(TEST)
    npm_for_tests(quiet=quiet)


def npm_for_tests(used_in: str | None = None, quiet: bool = False) -> None:
    """npm_ci in each folder of NPM_USED_BY_TESTS whose word `used_in` (test sources) holds;
    every folder when `used_in` is None."""
    for word, folder in NPM_USED_BY_TESTS.items():
        if used_in is None or word in used_in:
            npm_ci(folder, f"the {word} tool's", quiet)


def _lock_digest(folder: Path) -> str:
    digest = hashlib.sha256()
    for name in ("package.json", "package-lock.json"):
        digest.update((folder / name).read_bytes())
    return digest.hexdigest()


def npm_ci(folder: Path, what: str, quiet: bool = False) -> None:
    """`npm ci` in `folder`, unless its node_modules already holds what the lock file names (a
    stamp written after a successful install records the lock file's digest). Nothing else is
    downloaded: `--ignore-scripts` keeps any package's install script from fetching a binary.
    `what` names the packages in messages ("the book's"). quiet: print nothing unless it fails
    (the full check runs it beside other work)."""
    stamp = folder / "node_modules" / ".workbook-installed"
    wanted = _lock_digest(folder)
    if stamp.is_file() and stamp.read_text().strip() == wanted:
        return
    node = shutil.which("node")
    if node is None or shutil.which("npm") is None:
        raise WorkbookError(f"node and npm are needed for {what} npm packages (Debian's nodejs and npm)")
    version = subprocess.run([node, "--version"], capture_output=True, text=True).stdout.strip()
    major = re.match(r"v(\d+)", version)
    if not major or int(major[1]) < NODE_MAJOR:
        raise WorkbookError(f"node {version} is too old for {what} npm packages: {NODE_MAJOR} or newer is needed")
    where = folder.relative_to(ROOT)
    if not quiet:
        print(f"workbook: installing {what} npm packages (npm ci in {where})", flush=True)
    start = time.monotonic()
    result = subprocess.run(["npm", "ci", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"],
                            cwd=folder, capture_output=quiet, text=True)
    if result.returncode != 0:
        raise WorkbookError(f"npm ci failed in {where}" + (":\n" + (result.stdout + result.stderr)[-3000:]
                                                          if quiet else " (see above)"))
    stamp.write_text(wanted + "\n")
    if not quiet:
        print(f"workbook: npm ci took {time.monotonic() - start:.0f} s", flush=True)


def _installed(package: str) -> bool:
    if package in _COMMAND_OF and shutil.which(_COMMAND_OF[package]):
        return True
    result = subprocess.run(["dpkg-query", "-W", "-f=${db:Status-Status}", package],
                            capture_output=True, text=True)
    return result.returncode == 0 and result.stdout.strip() == "installed"


def ensure(packages: list[str]) -> None:
    """Installs whichever of `packages` is missing; raises WorkbookError when it cannot."""
    if shutil.which("dpkg-query") is None:
        raise WorkbookError("this is not a Debian system; install by hand: " + " ".join(packages))
    conflicting = [p for p in CONFLICTS if _installed(p)]
    if conflicting and "libboost1.81-dev" in packages and not _installed("libboost1.81-dev"):
        raise WorkbookError(
            f"{' and '.join(conflicting)} is installed, and it conflicts with libboost1.81-dev, which the "
            "workbook needs (Boost 1.74 is too old for its Asio). Remove it yourself if nothing else "
            f"needs it (apt-get remove {' '.join(conflicting)}), then run this again.")
    missing = [p for p in packages if not _installed(p)]
    if not missing:
        return
    command = ["apt-get", "install", "-y", "--no-install-recommends", *missing]
    if os.geteuid() == 0:
        prefix = []
    elif shutil.which("sudo"):
        prefix = ["sudo"]
    else:
        raise WorkbookError("missing packages: " + " ".join(missing) + "\ninstall them as root with:\n  "
                            + " ".join(command))
    print(f"workbook: installing {' '.join(missing)}", flush=True)
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    subprocess.run([*prefix, "apt-get", "update", "-qq"], check=False, env=env)
    if subprocess.run([*prefix, *command], env=env).returncode != 0:
        raise WorkbookError("apt-get could not install: " + " ".join(missing) + "\nrun it yourself:\n  "
                            + " ".join(command))
