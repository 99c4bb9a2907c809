"""Configuring and building with CMake presets, and running one chapter's test binary.

Build folders: build/dev (a learner's `./workbook test NN`), build/check (the full check),
build/release (`./workbook run`), build/asan and build/tsan (sanitizers). The presets in
CMakePresets.json define them, so plain cmake commands use the very same folders.
"""
from __future__ import annotations

import os
import re
import subprocess
import tempfile
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

from chapters import ROOT, WorkbookError

NOT_DONE = re.compile(r"exercise (\d\d\.\d+) is not done yet")
_XML_FORBIDDEN = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def build_dir(preset: str) -> Path:
    return ROOT / "build" / preset


def configure(preset: str) -> None:
    """Runs `cmake --preset`: well under a second when the folder is configured already, and it
    re-applies the preset's settings should someone have changed them by hand."""
    result = subprocess.run(["cmake", "--preset", preset], cwd=ROOT, capture_output=True, text=True)
    if result.returncode != 0:
        raise WorkbookError(f"cmake --preset {preset} failed:\n{result.stdout}{result.stderr}")


# Where sources live: a file saved here while a build runs is looked at again afterwards.
SOURCE_FOLDERS = ("chapters", "solutions", "tests", "common", "fuzz")


def _saved_since(moment: float) -> list[Path]:
    return [p for folder in SOURCE_FOLDERS for p in (ROOT / folder).rglob("*")
            if p.is_file() and p.stat().st_mtime >= moment]


def build(preset: str, targets: list[str] = (), quiet: bool = False, nice: bool = False) -> bool:
    """Builds `targets` (everything when empty); prints the compiler's output on failure.
    `nice`: at the lowest CPU priority, using only what other work leaves of the cores.

    A file saved while the compiler reads it would be left out for good: Debian's ninja (1.11)
    compares the file's time with the object's, which is written later, so the object looks
    newer than the edit, and the next run would test the old code. So files saved during the
    build get a fresh time and the build runs again, until a build sees no save."""
    command = (["nice", "-n", "19"] if nice else []) + ["cmake", "--build", "--preset", preset]
    for target in targets:
        command += ["--target", target]
    for _ in range(5):
        began = time.time()
        result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
        saved = _saved_since(began)
        if not saved or result.returncode != 0:
            break
        for path in saved:
            os.utime(path)  # newer than any object the build just wrote
        print(f"workbook: {len(saved)} file(s) saved during the build ({saved[0].relative_to(ROOT)}"
              f"{', ...' if len(saved) > 1 else ''}): building again", flush=True)
    if result.returncode != 0:
        output = result.stdout + result.stderr
        # The first errors matter; ninja's progress lines do not.
        lines = [l for l in output.splitlines() if not re.match(r"^\[\d+/\d+\] ", l)]
        print("\n".join(lines[:120]))
        if len(lines) > 120:
            print(f"... ({len(lines) - 120} more lines)")
        return False
    if not quiet:
        print(f"workbook: built {', '.join(targets) or 'everything'} ({preset})", flush=True)
    return True


@dataclass
class TestCase:
    name: str
    tags: set[str]
    passed: bool
    messages: list[str] = field(default_factory=list)
    seconds: float = 0.0  # how long it ran, as Catch2 measured it
    stubs: list[str] = field(default_factory=list)  # exercises whose stubs it reached, in order

    def exercises(self) -> set[str]:
        return {t[2:] for t in self.tags if t.startswith("ex")}


@dataclass
class TestRun:
    cases: list[TestCase]
    crashed: bool  # the binary died before reporting every test
    output: str  # what it printed (the server log lines, mostly)
    status: int = 0  # its exit status (Catch2: the number of failed assertions, at most 255)
    seconds: float = 0.0  # the binary's wall time

    @property
    def passed(self) -> bool:
        return not self.crashed and all(c.passed for c in self.cases)

    @property
    def failed_at_exit(self) -> bool:
        """Every test passed, yet the binary exited with an error: a sanitizer's report at exit
        (LeakSanitizer's, say) or a crash while tearing down."""
        return self.passed and bool(self.cases) and self.status != 0


def _shortened(text: str, limit: int = 2000) -> str:
    """A failed CHECK on a 4 MiB payload expands to megabytes: a learner needs its start."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]} ... ({len(text) - limit:,} more characters)"


def _messages(case: ET.Element) -> list[str]:
    messages = []
    # Catch2 writes a failed assertion's INFO/CAPTURE messages as <Info> elements just before it
    # (the parser tests say there what they fed and how they split it): they go with it.
    infos: list[str] = []

    def noted() -> str:
        text = "".join("\n  note: " + info.replace("\n", "\n        ") for info in infos)
        infos.clear()
        return text

    for element in case.iter():
        if element.tag == "Info":
            infos.append((element.text or "").strip())
        elif element.tag == "Expression" and element.get("success") == "false":
            original = (element.findtext("Original") or "").strip()
            expanded = (element.findtext("Expanded") or "").strip()
            messages.append(f"{element.get('filename', '?')}:{element.get('line', '?')}: {original}"
                            + (f"\n  with: {_shortened(expanded)}" if expanded and expanded != original else "")
                            + noted())
        elif element.tag in ("Exception", "FatalErrorCondition"):
            messages.append(f"{element.get('filename', '?')}:{element.get('line', '?')}: "
                            f"{element.tag.lower()}: {(element.text or '').strip()}" + noted())
        elif element.tag == "Expression":
            infos.clear()
    for element in case.iter("Failure"):
        messages.append((element.text or "").strip())
    return messages


def run_tests(binary: Path, spec: str = "", env: dict[str, str] | None = None, timeout: int = 600) -> TestRun:
    """Runs a Catch2 binary (optionally only the tests matching `spec`, e.g. "[ex01.2]") and
    returns each test case's result, from Catch2's XML report."""
    if not binary.exists():
        raise WorkbookError(f"no test binary {binary}")
    with tempfile.NamedTemporaryFile(suffix=".xml") as report, \
            tempfile.NamedTemporaryFile(suffix=".stubs") as stubs:
        command = [str(binary), "-r", "xml", "-o", report.name, "--durations", "yes"]
        if spec:
            command.append(spec)
        began = time.monotonic()
        try:
            result = subprocess.run(command, capture_output=True, text=True, timeout=timeout,
                                    env={**os.environ, **(env or {}), "MINI_REDIS_STUB_REPORT": stubs.name})
            output, code = result.stdout + result.stderr, result.returncode
        except subprocess.TimeoutExpired as e:
            output, code = f"(the tests did not finish within {timeout} s)\n{e.stdout or ''}", -1
        seconds = time.monotonic() - began
        # Catch2 writes the vertical tab and form feed of an expanded value raw (it escapes the
        # other control characters), and XML forbids them: a binary payload in a failed CHECK
        # would otherwise make the whole report unreadable, and the run look like a crash.
        text = _XML_FORBIDDEN.sub("?", Path(report.name).read_text(errors="replace"))
        # The stubs each test case reached, as the harness wrote them
        # (common/testing/include/mini_redis/testing/stub_watch.hpp): what a failing test waits
        # for, whatever its failure message says.
        reached: dict[str, list[str]] = {}
        for line in Path(stubs.name).read_text(errors="replace").splitlines():
            name, _, message = line.partition("\t")
            reached.setdefault(name, []).append(message)
    cases = []
    crashed = code < 0
    try:
        root = ET.fromstring(text)
        for case in root.iter("TestCase"):
            result_el = case.find("OverallResult")
            passed = result_el is not None and result_el.get("success") == "true"
            tags = set(re.findall(r"\[([^\]]+)\]", case.get("tags", "")))
            duration = float(result_el.get("durationInSeconds", 0)) if result_el is not None else 0.0
            name = case.get("name", "?")
            messages = [] if passed else _messages(case)
            if not passed:  # the stubs its messages do not quote yet
                messages += [f"the code under test reached a stub: {m}" for m in reached.get(name, [])
                             if not any(m in quoted for quoted in messages)]
            stubs = [NOT_DONE.match(m).group(1) for m in reached.get(name, []) if NOT_DONE.match(m)]
            cases.append(TestCase(name, tags, passed, messages, duration, stubs))
    except ET.ParseError:
        crashed = True  # the report was cut off: the process died mid-test
    return TestRun(cases, crashed, output, code, seconds)


def not_done_mentions(run: TestRun, case: TestCase | None = None) -> set[str]:
    """Exercise ids that stubs reported as not done: those a test reached (as the harness
    recorded them) and its messages quote; or, for the whole run, those its output quotes."""
    if case:
        return set(case.stubs) | {m for text in case.messages for m in NOT_DONE.findall(text)}
    return set(NOT_DONE.findall(run.output))
