"""The full check (`./workbook test`, which CI runs) and its parts.

Each check either meets its expectation or not, and the run ends with "N passed, N failed":
- sync: chapters/ and the book's excerpts equal what the generator makes from solutions/, no
  comment or page names a repository file that does not exist, and each chapter's map of its
  files (src/README.md) names them all and keeps their includes going down the layers;
- every solution test passes (the solutions are the bite variants with nothing cut, which
  behave as the solutions do);
- the starters compile: every generated starter, and its tests against it, compiles without an
  error or a warning (with -fsyntax-only, and only the units that differ from the solution's:
  the starters are not linked or run here);
- the starter check: for every exercise, at least one test tagged with it fails on the starter.
  It runs on the bite variant with every exercise of the chapter cut out, which behaves as the
  freshly generated starter does (both put the same stub where each region was), and so costs
  no second build of every chapter;
- the bite check: for every exercise alone, cutting it out of the solution makes at least one
  test tagged with it fail;
- the sanitizer runs: every test binary built against the complete server under
  ThreadSanitizer (first) and AddressSanitizer+UBSan
  (sanitized_targets says which, and why; SKIPPED_UNDER, which tests a sanitizer leaves out);
- the RESP parser and the request path survive libFuzzer for FUZZ_SECONDS in all without a
  crash.
The sanitizer builds, the starters' compilation and the fuzzer run beside the test runs, at
the lowest CPU priority (full_check says why).
- the book builds with mkdocs in strict mode, and every page of the site loads in headless
  chromium without a console error, with its diagrams drawn, its internal links and anchors
  found, and search working (book.py, tools/book/check_site.mjs).
"""
from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import book
import build
import deps
import generate
import references
import stats
from chapters import BOOK, ROOT, Chapter, Exercise, TestTarget, WorkbookError, all_chapters

CHECK_SOURCES = ROOT / "build" / "check-src"  # where the check preset reads chapters from
# Chapters from this one on run the server on a thread pool, so ThreadSanitizer has work to do.
FIRST_THREADED_CHAPTER = 4
FUZZ_SECONDS = 60
# Test binaries run side by side, one per core: most of a socket test's time is spent waiting,
# and the harness's deadlines measure silence, not speed (common/testing: hang_guard.hpp).
JOBS = max(2, os.cpu_count() or 2)
SANITIZER_ENV = {"ASAN_OPTIONS": "detect_leaks=1:abort_on_error=0",
                 "UBSAN_OPTIONS": "print_stacktrace=1:halt_on_error=1",
                 "TSAN_OPTIONS": "halt_on_error=1:second_deadlock_stack=1"}


@dataclass
class Suite:
    """One test binary: how the report names it, where it is, its environment, which chapter's
    tests against which solution it is (no target: the harness's own tests), and which of its
    tests a run takes unless told otherwise (a Catch2 test spec; empty: all of them)."""
    label: str
    binary: Path
    env: dict[str, str] = field(default_factory=dict)
    target: TestTarget | None = None
    spec: str = ""

    def run(self, spec: str | None = None) -> build.TestRun:
        return build.run_tests(self.binary, self.spec if spec is None else spec, env=self.env)


def run_side_by_side(tasks: list, work, first=None) -> list:
    """work(task) for every task, JOBS at a time; the results in the order of `tasks`. With
    `first`, tasks start in the order of first(task): the longest first, so that no long one is
    left running alone at the end while the other cores idle."""
    order = sorted(range(len(tasks)), key=lambda i: first(tasks[i])) if first else range(len(tasks))
    with ThreadPoolExecutor(JOBS) as pool:
        started = {i: pool.submit(work, tasks[i]) for i in order}
        return [started[i].result() for i in range(len(tasks))]


class Tally:
    """Counts checks and prints one line for each (unless quiet)."""

    def __init__(self, quiet: bool = False) -> None:
        self.quiet = quiet
        self.results: list[tuple[str, bool, str]] = []  # (name, ok, detail) of every check, in order

    def record(self, name: str, ok: bool, detail: str = "") -> bool:
        self.results.append((name, ok, detail))
        if not self.quiet:
            print(f"  {'ok  ' if ok else 'FAIL'}  {name}" + (f": {detail}" if detail else ""), flush=True)
        return ok

    def replay(self, other: Tally) -> None:
        """Records here what `other` recorded (a check that ran in the background, quietly)."""
        for result in other.results:
            self.record(*result)

    @property
    def passed(self) -> int:
        return sum(ok for _, ok, _ in self.results)

    @property
    def failed(self) -> list[str]:
        return [name for name, ok, _ in self.results if not ok]

    @property
    def details(self) -> dict[str, str]:
        """What each failed check said."""
        return {name: detail for name, ok, detail in self.results if not ok}


def exercise_status(run: build.TestRun, ex_id: str) -> str:
    """"done", "not done", "blocked by 01.1" (a stub of another exercise stopped its tests),
    or "no tests" (a maintainer's mistake)."""
    cases = [c for c in run.cases if ex_id in c.exercises()]
    if not cases:
        return "no tests" if not run.crashed else "not done (crash)"
    failing = [c for c in cases if not c.passed]
    if not failing:
        return "done"
    reached = set().union(*(build.not_done_mentions(run, c) for c in failing))
    others = sorted(reached - {ex_id})
    if ex_id in reached or not others:
        return "not done"
    return "blocked by " + ", ".join(others)


def exercise_listing(chapter: Chapter, statuses: dict[str, str]) -> list[str]:
    """The lines `./workbook test NN` prints about the chapter's exercises (and a page shows for
    the untouched starter)."""
    return [f"Chapter {chapter.number} ({chapter.title}) exercises:"] + [
        f"  {e.id:<5}  {statuses[e.id]:<22} {e.title}".rstrip() for e in chapter.exercises]


def _section(title: str) -> float:
    print(f"\n== {title}", flush=True)
    return time.monotonic()


def _took(start: float) -> None:
    print(f"  ({time.monotonic() - start:.0f} s)", flush=True)


def _build_check_tree(chapters: list[Chapter], targets: list[str] = ()) -> bool:
    generate.write_check_sources(chapters, CHECK_SOURCES)
    build.configure("check")
    return build.build("check", list(targets))


def _starter_compilations(chapters: list[Chapter]) -> list[tuple[str, list[str]]]:
    """(target, compiler command) for every translation unit of the starters and of the tests
    built against them that differs from what the check build compiled already, from the check
    build's compile_commands.json (which lists them, though `all` leaves their targets out), each
    turned into a -fsyntax-only compilation. A unit whose starter files are the solution's (no
    exercise region in them or in any header of its chapter) is the very code the check build
    compiled, with the same flags: it is left out."""
    check_dir = build.build_dir("check")
    by_target = {f"ch{c.number}_chapter": c for c in chapters}
    units = []
    for entry in json.loads((check_dir / "compile_commands.json").read_text()):
        words = shlex.split(entry["command"])
        at = words.index("-o")
        output = words[at + 1]
        if not (output.startswith("chapters/") or "_chapter_tests.dir/" in output):
            continue
        target = re.search(r"([^/]+)\.dir/", output)[1]  # ch05_chapter_server, ch05_chapter_tests
        if _same_as_solution(by_target[target[:12]], Path(entry["file"])):
            continue
        del words[at:at + 2]
        words[words.index("-c")] = "-fsyntax-only"
        units.append((target, words))
    return units


def _same_as_solution(chapter: Chapter, unity_file: Path) -> bool:
    """True when the starter files a translation unit compiles (the sources its unity file
    includes, and every header of the chapter, which any of them may include) are the
    solution's own."""
    starter = CHECK_SOURCES / "chapters" / chapter.name
    included = [Path(p) for p in re.findall(r'#include "([^"]+)"', unity_file.read_text())]
    files = [p.relative_to(starter) for p in included if p.is_relative_to(starter)]
    files += [p.relative_to(starter) for p in starter.rglob("*.hpp")]
    return all((starter / f).read_text() == (chapter.solution_dir / f).read_text() for f in files)


def starters_compile(chapters: list[Chapter], tally: Tally, nice: bool = False) -> Tally:
    """Compiles the starters as a learner's build would, for errors and warnings only (see the
    module's docstring): one check per target. `nice`: at the lowest CPU priority."""
    units = _starter_compilations(chapters)
    prefix = ["nice", "-n", "19"] if nice else []
    results = run_side_by_side(units, lambda unit: subprocess.run(
        prefix + unit[1], cwd=build.build_dir("check"), capture_output=True, text=True))
    if not units:
        tally.record("the starters compile", False, "compile_commands.json lists no starter")
    for (target, _), result in zip(units, results):
        said = (result.stdout + result.stderr).strip()
        tally.record(f"starter compiles: {target}", result.returncode == 0 and not said,
                     "\n".join(said.splitlines()[:40]))
    return tally


def _exercise_checks(chapters: list[Chapter], tally: Tally) -> None:
    """For each exercise: its tests on the starter (some must fail) and on the solution with the
    exercise cut out (some must fail). The starter is the bite variant with all of its chapter's
    exercises cut (see the module's docstring). The runs go side by side; the report keeps their
    order."""
    check_dir = build.build_dir("check")
    tasks = []  # (suite, exercise, is_starter)
    for chapter in chapters:
        solution = chapter.test_target("solution").binary(check_dir)
        starter = Suite("starter", solution, {"MINI_REDIS_CUT": ",".join(e.id for e in chapter.exercises)})
        for exercise in chapter.exercises:
            cut = Suite("bite", solution, {"MINI_REDIS_CUT": exercise.id})
            tasks += [(starter, exercise, True), (cut, exercise, False)]
    # Besides, per chapter, its tests that no exercise is tagged on (given code), on the starter:
    # with the exercises' starter runs, they say how many tests pass from the start.
    untagged = [(Suite("starter", chapter.test_target("solution").binary(check_dir),
                       {"MINI_REDIS_CUT": ",".join(e.id for e in chapter.exercises)}), chapter)
                for chapter in chapters]
    runs = run_side_by_side(tasks + untagged, lambda task: task[0].run(
        f"[ex{task[1].id}]" if isinstance(task[1], Exercise) else
        "".join(f"~[ex{e.id}]" for e in task[1].exercises)))
    passing_at_start: dict[str, dict[str, bool]] = {c.name: {} for c in chapters}  # test -> passed
    chapter_of = {e.id: c.name for c in chapters for e in c.exercises}
    status_at_start: dict[str, str] = {}  # exercise -> its status on the starter
    for (suite, exercise, is_starter), run in zip(tasks, runs):
        failing = [c.name for c in run.cases if not c.passed]
        name = f"{suite.label} {exercise.id}"
        if is_starter:
            record = passing_at_start[chapter_of[exercise.id]]
            status_at_start[exercise.id] = exercise_status(run, exercise.id)
            for case in run.cases:
                record[case.name] = record.get(case.name, True) and case.passed and not run.crashed
        if is_starter and not run.cases:
            tally.record(name, False, f"no test is tagged [ex{exercise.id}]")
        else:
            everything_passed = (f"all {len(run.cases)} tests pass on the untouched starter" if is_starter
                                 else "no test fails with this exercise cut out")
            tally.record(name, bool(failing) or run.crashed, "" if failing or run.crashed else everything_passed)
    for (_, chapter), run in zip(untagged, runs[len(tasks):]):
        record = passing_at_start[chapter.name]
        for case in run.cases:
            record[case.name] = case.passed and not run.crashed
        _check_starter_on_page(chapter, sorted(name for name, passed in record.items() if passed),
                               exercise_listing(chapter, status_at_start), tally)


_NUMBERS = ["no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
            "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen",
            "eighteen", "nineteen", "twenty"]


_BLOCKED = re.compile(r"  (\S+)\s+blocked by ((?:\d\d\.\d+, )*\d\d\.\d+)\s+(.*)")


def _same_status(shown: str, found: str) -> bool:
    """A line of a page's exercise list against the line the starter run printed. "blocked by"
    lines agree when the run found a part of the exercises the page names: which stubs a
    failing test reaches after the first can depend on timing (a server that a stub stops at
    its start may or may not have taken the test's connection first), so the page names them
    all, and a run may find fewer."""
    if shown == found:
        return True
    page, run = _BLOCKED.fullmatch(shown), _BLOCKED.fullmatch(found)
    return bool(page and run and page.group(1) == run.group(1) and page.group(3) == run.group(3)
                and set(run.group(2).split(", ")) <= set(page.group(2).split(", ")))


def _check_starter_on_page(chapter: Chapter, passing: list[str], listing: list[str], tally: Tally) -> None:
    """What a page says of the untouched starter must be what the starter runs found: the
    exercise list `./workbook test NN` prints (a ```text block that begins with its first line),
    and how many tests pass ("Three tests pass from the start"), when the page says so."""
    page = BOOK / f"{chapter.name}.md"
    if not page.exists():
        return
    text = page.read_text()
    shown = re.search("^```text\n(" + re.escape(listing[0]) + "\n.*?)^```", text, flags=re.S | re.M)
    if shown is not None:
        lines = [line.rstrip() for line in shown.group(1).splitlines()]
        same = len(lines) >= len(listing) and all(map(_same_status, lines, listing)) and not (
            len(lines) > len(listing) and re.match(r"  \d\d\.\d", lines[len(listing)]))
        tally.record(f"{chapter.name}.md shows the starter's exercise list", bool(same),
                     "" if same else "./workbook test prints:\n" + "\n".join(listing))
    said = re.search(r"\b(\w+) tests?(?: that)? pass(?:es)? from the start", text)
    if said is None:
        return
    word = said.group(1).lower()
    claimed = int(word) if word.isdigit() else _NUMBERS.index(word) if word in _NUMBERS else None
    tally.record(f"{chapter.name}.md: \"{said.group(0)}\" is the starter's count", claimed == len(passing),
                 "" if claimed == len(passing) else
                 f"{len(passing)} pass on the untouched starter: " + "; ".join(passing))


def exercise_checks(chapters: list[Chapter]) -> int:
    """`./workbook bite [NN]`: the starter and bite checks alone."""
    deps.ensure_for_tests()
    tally = Tally()
    start = _section("build (bite variants)")
    targets = [c.test_target("solution").name for c in chapters]
    if not _build_check_tree(all_chapters(), targets):
        return 2
    _took(start)
    start = _section("starter and bite checks")
    _exercise_checks(chapters, tally)
    _took(start)
    print(f"{tally.passed} passed, {len(tally.failed)} failed")
    return 0 if not tally.failed else 1


def _gist(messages: list[str]) -> str:
    """A failed test in one line: the first two lines of its first three messages (an assertion
    and its expansion; an exception's text follows the assertion it escaped from, and is what
    says why), cut at 600 characters."""
    if not messages:
        return "failed"
    gist = " | ".join(" ".join(line.strip() for line in m.splitlines()[:2]) for m in messages[:3] if m.strip())
    return gist if len(gist) <= 600 else gist[:600] + " ..."


def _record(tally: Tally, suite: Suite, run: build.TestRun) -> None:
    """One line per test case of a suite that must pass whole."""
    for case in run.cases:
        tally.record(f"{suite.label}: {case.name}", case.passed, "" if case.passed else _gist(case.messages))
    tail = "\n" + "\n".join(run.output.splitlines()[-40:])
    if run.crashed or not run.cases:
        tally.record(f"{suite.label}: the test binary ran to the end", False, tail)
    elif run.failed_at_exit:
        tally.record(f"{suite.label}: the test binary exits cleanly", False,
                     f"status {run.status} after every test passed (a sanitizer's report at exit?):{tail}")


def _newest_first(suite: Suite) -> tuple[int, int]:
    """The longest test binaries are those of the newest chapters (they test the most): start
    those first, by the solution they run against, then by the chapter whose tests they are."""
    if suite.target is None:
        return (0, 0)
    return (-int(suite.target.against.number), -int(suite.target.tests.number))


def run_suites(suites: list[Suite], tally: Tally) -> None:
    runs = run_side_by_side(suites, Suite.run, first=_newest_first)
    for suite, run in zip(suites, runs):
        _record(tally, suite, run)
    if not tally.quiet:
        _print_slowest(list(zip(suites, runs)))


def _print_slowest(runs: list[tuple[Suite, build.TestRun]], count: int = 4) -> None:
    """Where a section's time went: its slowest binaries and test cases (the full check's
    budget is kept by looking here first)."""
    binaries = sorted(runs, key=lambda r: -r[1].seconds)[:count]
    print("  slowest binaries: " + ", ".join(f"{s.label} {r.seconds:.0f} s" for s, r in binaries))
    cases = sorted(((c.seconds, s.label, c.name) for s, r in runs for c in r.cases), reverse=True)[:count]
    print("  slowest tests: " + "; ".join(f"{label}: {name} {sec:.1f} s" for sec, label, name in cases), flush=True)


def build_book() -> int:
    return book.build()


def check_site(tally: Tally) -> bool:
    """The browser check: every page of build/site in headless chromium (book.browser_check)."""
    ok, summary, problems = book.browser_check()
    for line in problems:
        print(f"    {line}")
    return tally.record("the site in a browser: no console error, every diagram drawn, every internal link "
                        "and anchor found, search finds a page", ok, summary or "; ".join(problems[:3]))


def solution_suites(chapters: list[Chapter]) -> list[Suite]:
    """The harness's own tests, then each chapter's tests against its solution in the check
    build. The earlier chapters' socket tests on the newest solution (chNN_on_chMM) run under
    both sanitizers (sanitized_targets), so the check build leaves them out of `all`
    (MINI_REDIS_LATER_TESTS_OUT_OF_ALL) and they do not run here a third time."""
    check_dir = build.build_dir("check")
    suites = [Suite("common", check_dir / "tests" / "common" / "common_tests")]
    for chapter in chapters:
        target = chapter.test_target("solution")
        suites.append(Suite(target.label, target.binary(check_dir), target=target))
    return suites


def sanitized_targets(chapters: list[Chapter]) -> dict[str, list[TestTarget]]:
    """The test binaries each sanitizer preset builds and runs.
    AddressSanitizer: every binary built against the complete server, which runs as a process
    in its own tests; that is its own tests and every earlier chapter's socket tests, chapter
    09's among them, which run the client library in process. ThreadSanitizer: the same, plus
    the tests of each chapter from the first that runs the server on a thread pool whose tests
    do not all run on the complete server (its unit tests of the parts threads share: the Db,
    the purge task, the shutdown), against that chapter's own solution. A chapter whose tests
    all run on the complete server costs no build of its own solution: its threads are the
    complete server's."""
    newest = chapters[-1].solution_test_targets(chapters)
    own = [c.test_target("solution") for c in chapters[:-1]
           if int(c.number) >= FIRST_THREADED_CHAPTER and not c.tests_all_run_later]
    # ThreadSanitizer's first: its tests take the longer (they run slower, and with longer
    # guards), so they run beside the AddressSanitizer build rather than after it.
    return {"tsan": own + newest, "asan": newest}


def sanitizer_build(preset: str, targets: list[TestTarget], tally: Tally, nice: bool = False) -> bool:
    began = time.monotonic()
    build.configure(preset)
    built = build.build(preset, [target.name for target in targets], quiet=True, nice=nice)
    return tally.record(f"{preset} build", built, f"{time.monotonic() - began:.0f} s" if built else "")


def _quiet_sanitizer_build(preset: str, targets: list[TestTarget]) -> Tally:
    """sanitizer_build at the lowest CPU priority, beside other work: what it records is
    replayed when the work beside it is done."""
    tally = Tally(quiet=True)
    sanitizer_build(preset, targets, tally, nice=True)
    return tally


# ThreadSanitizer leaves out the tests tagged [hostile]: one client's flood, timed and weighed
# (chapter 12). They look for memory kept and requests starved, not for races, and the code they
# drive runs under ThreadSanitizer in chapter 06's tests; under it they took most of its run.
SKIPPED_UNDER = {"tsan": "~[hostile]"}


def sanitizer_suites(preset: str, targets: list[TestTarget]) -> list[Suite]:
    return [Suite(f"{preset} {target.label}", target.binary(build.build_dir(preset)), SANITIZER_ENV, target,
                  SKIPPED_UNDER.get(preset, "")) for target in targets]


def fuzz(tally: Tally, seconds: int = FUZZ_SECONDS, nice: bool = False) -> None:
    """Builds the fuzz preset and runs each fuzz target in turn, `seconds` in all, on a copy of
    its seed corpus (fuzz/corpus/<name>). `nice`: at the lowest CPU priority, beside other work
    (the run lasts `seconds` either way; it tries fewer inputs when the cores are busy)."""
    build.configure("fuzz")
    targets = {"parser": "the RESP parser",
               "requests": "the request path (parse, command, respond, execute)"}
    if not tally.record("fuzz build", build.build("fuzz", [f"fuzz_{t}" for t in targets], quiet=True, nice=nice)):
        return
    each = seconds // len(targets)
    for target, what in targets.items():
        corpus = build.build_dir("fuzz") / "corpus" / target
        corpus.mkdir(parents=True, exist_ok=True)
        for seed in (ROOT / "fuzz" / "corpus" / target).iterdir():
            shutil.copy(seed, corpus / seed.name)
        binary = build.build_dir("fuzz") / "fuzz" / f"fuzz_{target}"
        result = subprocess.run((["nice", "-n", "19"] if nice else []) +
                                [str(binary), f"-max_total_time={each}", "-print_final_stats=1",
                                 "-artifact_prefix=" + str(build.build_dir("fuzz")) + "/", str(corpus)],
                                capture_output=True, text=True)
        runs = re.search(r"stat::number_of_executed_units:\s*(\d+)", result.stderr)
        detail = f"{int(runs[1]):,} inputs in {each} s" if runs else ""
        if result.returncode != 0:
            detail = "crash; the input is saved in build/fuzz/:\n" + "\n".join(result.stderr.splitlines()[-30:])
        tally.record(f"fuzz {what}", result.returncode == 0, detail)


def full_check() -> int:
    began = time.monotonic()
    deps.ensure(deps.FULL_CHECK)
    chapters = all_chapters()
    tally = Tally()
    # The npm packages download while everything else runs: the tests' first (the solution
    # tests wait for them), then the book's (the book step waits for them).
    npm = ThreadPoolExecutor(1)
    tests_npm_installed = npm.submit(deps.npm_for_tests, None, True)
    npm_installed = npm.submit(book.npm_install, True)

    start = _section("sync: chapters/ and book excerpts generated from solutions/; formatting")
    problems = generate.out_of_sync(chapters)
    if problems and not os.environ.get("CI"):
        edited = sorted({p.split("/")[1][:2] for p in problems if p.startswith("chapters/")})
        print(f"  notice: chapters differ from their starters ({', '.join(edited) or 'none'}): your own work, "
              "presumably. The checks below use freshly generated starters, not your copies.")
        other = [p for p in problems if not p.startswith("chapters/")]
        tally.record("book excerpts in sync", not other, "; ".join(other))
    else:
        tally.record("chapters/ and book in sync", not problems, "; ".join(problems[:10]))

    missing = references.missing_references()
    tally.record("comments and pages name only files that exist", not missing,
                 "; ".join(missing[:10]))

    layout = references.layout_problems()
    tally.record("each chapter's map of its files (src/README.md) is true", not layout,
                 "; ".join(layout[:10]))

    shares = stats.problems(chapters)
    tally.record(f"the learner writes {stats.TARGET_RATIO:.0%} of each chapter, {stats.PATH_TARGET:.0%} "
                 "of the server (./workbook stats)", not shares, "; ".join(shares))

    files = [str(p) for folder in ("solutions", "common", "tests", "fuzz")
             for p in sorted((ROOT / folder).rglob("*")) if p.suffix in (".cpp", ".hpp")]
    formatted = subprocess.run(["clang-format", "--dry-run", "--Werror", *files], cwd=ROOT,
                               capture_output=True, text=True)
    tally.record("sources follow .clang-format", formatted.returncode == 0,
                 "\n".join(formatted.stderr.splitlines()[:10]))

    start = _section("build: every solution (bite variant), and the tests against it")
    if not tally.record("build", _build_check_tree(chapters)):
        print(f"{tally.passed} passed, {len(tally.failed)} failed")
        return 1
    _took(start)

    # The test runs below mostly wait on sockets, so other work goes on beside them, at the
    # lowest CPU priority (nice 19) so that a test never waits for it: the fuzzer (its build,
    # then FUZZ_SECONDS of runs), the sanitizer builds and the starters' compilation. Each
    # reports in its own section below.
    fuzz_tally = Tally(quiet=True)
    fuzzer = ThreadPoolExecutor(1)
    fuzzing = fuzzer.submit(fuzz, fuzz_tally, FUZZ_SECONDS, True)
    sanitized = sanitized_targets(chapters)
    builder = ThreadPoolExecutor(1)
    sanitizer_builds = {preset: builder.submit(_quiet_sanitizer_build, preset, targets)
                        for preset, targets in sanitized.items()}
    compiling = builder.submit(starters_compile, chapters, Tally(quiet=True), True)

    start = _section("solution tests")
    try:
        tests_npm_installed.result()
    except WorkbookError as e:
        tally.record("the tests' npm packages", False, str(e))
    run_suites(solution_suites(chapters), tally)
    _took(start)

    start = _section("starter check and bite check, exercise by exercise")
    _exercise_checks(chapters, tally)
    _took(start)

    titles = {"asan": "AddressSanitizer + UndefinedBehaviorSanitizer", "tsan": "ThreadSanitizer"}
    for preset, targets in sanitized.items():
        start = _section(f"{titles[preset]}: {', '.join(target.label for target in targets)}")
        built = sanitizer_builds[preset].result()
        tally.replay(built)
        if not built.failed:
            run_suites(sanitizer_suites(preset, targets), tally)
        _took(start)

    start = _section("the starters compile without an error or a warning (-fsyntax-only, beside the tests above)")
    tally.replay(compiling.result())
    builder.shutdown()
    _took(start)

    start = _section(f"fuzz: the parser and the request path under libFuzzer, {FUZZ_SECONDS} s in all "
                     "(ran beside the tests above)")
    fuzzing.result()
    fuzzer.shutdown()
    tally.replay(fuzz_tally)
    _took(start)

    start = _section("book: mkdocs build --strict")
    try:
        npm_installed.result()
        built = tally.record("book builds", build_book() == 0)
    except WorkbookError as e:
        built = tally.record("book builds", False, str(e))
    npm.shutdown()
    _took(start)

    start = _section("book: every page in headless chromium (./workbook book --check)")
    if built:
        check_site(tally)
    else:
        tally.record("the site in a browser", False, "the book did not build")
    _took(start)

    print(f"\nThe full check took {time.monotonic() - began:.0f} s.")
    if tally.failed:
        print("Failed: " + "; ".join(tally.failed[:20]) + (" ..." if len(tally.failed) > 20 else ""))
    print(f"{tally.passed} passed, {len(tally.failed)} failed")
    return 0 if not tally.failed else 1


def flake_hunt(chapters: list[Chapter], repeats: int) -> int:
    """`./workbook flakes`: builds what the full check builds, then runs the suites the full check
    runs (solution tests, AddressSanitizer, ThreadSanitizer) `repeats` times, side by side as
    the full check does, and reports every test that failed at least once."""
    deps.ensure_for_tests()
    everyone = all_chapters()
    tally = Tally()
    start = _section("build: the check tree and the sanitizer builds")
    if not tally.record("build", _build_check_tree(everyone)):
        return 2
    numbers = {c.number for c in chapters}
    # The chosen chapters' tests; under a sanitizer also the tests that run on their solutions.
    suites = [s for s in solution_suites(everyone) if s.target is None or s.target.tests.number in numbers]
    for preset, targets in sanitized_targets(everyone).items():
        targets = [t for t in targets if numbers & {t.tests.number, t.against.number}]
        if targets:
            if not sanitizer_build(preset, targets, tally):
                return 2
            suites += sanitizer_suites(preset, targets)
    _took(start)

    failures: dict[str, list[str]] = {}
    seen: set[str] = set()
    for round_number in range(1, repeats + 1):
        start = time.monotonic()
        round_tally = Tally(quiet=True)
        run_suites(suites, round_tally)
        seen.update(name for name, _, _ in round_tally.results)
        for name, detail in round_tally.details.items():
            failures.setdefault(name, []).append(f"round {round_number}: {detail}")
        print(f"round {round_number}/{repeats}: {len(round_tally.failed)} failed "
              f"({time.monotonic() - start:.0f} s)", flush=True)

    print(f"\n{len(seen)} tests in {len(suites)} suites, run {repeats} times.")
    for name, details in sorted(failures.items()):
        print(f"  FLAKY  {name}: failed {len(details)} of {repeats} times")
        for detail in details[:3]:
            print("         " + "\n         ".join(detail.splitlines()[:6]))
    if not failures:
        print("No test failed in any round.")
    print(f"{len(seen) - len(failures)} passed, {len(failures)} failed")
    return 0 if not failures else 1
