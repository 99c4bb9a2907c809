"""./workbook: the learner's and maintainer's command. Run `./workbook help` for the list.

Each subcommand is a function below, listed in COMMANDS with its help line and arguments; the
work is in the modules beside this file:
chapters.py (what exists), generate.py (starters, bite variants, book excerpts), build.py
(CMake and test binaries), deps.py (Debian packages), checks.py (the full check), stats.py (how
much of each chapter the learner writes).
"""
from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable, NamedTuple

sys.path.insert(0, str(Path(__file__).resolve().parent))

import book  # noqa: E402
import build  # noqa: E402
import checks  # noqa: E402
import deps  # noqa: E402
import generate  # noqa: E402
import renumber  # noqa: E402
import stats  # noqa: E402
from chapters import (ROOT, Chapter, WorkbookError, all_chapters, find_chapter, find_exercise,  # noqa: E402
                      source_files)

PROGRESS = build.build_dir("dev") / "progress.json"
HINTS_SEEN = build.build_dir("dev") / "hints-seen.json"  # per exercise, how many hint levels were shown


def _load_progress() -> dict[str, str]:
    try:
        return json.loads(PROGRESS.read_text())
    except (OSError, ValueError):
        return {}


def _edited(chapter: Chapter) -> bool:
    return bool(generate.tree_differences(chapter.chapter_dir, generate.chapter_tree(chapter, "starter")))


# --- learner commands ---------------------------------------------------------------------

def _build_complete_server() -> tuple[Chapter, Path]:
    """Builds the complete server (and mini-redis-cli) in the release preset: its chapter and
    binary. A WorkbookError if it does not build."""
    newest = all_chapters()[-1]
    build.configure("release")
    targets = [newest.server_target]
    if newest.cli_target:
        targets.append(newest.cli_target)  # mini-redis-cli, beside the server
    if not build.build("release", targets):
        raise WorkbookError(f"{newest.server_target} does not build: the first error is above")
    binary = newest.server_binary(build.build_dir("release"))
    if not binary.is_file():
        raise WorkbookError(f"built {newest.server_target}, but found no executable in {binary.parent}")
    return newest, binary


def _passed_on(words: list[str]) -> list[str]:
    """The words after a command's own (`./workbook run -- --port 6380`), without the `--`."""
    return list(words[1:] if words[:1] == ["--"] else words)


def cmd_run(args) -> int:
    deps.ensure(deps.RUN)
    newest, binary = _build_complete_server()
    server_args = _passed_on(args.server_args)
    if not any(a in ("-p", "--port") or a.startswith("--port=") for a in server_args):
        with socket.socket() as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind(("127.0.0.1", 6379))
            except OSError:
                raise WorkbookError("port 6379 is taken (a redis-server already running?); "
                                    "try: ./workbook run -- --port 6380")
    print(f"workbook: starting {binary.relative_to(ROOT)} (chapter {newest.number}); Ctrl-C stops it", flush=True)
    os.execv(binary, [str(binary), *server_args])


def cmd_bench(args) -> int:
    deps.ensure(deps.BENCH)
    _, binary = _build_complete_server()
    table = ROOT / "bench" / "table.py"
    return subprocess.run([sys.executable, str(table), str(binary), *_passed_on(args.bench_args)]).returncode


def cmd_test(args) -> int:
    if args.chapter is None:
        return checks.full_check()
    chapter = find_chapter(args.chapter)
    deps.ensure_for_chapter(chapter)
    build.configure("dev")
    return _test_chapter(chapter)


def _test_chapter(chapter: Chapter) -> int:
    """Builds chapter NN's tests against the learner's copy, runs them, and prints each
    exercise's state (remembered for ./workbook list). 0: every test passes."""
    target = chapter.test_target("chapter")
    if not build.build("dev", [target.name]):
        print(f"\nchapter {chapter.number} does not build: fix the first error above, then run this again.")
        return 2
    binary = target.binary(build.build_dir("dev"))
    run = build.run_tests(binary)
    for case in run.cases:
        if not case.passed:
            print(f"\nFAILED: {case.name}")
            for message in case.messages[:3]:
                lines = message.splitlines()
                print("  " + "\n  ".join(lines[:14]) + ("\n  ..." if len(lines) > 14 else ""))
    if run.crashed:
        print("\nThe test binary stopped before reporting every test (a crash or a hang). Its last output:")
        print("\n".join(run.output.splitlines()[-30:]))

    progress = _load_progress()
    statuses = {e.id: checks.exercise_status(run, e.id) for e in chapter.exercises}
    progress.update(statuses)
    print("\n" + "\n".join(checks.exercise_listing(chapter, statuses)))
    PROGRESS.parent.mkdir(parents=True, exist_ok=True)
    PROGRESS.write_text(json.dumps(progress, indent=1))
    passed = sum(c.passed for c in run.cases)
    if run.passed:
        print(f"\nEvery test of chapter {chapter.number} passes. On to the next chapter!")
    else:
        print(f"\nStuck? ./workbook hint NN.K   Compare: ./workbook diff {int(chapter.number)}   "
              f"One exercise only: {binary.relative_to(ROOT)} \"[exNN.K]\"")
    print(f"{passed} passed, {len(run.cases) - passed} failed")
    return 0 if run.passed else 1


def _snapshot(folder: Path) -> dict[Path, tuple[int, int]]:
    return {p: (p.stat().st_mtime_ns, p.stat().st_size) for p in folder.rglob("*") if p.is_file()}


def _first_unfinished() -> Chapter:
    """The chapter a learner is on: the first whose exercises are not all done at the last test."""
    progress = _load_progress()
    for chapter in all_chapters():
        if any(progress.get(e.id) != "done" for e in chapter.exercises):
            return chapter
    return all_chapters()[-1]


def cmd_watch(args) -> int:
    """Tests the chapter, then again each time a file under chapters/NN-name/ is saved. Without
    NN, the chapter of the first unfinished exercise; once a chapter passes, the next one."""
    chapter = find_chapter(args.chapter) if args.chapter else _first_unfinished()
    deps.ensure_for_chapter(chapter)
    build.configure("dev")
    while True:
        if sys.stdout.isatty():
            print("\033[2J\033[H", end="")  # a clean screen for each run, as a learner's eyes expect
        passed = _test_chapter(chapter) == 0
        chapters = all_chapters()
        if passed and not args.chapter and chapter != chapters[-1]:
            chapter = chapters[chapters.index(chapter) + 1]
            print(f"\nOn to chapter {chapter.number} ({chapter.title}): book/{chapter.name}.md")
            deps.ensure_for_chapter(chapter)
        print(f"\nWatching chapters/{chapter.name}/: save a file there to test again. Ctrl-C stops.", flush=True)
        # Polling twice a second: the standard library has no portable file-change events,
        # and a learner's save is not in a hurry.
        before = _snapshot(chapter.chapter_dir)
        while _snapshot(chapter.chapter_dir) == before:
            time.sleep(0.5)
        time.sleep(0.3)  # an editor may write a file in several steps: let it finish


def cmd_list(args) -> int:
    progress = _load_progress()
    for chapter in all_chapters():
        state = "edited" if _edited(chapter) else "untouched starter"
        print(f"{chapter.number} {chapter.title}  ({state})")
        for exercise in chapter.exercises:
            print(f"   {exercise.id}  {progress.get(exercise.id, 'not tested yet'):<22} {exercise.title}")
    print("\nProgress comes from your last ./workbook test NN.")
    return 0


def cmd_stats(args) -> int:
    return stats.print_stats(all_chapters())


def cmd_hint(args) -> int:
    chapter, exercise = find_exercise(args.exercise)
    print(f"Exercise {exercise.id}: {exercise.title}")
    print(f"Where: chapters/{chapter.name}/{exercise.file.relative_to(chapter.solution_dir)}, "
          f"search for 'EXERCISE {exercise.id}'")
    print(f"Read:  {exercise.book_ref}\n")
    print(exercise.task + "\n")
    # One level at a time: the first call gives a nudge, each --more the next, and the
    # answer is never a hint (./workbook diff shows it). Levels seen are remembered per exercise.
    seen = json.loads(HINTS_SEEN.read_text()) if HINTS_SEEN.exists() else {}
    level = min(seen.get(exercise.id, 1) + 1, len(exercise.hints)) if args.more else 1
    seen[exercise.id] = max(level, seen.get(exercise.id, 0))
    HINTS_SEEN.parent.mkdir(parents=True, exist_ok=True)
    HINTS_SEEN.write_text(json.dumps(seen, indent=1))
    for shown in range(level):
        print(f"Hint {shown + 1} of {len(exercise.hints)}:")
        print("\n".join("  " + line for line in exercise.hints[shown].splitlines()) + "\n")
    if level < len(exercise.hints):
        print(f"Still stuck? ./workbook hint {exercise.id} --more")
    else:
        print(f"That was the last hint. The answer: ./workbook diff {int(chapter.number)} "
              f"(it shows every difference between your chapter and the solution).")
    return 0


def cmd_diff(args) -> int:
    chapter = find_chapter(args.chapter)
    color = ["--color=always"] if sys.stdout.isatty() else []
    # Compared without the book's region markers, which are the same on both sides and would
    # only crowd the context lines; copies keep the real paths, so the output names real files.
    with tempfile.TemporaryDirectory() as scratch:
        trees = [chapter.chapter_dir.relative_to(ROOT), chapter.solution_dir.relative_to(ROOT)]
        for tree in trees:
            for rel in source_files(ROOT / tree):
                if rel == generate.HINTS_FILE:  # the solution's hints, not part of the chapter
                    continue
                copy = Path(scratch) / tree / rel
                copy.parent.mkdir(parents=True, exist_ok=True)
                text = (ROOT / tree / rel).read_text(errors="replace")
                copy.write_text(generate.without_markers(text))
        subprocess.run(["diff", "-ruN", *color, *map(str, trees)], cwd=scratch)
    return 0


def cmd_reset(args) -> int:
    chapter = find_chapter(args.chapter)
    if not args.yes:
        answer = input(f"Reset chapters/{chapter.name} to its starter? Your changes there are lost. [y/N] ")
        if answer.strip().lower() not in ("y", "yes"):
            print("Nothing changed.")
            return 1
    changed = generate.write_tree(chapter.chapter_dir, generate.chapter_tree(chapter, "starter"))
    print(f"chapters/{chapter.name} is the starter again ({len(changed)} files restored).")
    return 0


def cmd_book(args) -> int:
    deps.ensure(deps.BOOK + (deps.BROWSER if args.check else []))
    if args.serve:
        book.npm_install()
        return subprocess.run([deps.DEBIAN_PYTHON, "-m", "mkdocs", "serve", "-a", "127.0.0.1:8000"], cwd=ROOT).returncode
    built = checks.build_book()
    if built != 0 or not args.check:
        return built
    tally = checks.Tally()
    checks.check_site(tally)
    return 0 if not tally.failed else 1


# --- maintainer commands -----------------------------------------------------------------

def cmd_generate(args) -> int:
    chapters = all_chapters()
    if args.check:
        problems = generate.out_of_sync(chapters)
        for problem in problems:
            print(f"out of sync: {problem}")
        if problems:
            print("Run ./workbook generate (a learner: ./workbook reset NN restores a chapter).")
            return 1
        print("chapters/ and the book's excerpts are in sync with solutions/.")
        return 0
    changed = generate.generate(chapters)
    for path in changed:
        print(f"wrote {path.relative_to(ROOT)}")
    print(f"{len(changed)} files changed.")
    for region in generate.unused_regions():
        print(f"unused book region (no page excerpts it; remove its markers): {region}")
    return 0


def cmd_propagate(args) -> int:
    """Applies a change made to one solution to every later solution (they are snapshots)."""
    chapter = find_chapter(args.chapter)
    source = f"solutions/{chapter.name}/"
    revisions = [args.since] if args.since else ["HEAD"]
    diff = subprocess.run(["git", "diff", *revisions, "--", source], cwd=ROOT, capture_output=True,
                          text=True, check=True).stdout
    if not diff:
        print(f"no change in {source} since {revisions[0]}")
        return 0
    failed = False
    for later in all_chapters():
        if int(later.number) <= int(chapter.number):
            continue
        patch = diff.replace(source, f"solutions/{later.name}/")
        result = subprocess.run(["patch", "-p1", "--forward", "--no-backup-if-mismatch", "-r", "-"],
                                input=patch, cwd=ROOT, capture_output=True, text=True)
        print(f"solutions/{later.name}: " + ("applied" if result.returncode == 0 else "NOT applied cleanly"))
        if result.returncode != 0:
            failed = True
            print("  " + "\n  ".join(result.stdout.splitlines()))
    print("Then: ./workbook generate, and check each later chapter still says what it should.")
    return 1 if failed else 0


def cmd_renumber(args) -> int:
    old, new = (f"{int(n):02d}" for n in (args.old, args.new))
    for line in renumber.renumber(old, new):
        print(f"check by hand: {line}")
    print(f"Moved chapter {old} to {new}. Then: ./workbook generate, and read `git diff`.")
    return 0


def cmd_bite(args) -> int:
    chapters = [find_chapter(args.chapter)] if args.chapter else all_chapters()
    return checks.exercise_checks(chapters)


def cmd_flakes(args) -> int:
    chapters = [find_chapter(args.chapter)] if args.chapter else all_chapters()
    if args.repeat < 1:
        raise WorkbookError("--repeat takes a number of rounds, at least 1")
    return checks.flake_hunt(chapters, args.repeat)


class Command(NamedTuple):
    """A subcommand: the function that runs it, its line in `./workbook help`, and its
    arguments (the parser is made from these)."""
    run: Callable[[argparse.Namespace], int]
    help: str
    arguments: list[tuple[tuple[str, ...], dict]]


def arg(*names: str, **options) -> tuple[tuple[str, ...], dict]:
    """One argument of a command, as argparse's add_argument takes it."""
    return names, options


COMMANDS = {
    "run": Command(cmd_run, "build the complete server (release) and run it on 127.0.0.1:6379",
                   [arg("server_args", nargs=argparse.REMAINDER)]),
    "bench": Command(cmd_bench, "build the complete server (release) and print the performance table: it "
                                "against redis-server, with ratios and targets (bench/table.py; -- ARGS for it)",
                     [arg("bench_args", nargs=argparse.REMAINDER)]),
    "test": Command(cmd_test, "test NN: build chapter NN and show its exercises' progress; "
                              "no NN: the full check (CI runs this)",
                    [arg("chapter", nargs="?")]),
    "watch": Command(cmd_watch, "watch [NN]: test chapter NN (no NN: the one you are on) each time you save a file "
                                "in it", [arg("chapter", nargs="?")]),
    "list": Command(cmd_list, "chapters and exercises, with your progress", []),
    "stats": Command(cmd_stats, "maintainers: per chapter, the code it adds, the share in its exercises, "
                                "and the words on its page", []),
    "hint": Command(cmd_hint, "hint NN.K [--more]: an exercise's task, book section and first hint; "
                              "--more: the next hint", [arg("exercise"), arg("--more", action="store_true")]),
    "diff": Command(cmd_diff, "diff NN: your chapter against its solution", [arg("chapter")]),
    "reset": Command(cmd_reset, "reset NN: restore chapter NN to its starter (asks first; -y does not)",
                     [arg("chapter"), arg("-y", "--yes", action="store_true")]),
    "book": Command(cmd_book, "build the book site into build/site (--serve: serve it on 127.0.0.1:8000; "
                              "--check: then load every page in headless chromium, the full check's last step)",
                    [arg("--serve", action="store_true"), arg("--check", action="store_true")]),
    "generate": Command(cmd_generate, "maintainers: regenerate chapters/ and the book's excerpts "
                                      "(--check: only report what is out of sync)",
                        [arg("--check", action="store_true")]),
    "bite": Command(cmd_bite, "maintainers: starter check and bite check of every exercise (or of chapter NN)",
                    [arg("chapter", nargs="?")]),
    "flakes": Command(cmd_flakes, "maintainers: flakes [--repeat N] [NN]: run the solution, ASan and TSan suites N "
                                  "times (default 10) and list every test that failed at least once",
                      [arg("chapter", nargs="?"), arg("--repeat", type=int, default=10)]),
    "propagate": Command(cmd_propagate, "maintainers: propagate NN [--since REV]: apply the change to solution NN "
                                        "(uncommitted, or since REV) to every later solution",
                         [arg("chapter"), arg("--since")]),
    "renumber": Command(cmd_renumber, "maintainers: renumber NN MM: move chapter NN to number MM (folders, ids, "
                                      "tags, anchors, links), to insert a chapter before it",
                        [arg("old"), arg("new")]),
}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="./workbook", add_help=False)
    sub = parser.add_subparsers(dest="command")
    for name, command in COMMANDS.items():
        command_parser = sub.add_parser(name)
        for names, options in command.arguments:
            command_parser.add_argument(*names, **options)
    if not argv or argv[0] in ("help", "-h", "--help"):
        print("usage: ./workbook COMMAND [ARGS]\n")
        for name, command in COMMANDS.items():
            print(f"  {name:<9} {command.help}")
        print("\nChapters are numbers (1 or 01); exercises are NN.K (01.2). See README.md.")
        return 0
    if argv[0] not in COMMANDS:
        print(f"./workbook: unknown command '{argv[0]}'; the commands are: {', '.join(COMMANDS)}", file=sys.stderr)
        return 2
    try:
        args = parser.parse_args(argv)
    except SystemExit:
        return 2
    try:
        return COMMANDS[args.command].run(args)
    except WorkbookError as e:
        print(f"./workbook: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    try:
        status = main(sys.argv[1:])
        sys.stdout.flush()
    except BrokenPipeError:
        # The reader went away (`./workbook list | head`): stop quietly, as a shell tool does.
        # Python would still flush stdout at exit and complain, so point it at nothing first.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        status = 141  # 128 + SIGPIPE: what a shell reports for a writer cut off this way
    sys.exit(status)
