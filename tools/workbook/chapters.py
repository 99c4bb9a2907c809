"""Chapters and their exercises, as the solution files and exercises.toml describe them.

A chapter is a folder solutions/NN-name. Its exercises are regions of its source files between
`// EXERCISE NN.K: title` and `// END EXERCISE NN.K`, with the task, hint and book section in
solutions/NN-name/exercises.toml. This module reads both and checks they agree.
"""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SOLUTIONS = ROOT / "solutions"
CHAPTERS = ROOT / "chapters"
TESTS = ROOT / "tests"
BOOK = ROOT / "book"

SOURCE_SUFFIXES = {".cpp", ".hpp", ".h", ".cc"}
EXERCISE_START = re.compile(r"^(?P<indent>\s*)// EXERCISE (?P<id>\d\d\.\d+): (?P<title>\S.*?)\s*$")
EXERCISE_END = re.compile(r"^\s*// END EXERCISE (?P<id>\d\d\.\d+)\s*$")


class WorkbookError(Exception):
    """A problem the user can fix: printed without a traceback, exit status 2."""


@dataclass
class Exercise:
    id: str
    title: str
    task: str
    hint: str
    book: str  # "01-echo-server.md#anchor", relative to book/
    file: Path  # the solution file holding the region
    line: int  # 1-based line of the EXERCISE marker

    @property
    def book_ref(self) -> str:
        return f"book/{self.book}"


@dataclass
class Chapter:
    number: str  # "01"
    name: str  # "01-echo-server"
    exercises: list[Exercise] = field(default_factory=list)

    @property
    def solution_dir(self) -> Path:
        return SOLUTIONS / self.name

    @property
    def chapter_dir(self) -> Path:
        return CHAPTERS / self.name

    @property
    def title(self) -> str:
        return self.name[3:].replace("-", " ")

    def test_binary(self, build_dir: Path, variant: str) -> Path:
        return build_dir / "tests" / self.name / f"ch{self.number}_{variant}_tests"

    def solution_test_targets(self, chapters: list["Chapter"]) -> list[tuple[str, str]]:
        """(target, folder under tests/) of every test binary built against this solution:
        its own tests, and the earlier chapters' socket tests that run on later solutions
        (LATER_SOURCES in their CMakeLists.txt)."""
        targets = [(f"ch{self.number}_solution_tests", self.name)]
        for earlier in chapters:
            if int(earlier.number) < int(self.number):
                cmake = (TESTS / earlier.name / "CMakeLists.txt")
                if cmake.exists() and "LATER_SOURCES" in cmake.read_text():
                    targets.append((f"ch{earlier.number}_on_ch{self.number}_tests", earlier.name))
        return targets


def source_files(folder: Path):
    """Every file below `folder`, sorted, as paths relative to it."""
    return sorted(p.relative_to(folder) for p in folder.rglob("*") if p.is_file())


def _load_exercises(chapter: Chapter) -> None:
    meta_path = chapter.solution_dir / "exercises.toml"
    meta = {}
    if meta_path.exists():
        with meta_path.open("rb") as f:
            for entry in tomllib.load(f).get("exercise", []):
                meta[entry["id"]] = entry
    found: dict[str, Exercise] = {}
    for rel in source_files(chapter.solution_dir):
        path = chapter.solution_dir / rel
        if path.suffix not in SOURCE_SUFFIXES:
            continue
        open_id = None
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            if m := EXERCISE_START.match(line):
                ex_id = m["id"]
                where = f"{path.relative_to(ROOT)}:{number}"
                if open_id:
                    raise WorkbookError(f"{where}: exercise {ex_id} starts inside {open_id}")
                if not ex_id.startswith(chapter.number + "."):
                    raise WorkbookError(f"{where}: exercise {ex_id} is not of chapter {chapter.number}")
                if ex_id in found:
                    raise WorkbookError(f"{where}: exercise {ex_id} is marked twice")
                if ex_id not in meta:
                    raise WorkbookError(f"{where}: exercise {ex_id} has no entry in {meta_path.relative_to(ROOT)}")
                entry = meta[ex_id]
                for key in ("task", "hint", "book"):
                    if not str(entry.get(key, "")).strip():
                        raise WorkbookError(f"{meta_path.relative_to(ROOT)}: exercise {ex_id} needs a '{key}'")
                found[ex_id] = Exercise(ex_id, m["title"], entry["task"].strip(), entry["hint"].strip(),
                                        entry["book"], path, number)
                open_id = ex_id
            elif m := EXERCISE_END.match(line):
                if m["id"] != open_id:
                    raise WorkbookError(f"{path.relative_to(ROOT)}:{number}: END EXERCISE {m['id']} does not close {open_id}")
                open_id = None
        if open_id:
            raise WorkbookError(f"{path.relative_to(ROOT)}: exercise {open_id} is never closed")
    for ex_id in meta:
        if ex_id not in found:
            raise WorkbookError(f"{meta_path.relative_to(ROOT)}: exercise {ex_id} has no region in the sources")
    chapter.exercises = sorted(found.values(), key=lambda e: tuple(int(x) for x in e.id.split(".")))


def all_chapters() -> list[Chapter]:
    chapters = []
    for folder in sorted(SOLUTIONS.glob("[0-9][0-9]-*")):
        chapter = Chapter(folder.name[:2], folder.name)
        _load_exercises(chapter)
        chapters.append(chapter)
    return chapters


def find_chapter(text: str) -> Chapter:
    """The chapter named by "1", "01" or "01-echo-server"; a WorkbookError listing them if none."""
    chapters = all_chapters()
    wanted = text.strip()
    for chapter in chapters:
        if wanted in (chapter.name, chapter.number) or (wanted.isdigit() and int(wanted) == int(chapter.number)):
            return chapter
    listing = ", ".join(f"{c.number} ({c.title})" for c in chapters)
    raise WorkbookError(f"there is no chapter '{text}'; the chapters are: {listing}")


def find_exercise(text: str) -> tuple[Chapter, Exercise]:
    """The exercise "NN.K" (also "N.K"); a WorkbookError listing the chapter's exercises if none."""
    m = re.fullmatch(r"(\d{1,2})\.(\d+)", text.strip())
    if not m:
        raise WorkbookError(f"'{text}' is not an exercise id; ids look like 01.2 (see ./workbook list)")
    chapter = find_chapter(m[1])
    ex_id = f"{chapter.number}.{int(m[2])}"
    for exercise in chapter.exercises:
        if exercise.id == ex_id:
            return chapter, exercise
    listing = ", ".join(e.id for e in chapter.exercises) or "none"
    raise WorkbookError(f"chapter {chapter.number} has no exercise {ex_id}; its exercises are: {listing}")
