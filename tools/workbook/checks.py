"""The full check (`./workbook test`, which CI runs) and its parts.

Each check either meets its expectation or not, and the run ends with "N passed, N failed":
- sync: chapters/ and the book's excerpts equal what the generator makes from solutions/;
- every solution test passes (the solutions are the bite variants with nothing cut, which
  behave as the solutions do);
- the starter check: for every exercise, at least one test tagged with it fails on the
  freshly generated starter;
- the bite check: for every exercise alone, cutting it out of the solution makes at least one
  test tagged with it fail;
- the sanitizer runs: the newest solution's tests under AddressSanitizer+UBSan, and the
  multi-threaded chapters (04 on) under ThreadSanitizer;
- the RESP parser survives libFuzzer for FUZZ_SECONDS without a crash;
- the book builds with mkdocs in strict mode.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
from pathlib import Path

import build
import deps
import generate
from chapters import ROOT, Chapter, all_chapters

CHECK_SOURCES = ROOT / "build" / "check-src"  # where the check preset reads chapters from
DEBIAN_PYTHON = "/usr/bin/python3"
# Chapters from this one on run the server on a thread pool, so ThreadSanitizer has work to do.
FIRST_THREADED_CHAPTER = 4
FUZZ_SECONDS = 60


class Tally:
    """Counts checks and prints one line for each."""

    def __init__(self) -> None:
        self.passed = 0
        self.failed: list[str] = []

    def record(self, name: str, ok: bool, detail: str = "") -> bool:
        if ok:
            self.passed += 1
        else:
            self.failed.append(name)
        print(f"  {'ok  ' if ok else 'FAIL'}  {name}" + (f": {detail}" if detail else ""), flush=True)
        return ok


def exercise_status(run: build.TestRun, ex_id: str) -> str:
    """"done", "not done", "blocked by 01.1" (a stub of another exercise stopped its tests),
    or "no tests" (a maintainer's mistake)."""
    cases = [c for c in run.cases if ex_id in c.exercises()]
    if not cases:
        return "no tests" if not run.crashed else "not done (crash)"
    failing = [c for c in cases if not c.passed]
    if not failing:
        return "done"
    mentioned = set().union(*(build.not_done_mentions(run, c) for c in failing))
    others = sorted(mentioned - {ex_id})
    if ex_id in mentioned or not others:
        return "not done"
    return "blocked by " + ", ".join(others)


def _section(title: str) -> float:
    print(f"\n== {title}", flush=True)
    return time.monotonic()


def _took(start: float) -> None:
    print(f"  ({time.monotonic() - start:.0f} s)", flush=True)


def _build_check_tree(chapters: list[Chapter], targets: list[str] = ()) -> bool:
    generate.write_check_sources(chapters, CHECK_SOURCES)
    build.configure("check")
    return build.build("check", list(targets))


def _exercise_checks(chapters: list[Chapter], tally: Tally) -> None:
    check_dir = build.build_dir("check")
    for chapter in chapters:
        starter = chapter.test_binary(check_dir, "chapter")
        solution = chapter.test_binary(check_dir, "solution")
        for exercise in chapter.exercises:
            tag = f"[ex{exercise.id}]"
            run = build.run_tests(starter, tag)
            failing = [c.name for c in run.cases if not c.passed]
            if not run.cases:
                tally.record(f"starter {exercise.id}", False, f"no test is tagged {tag}")
            else:
                tally.record(f"starter {exercise.id}", bool(failing) or run.crashed,
                             "" if failing or run.crashed else f"all {len(run.cases)} tests pass on the untouched starter")
            run = build.run_tests(solution, tag, env={"MINI_REDIS_CUT": exercise.id})
            failing = [c.name for c in run.cases if not c.passed]
            tally.record(f"bite {exercise.id}", bool(failing) or run.crashed,
                         "" if failing or run.crashed else "no test fails with this exercise cut out")


def exercise_checks(chapters: list[Chapter]) -> int:
    """`./workbook bite [NN]`: the starter and bite checks alone."""
    deps.ensure(deps.TEST)
    tally = Tally()
    start = _section("build (generated starters and bite variants)")
    targets = [t for c in chapters for t in (f"ch{c.number}_chapter_tests", f"ch{c.number}_solution_tests")]
    if not _build_check_tree(all_chapters(), targets):
        return 2
    _took(start)
    start = _section("starter and bite checks")
    _exercise_checks(chapters, tally)
    _took(start)
    print(f"{tally.passed} passed, {len(tally.failed)} failed")
    return 0 if not tally.failed else 1


def _solution_tests(binary: Path, label: str, tally: Tally, env: dict[str, str] | None = None) -> None:
    run = build.run_tests(binary, env=env)
    for case in run.cases:
        tally.record(f"{label}: {case.name}", case.passed,
                     "" if case.passed else (case.messages[0].splitlines()[0] if case.messages else "failed"))
    if run.crashed or not run.cases:
        tally.record(f"{label}: the test binary ran to the end", False,
                     "\n" + "\n".join(run.output.splitlines()[-40:]))


def build_book() -> int:
    result = subprocess.run([DEBIAN_PYTHON, "-m", "mkdocs", "build", "--strict", "-q", "-d", "build/site"],
                            cwd=ROOT, capture_output=True, text=True)
    print(result.stdout + result.stderr, end="")
    if result.returncode == 0:
        print("workbook: the book is in build/site (open build/site/index.html)")
    return result.returncode


def _all_solution_tests(preset: str, chapters: list[Chapter], everyone: list[Chapter], tally: Tally,
                        env: dict[str, str] | None = None, label_prefix: str = "") -> None:
    """Runs every test binary built against each of `chapters`' solutions (see
    Chapter.solution_test_targets)."""
    for chapter in chapters:
        for target, folder in chapter.solution_test_targets(everyone):
            label = target.removesuffix("_tests").replace("_solution", "")
            _solution_tests(build.build_dir(preset) / "tests" / folder / target, label_prefix + label, tally, env)


def _sanitizer(preset: str, chapters: list[Chapter], tally: Tally) -> None:
    """Each chapter's own tests against its solution, under a sanitizer. (The earlier chapters'
    tests that also run on later solutions exercise the same code; they are left out here to
    keep the run short.)"""
    build.configure(preset)
    targets = [f"ch{c.number}_solution_tests" for c in chapters]
    if not tally.record(f"{preset} build", build.build(preset, targets, quiet=True)):
        return
    env = {"ASAN_OPTIONS": "detect_leaks=1:abort_on_error=0",
           "UBSAN_OPTIONS": "print_stacktrace=1:halt_on_error=1",
           "TSAN_OPTIONS": "halt_on_error=1:second_deadlock_stack=1"}
    for chapter in chapters:
        _solution_tests(chapter.test_binary(build.build_dir(preset), "solution"),
                        f"{preset} ch{chapter.number}", tally, env)


def fuzz(tally: Tally, seconds: int = FUZZ_SECONDS) -> None:
    """Builds the fuzz preset and runs the parser fuzzer on a copy of the seed corpus."""
    build.configure("fuzz")
    if not tally.record("fuzz build", build.build("fuzz", ["fuzz_parser"], quiet=True)):
        return
    corpus = build.build_dir("fuzz") / "corpus" / "parser"
    corpus.mkdir(parents=True, exist_ok=True)
    for seed in (ROOT / "fuzz" / "corpus" / "parser").iterdir():
        shutil.copy(seed, corpus / seed.name)
    binary = build.build_dir("fuzz") / "fuzz" / "fuzz_parser"
    result = subprocess.run([str(binary), f"-max_total_time={seconds}", "-print_final_stats=1",
                             "-artifact_prefix=" + str(build.build_dir("fuzz")) + "/", str(corpus)],
                            capture_output=True, text=True)
    runs = re.search(r"stat::number_of_executed_units:\s*(\d+)", result.stderr)
    detail = f"{int(runs[1]):,} inputs in {seconds} s" if runs else ""
    if result.returncode != 0:
        detail = "crash; the input is saved in build/fuzz/:\n" + "\n".join(result.stderr.splitlines()[-30:])
    tally.record("fuzz parser", result.returncode == 0, detail)


def full_check() -> int:
    began = time.monotonic()
    deps.ensure(deps.TEST)
    chapters = all_chapters()
    tally = Tally()

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

    files = [str(p) for folder in ("solutions", "common", "tests", "fuzz")
             for p in sorted((ROOT / folder).rglob("*")) if p.suffix in (".cpp", ".hpp")]
    formatted = subprocess.run(["clang-format", "--dry-run", "--Werror", *files], cwd=ROOT,
                               capture_output=True, text=True)
    tally.record("sources follow .clang-format", formatted.returncode == 0,
                 "\n".join(formatted.stderr.splitlines()[:10]))

    start = _section("build: every solution (bite variant) and every generated starter")
    if not tally.record("build", _build_check_tree(chapters)):
        print(f"{tally.passed} passed, {len(tally.failed)} failed")
        return 1
    _took(start)

    start = _section("solution tests")
    _solution_tests(build.build_dir("check") / "tests" / "common" / "common_tests", "common", tally)
    _all_solution_tests("check", chapters, chapters, tally)
    _took(start)

    start = _section("starter check and bite check, exercise by exercise")
    _exercise_checks(chapters, tally)
    _took(start)

    # The two newest: the complete server's own tests run it as a process, and the client
    # library is tested in process by chapter 09's tests.
    start = _section("AddressSanitizer + UndefinedBehaviorSanitizer: the two newest solutions")
    _sanitizer("asan", chapters[-2:], tally)
    _took(start)

    threaded = [c for c in chapters if int(c.number) >= FIRST_THREADED_CHAPTER]
    if threaded:
        start = _section("ThreadSanitizer: the multi-threaded solutions")
        _sanitizer("tsan", threaded, tally)
        _took(start)

    start = _section(f"fuzz: the RESP parser under libFuzzer for {FUZZ_SECONDS} s")
    fuzz(tally)
    _took(start)

    start = _section("book: mkdocs build --strict")
    tally.record("book builds", build_book() == 0)
    _took(start)

    print(f"\nThe full check took {time.monotonic() - began:.0f} s.")
    if tally.failed:
        print("Failed: " + "; ".join(tally.failed[:20]) + (" ..." if len(tally.failed) > 20 else ""))
    print(f"{tally.passed} passed, {len(tally.failed)} failed")
    return 0 if not tally.failed else 1
