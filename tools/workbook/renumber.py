"""`./workbook renumber NN MM`: moves chapter NN to number MM, to make room for a new chapter
before it (the complete server always stays last).

A chapter's number is written in many places: its folders (solutions/, tests/, chapters/) and
book page, its targets and test tags (chNN_..., [chNN], [exNN.K]), its exercise ids (markers,
exercises.toml, co_todo stubs, hints), the page's exercise headings and their anchors
(#exercise-NNK-...), and prose ("chapter NN"). This moves the folders with git and rewrites
those forms in every text file of the repository (chapters/ is regenerated afterwards). What
it cannot be sure of, an exercise id in the chapter's own prose ("(NN.K)"), it rewrites and
lists for a human to read; run it with nothing else uncommitted, and read the diff.
"""
from __future__ import annotations

import re
import subprocess

from chapters import ROOT, WorkbookError, all_chapters

SKIPPED = ("chapters/", "build/", "tools/book/node_modules/")


def _patterns(old: str, new: str) -> list[tuple[re.Pattern, str]]:
    """Each form a chapter number takes, with what it becomes."""
    return [
        (re.compile(rf"(?<![A-Za-z0-9])ch{old}(?![0-9])"), f"ch{new}"),  # also ch03_on_ch12
        (re.compile(rf"\bex{old}\."), f"ex{new}."),
        (re.compile(rf"\b(EXERCISE|[Ee]xercises?|hint|co_todo\(\"|id = \") ?{old}\."),
         lambda m: m[0][:-len(old) - 1] + f"{new}."),
        (re.compile(rf"\bexercise-{old}(\d+)-"), rf"exercise-{new}\1-"),
        (re.compile(rf"\b([Cc]hapters?) {old}\b"), rf"\1 {new}"),
        (re.compile(rf"\b(workbook (?:test|bite|diff|reset|watch|flakes|propagate)) {old}\b"), rf"\1 {new}"),
    ]


def renumber(old: str, new: str) -> list[str]:
    """Moves chapter `old` to `new` and rewrites its number everywhere; returns the lines a
    human should check (a number in parentheses that may or may not be an exercise id)."""
    chapters = {c.number: c for c in all_chapters()}
    if old not in chapters:
        raise WorkbookError(f"there is no chapter {old}")
    if new in chapters:
        raise WorkbookError(f"chapter {new} exists already ({chapters[new].name})")
    exercise_numbers = [e.id.split(".")[1] for e in chapters[old].exercises] or ["0"]
    slug = chapters[old].name[len(old) + 1:]
    old_name, new_name = f"{old}-{slug}", f"{new}-{slug}"
    for folder in ("solutions", "tests"):
        subprocess.run(["git", "mv", f"{folder}/{old_name}", f"{folder}/{new_name}"], cwd=ROOT, check=True)
    subprocess.run(["git", "mv", f"book/{old_name}.md", f"book/{new_name}.md"], cwd=ROOT, check=True)
    subprocess.run(["git", "rm", "-r", "-q", f"chapters/{old_name}"], cwd=ROOT, check=True)

    files = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True,
                           check=True).stdout.splitlines()
    patterns = [(re.compile(re.escape(old_name)), new_name),
                # mkdocs.yml's nav: "  - N. Title: NN-name.md"
                (re.compile(rf"- {int(old)}\. (.+): {new_name}\.md"), rf"- {int(new)}. \1: {new_name}.md")]
    patterns += _patterns(old, new)
    doubtful = []
    for name in files:
        if name.startswith(SKIPPED):
            continue
        path = ROOT / name
        try:
            text = path.read_text()
        except (UnicodeDecodeError, FileNotFoundError, IsADirectoryError):
            continue
        changed = text
        for pattern, replacement in patterns:
            changed = pattern.sub(replacement, changed)
        if name.startswith((f"solutions/{new_name}/", f"tests/{new_name}/", f"book/{new_name}")):
            # In the chapter's own files, its exercise ids in prose too ("(10.2)", "10.1 hello
            # world"): each line that had one is listed, to be read.
            own = re.compile(rf"\b{old}\.({'|'.join(exercise_numbers)})\b")
            lines = changed.splitlines(keepends=True)
            for number, line in enumerate(lines, start=1):
                if own.search(line):
                    lines[number - 1] = own.sub(rf"{new}.\1", line)
                    doubtful.append(f"{name}:{number}: {lines[number - 1].strip()}")
            changed = "".join(lines)
        if changed != text:
            path.write_text(changed)
    return doubtful
