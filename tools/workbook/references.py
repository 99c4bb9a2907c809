"""Comments and pages that name a repository file that does not exist.

A comment that says "see connection.hpp" or a page that says "tests/07-.../test_x.cpp" is only
useful while that file is there. The sync check runs missing_references() over every tracked
source, script and page (the generated chapters/ excepted: they are checked as solutions/), and
fails on each name that points nowhere:
- a path with a folder in it must be a tracked file (from the root, or from the naming file's
  folder), or end a tracked file's path;
- a bare file name in a chapter's solution must be a file of that chapter, in the naming file's
  folder or in src/ (where includes start), or of common/, tools/, tests/ and the rest;
  elsewhere, any tracked file of that name will do.
Names of files a page asks the reader to make, or the build makes, are listed in NOT_IN_GIT.

layout_problems() keeps each chapter's map of its files (src/README.md, from chapter 06 on) true:
the map names every file of src/ and nothing else, and no file includes one of a layer above
its own.
"""
import re
import subprocess
from pathlib import Path

from chapters import ROOT

# Files that text names but that are not in the repository by design.
NOT_IN_GIT = {
    "compile_commands.json",  # written by CMake into the build tree
    "hints-seen.json",  # written by ./workbook hint into the dev build folder
    "idle.py", "dangling.cpp", "trace.txt",  # the reader writes these, following a page
    "a.cpp", "test_a.cpp", "test_b.cpp", "file.cpp", "name.cpp",  # placeholders in usage notes
}

_NAME = re.compile(r"(?<![\w./:-])((?:[\w.-]+/)*[\w-]+(?:\.[\w-]+)*"
                   r"\.(?:hpp|cpp|py|md|toml|cmake|json|txt|sh|yml))\b")
_SUFFIXES = {".cpp", ".hpp", ".py", ".md", ".txt", ".cmake"}


def _prose(path: Path, text: str) -> str:
    """The part of a file that is words rather than code: comments and docstrings of sources and
    scripts, all of a page. Links are left out: they point outside the repository."""
    if path.suffix in (".cpp", ".hpp"):
        words = "\n".join(re.findall(r"//+ ?(.*)", text))
    elif path.suffix in (".py", ".cmake") or path.name == "CMakeLists.txt":
        words = "\n".join(re.findall(r"# ?(.*)", text) + re.findall(r'"""(.*?)"""', text, re.S))
    else:
        words = text
    return re.sub(r"https?://\S+", "", words)


def _placeholder(name: str) -> bool:
    """A pattern standing for many files (tests/NN-name/...), or a system header (boost/...)."""
    return "NN" in name or "..." in name or name.startswith(("boost/", "sanitizer/"))


def missing_references() -> list[str]:
    """`file: name` for every name of a missing file, in the order the files are listed."""
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True,
                             check=True).stdout.split()
    paths = set(tracked)
    anywhere = {Path(f).name for f in tracked}
    outside_solutions = {Path(f).name for f in tracked
                         if not f.startswith(("solutions/", "chapters/"))}
    missing = []
    for file in tracked:
        path = ROOT / file
        if file.startswith("chapters/") or path.suffix not in _SUFFIXES or not path.exists():
            continue
        folder = Path(file).parent
        for name in dict.fromkeys(_NAME.findall(_prose(path, path.read_text(errors="replace")))):
            if _placeholder(name) or Path(name).name in NOT_IN_GIT:
                continue
            if "/" in name:
                found = (name in paths or (folder / name).as_posix() in paths
                         or any(p.endswith("/" + name) for p in paths))
            elif file.startswith("solutions/"):
                src = Path(*Path(file).parts[:3])  # solutions/NN-name/src: where includes start
                found = ((folder / name).as_posix() in paths or (src / name).as_posix() in paths
                         or name in outside_solutions)
            else:
                found = name in anywhere
            if not found:
                missing.append(f"{file}: {name}")
    return missing


_LAYOUT_ROW = re.compile(r"^\|\s*(?P<layer>[^|]*?)\s*\|(?P<files>[^|]*)\|")


def _layers(readme: Path) -> dict[str, int]:
    """file (relative to src/) -> the rank of its layer in the map, 0 for the top one."""
    ranks: dict[str, int] = {}
    rank = -1
    for line in readme.read_text().splitlines():
        row = _LAYOUT_ROW.match(line)
        if not row or row["layer"] == "layer" or set(row["layer"]) == {"-"}:
            continue  # not a row of the table, or its header and the line under it
        if row["layer"]:  # an empty first cell continues the layer above
            rank += 1
        for name in re.findall(r"`([^`]+)`", row["files"]):
            ranks[name] = rank
    return ranks


def layout_problems() -> list[str]:
    """What each solution's src/README.md gets wrong: files it leaves out, files it names that
    are not there, and includes that go up a layer."""
    problems = []
    for readme in sorted((ROOT / "solutions").glob("*/src/README.md")):
        src = readme.parent
        where = readme.relative_to(ROOT)
        ranks = _layers(readme)
        files = {p.relative_to(src).as_posix() for p in src.rglob("*") if p.is_file() and p != readme}
        problems += [f"{where}: leaves out {name}" for name in sorted(files - ranks.keys())]
        problems += [f"{where}: names {name}, which is not there" for name in sorted(ranks.keys() - files)]
        for name in sorted(files & ranks.keys()):
            for included in re.findall(r'^#include "([^"]+)"', (src / name).read_text(), re.M):
                if included in ranks and ranks[included] < ranks[name]:
                    problems.append(f"{where}: {name} (a lower layer) includes {included}")
    return problems
