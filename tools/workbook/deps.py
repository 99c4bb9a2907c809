"""Installs the Debian packages the workbook needs, or says exactly how to.

Everything comes from Debian bookworm's own repositories (see README.md). As root we run
apt-get ourselves; otherwise through sudo if there is one; otherwise we print the one command to
run and stop.
"""
from __future__ import annotations

import os
import shutil
import subprocess

from chapters import Chapter, WorkbookError

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
                "libclang-rt-14-dev", "lld"]
# The full check: the tests, the book and its browser check.
FULL_CHECK = TEST + BOOK + BROWSER
# What `./workbook run` needs: the build, and redis-cli, which README has the user talk to the
# server with.
RUN = BUILD + ["redis-tools"]
# What one chapter's tests use beyond the build and Catch2, found by these words in its test
# sources: a learner testing chapter 01 should not wait for clang and the book's tools.
_USED_BY_TESTS = {
    "RealRedis": "redis-server",  # replies compared with a real Redis (real_redis.hpp)
    "redis-cli": "redis-tools",
    "redis-benchmark": "redis-tools",
    "python3-redis": "python3-redis",
}
# Boost 1.81's headers cannot be installed beside the default 1.74 ones.
CONFLICTS = ["libboost1.74-dev", "libboost-dev"]


def for_chapter(chapter: Chapter) -> list[str]:
    """The packages `./workbook test NN` needs: the build, Catch2, and what its tests use."""
    sources = "\n".join(p.read_text(errors="replace") for p in chapter.tests_dir.rglob("*") if p.is_file())
    used = sorted({package for word, package in _USED_BY_TESTS.items() if word in sources})
    return BUILD + ["catch2"] + used


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
