"""Chapters and their exercises, as the solution files and exercises.toml describe them.

A chapter is a folder solutions/NN-name. Its exercises are regions of its source files between
`// EXERCISE NN.K: title` and `// END EXERCISE NN.K`, with the task, hints and book section in
solutions/NN-name/exercises.toml. This module reads both and checks they agree. It also names
the build targets of a chapter (test binaries, server, CLI), as cmake/MiniRedis.cmake makes
them; the CMakeLists.txt files say which a chapter has.
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
MIN_HINTS = 2  # hint levels per exercise: a nudge, then a concrete step; the answer never (that is ./workbook diff)


class WorkbookError(Exception):
    """A problem the user can fix: printed without a traceback, exit status 2."""


@dataclass
class Exercise:
    id: str
    title: str
    task: str
    hints: list[str]  # from a nudge to the last step before the answer; ./workbook hint shows one at a time
    book: str  # "01-echo-server.md#anchor", relative to book/
    file: Path  # the solution file holding the region
    line: int  # 1-based line of the EXERCISE marker
    end: int = 0  # 1-based line of the END EXERCISE marker

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
    def tests_dir(self) -> Path:
        return TESTS / self.name

    @property
    def title(self) -> str:
        return self.name[3:].replace("-", " ")

    def exercise(self, ex_id: str) -> Exercise:
        """The exercise "NN.K" of this chapter; a WorkbookError listing its exercises if none."""
        for exercise in self.exercises:
            if exercise.id == ex_id:
                return exercise
        listing = ", ".join(e.id for e in self.exercises) or "none"
        raise WorkbookError(f"chapter {self.number} has no exercise {ex_id}; its exercises are: {listing}")

    def test_target(self, variant: str) -> TestTarget:
        """This chapter's tests, built against its solution (variant "solution") or against the
        learner's chapter ("chapter")."""
        return TestTarget(self, self, variant)

    def solution_test_targets(self, chapters: list[Chapter]) -> list[TestTarget]:
        """Every test binary built against this solution in the sanitizer presets: its own
        tests, and, for the newest chapter, the earlier chapters' socket tests (LATER_SOURCES in
        their CMakeLists.txt). The full check's presets build those against the newest solution
        only (MINI_REDIS_LATER_TESTS_ON_EVERY_CHAPTER=OFF); the dev preset against every later one."""
        if self is not chapters[-1]:
            return [self.test_target("solution")]
        return [self.test_target("solution")] + [
            TestTarget(earlier, self) for earlier in chapters[:-1]
            if "LATER_SOURCES" in _cmake_words(earlier.tests_dir / "CMakeLists.txt")]

    @property
    def tests_all_run_later(self) -> bool:
        """Whether every test file of this chapter also runs against later solutions (its
        LATER_SOURCES are its SOURCES): then the newest solution's test binaries hold them all."""
        words = _cmake_words(self.tests_dir / "CMakeLists.txt")

        def files(keyword: str) -> set[str]:
            if keyword not in words:
                return set()
            after = words[words.index(keyword) + 1:]
            return set(w for w in after[:next((i for i, w in enumerate(after) if w.isupper()), len(after))]
                       if w.endswith(".cpp"))

        return bool(files("SOURCES")) and files("SOURCES") == files("LATER_SOURCES")

    @property
    def server_target(self) -> str:
        """The solution's server executable (MAIN in its CMakeLists.txt)."""
        return f"ch{self.number}_solution_server"

    @property
    def cli_target(self) -> str | None:
        """The solution's mini-redis-cli executable, if its CMakeLists.txt names a CLI."""
        if "CLI" in _cmake_words(self.solution_dir / "CMakeLists.txt"):
            return f"ch{self.number}_solution_cli"
        return None

    def server_binary(self, build_dir: Path) -> Path:
        """Where `build_dir` holds the solution's server: named EXECUTABLE_NAME when its
        CMakeLists.txt gives one (mini-redis-server), after its target otherwise."""
        words = _cmake_words(self.solution_dir / "CMakeLists.txt")
        name = words[words.index("EXECUTABLE_NAME") + 1] if "EXECUTABLE_NAME" in words else self.server_target
        return build_dir / "solutions" / self.name / name


@dataclass
class TestTarget:
    """One test binary: the tests in tests/<tests.name>, built against chapter `against`'s
    solution (or, for variant "chapter", the learner's chapter). Its name is the one
    cmake/MiniRedis.cmake gives it."""
    tests: Chapter
    against: Chapter
    variant: str = "solution"

    @property
    def name(self) -> str:
        """chNN_solution_tests, chNN_chapter_tests, or chNN_on_chMM_tests (NN's tests on MM)."""
        if self.against.number == self.tests.number:
            return f"ch{self.tests.number}_{self.variant}_tests"
        return f"ch{self.tests.number}_on_ch{self.against.number}_tests"

    @property
    def label(self) -> str:
        """How reports name it: ch12 for ch12_solution_tests, ch03_on_ch12 for ch03_on_ch12_tests."""
        return self.name.removesuffix("_tests").replace("_solution", "")

    def binary(self, build_dir: Path) -> Path:
        """Where the build in `build_dir` puts it."""
        return build_dir / "tests" / self.tests.name / self.name


def _cmake_words(cmake: Path) -> list[str]:
    """The words of a chapter's or a test folder's CMakeLists.txt, comments left out (none when
    there is no such file): its call's keywords (CLI, EXECUTABLE_NAME, LATER_SOURCES) say which
    targets cmake/MiniRedis.cmake makes for it. The one place the workbook reads CMake files."""
    if not cmake.exists():
        return []
    return re.sub(r"#.*", "", cmake.read_text()).replace("(", " ").replace(")", " ").split()


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
                for key in ("task", "book"):
                    if not str(entry.get(key, "")).strip():
                        raise WorkbookError(f"{meta_path.relative_to(ROOT)}: exercise {ex_id} needs a '{key}'")
                hints = [h.strip() for h in entry.get("hints", []) if isinstance(h, str) and h.strip()]
                if len(hints) < MIN_HINTS or len(hints) != len(entry.get("hints", [])):
                    raise WorkbookError(f"{meta_path.relative_to(ROOT)}: exercise {ex_id} needs 'hints', a list "
                                        f"of at least {MIN_HINTS} non-empty texts, from a nudge to the last step")
                found[ex_id] = Exercise(ex_id, m["title"], entry["task"].strip(), hints,
                                        entry["book"], path, number)
                open_id = ex_id
            elif m := EXERCISE_END.match(line):
                if m["id"] != open_id:
                    raise WorkbookError(f"{path.relative_to(ROOT)}:{number}: END EXERCISE {m['id']} does not close {open_id}")
                found[open_id].end = number
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
    return chapter, chapter.exercise(f"{chapter.number}.{int(m[2])}")
