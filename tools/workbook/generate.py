"""The generator: starters and bite variants from solutions, and code excerpts in the book.

Three products, all derived from solutions/ (the source of truth):
- the starter of a chapter (committed as chapters/NN-name): every exercise region becomes its
  task, as comments, and a stub that throws exercise_not_done;
- the bite variant (build tree only): every region becomes `if (cut("NN.K")) { stub } else
  { solution }`, so one build serves as the solution and as each exercise cut out;
- the book's excerpts: code between `<!-- excerpt: PATH#REGION -->` and `<!-- end excerpt -->`
  in book/*.md, taken from the `// [book: REGION]` ... `// [end book: REGION]` lines of PATH.
"""
from __future__ import annotations

import re
import textwrap
from pathlib import Path

from chapters import (BOOK, CHAPTERS, EXERCISE_END, EXERCISE_START, ROOT, SOLUTIONS, SOURCE_SUFFIXES,
                      Chapter, WorkbookError, source_files)

BOOK_REGION_START = re.compile(r"^\s*// \[book: (?P<name>[\w-]+)\]\s*$")
BOOK_REGION_END = re.compile(r"^\s*// \[end book: (?P<name>[\w-]+)\]\s*$")
EXCERPT = re.compile(
    r"(?P<open><!-- excerpt: (?P<path>[^#\s]+)#(?P<region>[\w-]+) -->\n)"
    r"(?P<body>.*?)"
    r"(?P<close><!-- end excerpt -->)",
    re.S,
)
COROUTINE_KEYWORDS = re.compile(r"\bco_(await|return|yield)\b")


def _stub(chapter: Chapter, ex_id: str, region: list[str]) -> str:
    exercise = next(e for e in chapter.exercises if e.id == ex_id)
    call = f'"{ex_id}", "{exercise.book_ref}"'
    # A region that awaited or returned from a coroutine must be replaced by an await, or the
    # function could stop being a coroutine (see common/include/mini_redis/exercise.hpp).
    # Comments do not count: "// no co_await in here" is no coroutine.
    if any(COROUTINE_KEYWORDS.search(line.split("//", 1)[0]) for line in region):
        return f"co_await mini_redis::co_todo({call});"
    return f"mini_redis::todo({call});"


def _task_comment(chapter: Chapter, ex_id: str, indent: str) -> list[str]:
    exercise = next(e for e in chapter.exercises if e.id == ex_id)
    lines = [f"{indent}//"]
    for paragraph in exercise.task.split("\n\n"):
        wrapped = textwrap.wrap(" ".join(paragraph.split()), width=max(40, 96 - len(indent) - 3),
                                break_on_hyphens=False)
        lines += [f"{indent}// {w}" for w in wrapped] + [f"{indent}//"]
    lines.append(f"{indent}// Check: ./workbook test {int(chapter.number)}   Stuck? ./workbook hint {ex_id}")
    return lines


def transform(chapter: Chapter, text: str, mode: str) -> str:
    """The starter (mode "starter") or bite variant (mode "bite") of one solution file's text."""
    out: list[str] = []
    region: list[str] | None = None
    start = None
    for line in text.splitlines():
        if region is None:
            if m := EXERCISE_START.match(line):
                start, region = m, []
            out.append(line)
            continue
        if EXERCISE_END.match(line):
            indent, ex_id = start["indent"], start["id"]
            stub = _stub(chapter, ex_id, region)
            if mode == "starter":
                out += _task_comment(chapter, ex_id, indent)
                out.append(f"{indent}{stub}")
            else:
                out.append(f'{indent}if (mini_redis::cut("{ex_id}")) {{')
                out.append(f"{indent}    {stub}")
                out.append(f"{indent}}} else {{")
                out += [("    " + l) if l.strip() else l for l in region]
                out.append(f"{indent}}}")
            out.append(line)
            region = None
            continue
        region.append(line)
    return "\n".join(out) + ("\n" if text.endswith("\n") else "")


def chapter_tree(chapter: Chapter, mode: str) -> dict[Path, str]:
    """Every file of the chapter's starter or bite variant: relative path -> text."""
    tree = {}
    for rel in source_files(chapter.solution_dir):
        text = (chapter.solution_dir / rel).read_text()
        if rel.suffix in SOURCE_SUFFIXES:
            if any(e.file == chapter.solution_dir / rel for e in chapter.exercises) and \
                    '#include "mini_redis/exercise.hpp"' not in text:
                raise WorkbookError(f"{(chapter.solution_dir / rel).relative_to(ROOT)} has exercises "
                                    'but does not #include "mini_redis/exercise.hpp"')
            text = transform(chapter, text, mode)
        tree[rel] = text
    return tree


def write_tree(folder: Path, tree: dict[Path, str]) -> list[Path]:
    """Makes `folder` hold exactly `tree`. Leaves unchanged files alone (their time stamps too,
    so builds stay incremental). Returns the paths it changed or removed."""
    changed = []
    for rel, text in tree.items():
        path = folder / rel
        if not path.exists() or path.read_text() != text:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
            changed.append(path)
    if folder.exists():
        for rel in source_files(folder):
            if rel not in tree:
                (folder / rel).unlink()
                changed.append(folder / rel)
    return changed


def tree_differences(folder: Path, tree: dict[Path, str]) -> list[str]:
    """The files of `folder` that differ from `tree`, missing from it, or extra."""
    differences = []
    present = set(source_files(folder)) if folder.exists() else set()
    for rel, text in tree.items():
        if rel not in present:
            differences.append(f"{rel} (missing)")
        elif (folder / rel).read_text() != text:
            differences.append(f"{rel} (differs)")
    differences += [f"{rel} (extra)" for rel in sorted(present - set(tree))]
    return differences


# --- Book excerpts --------------------------------------------------------------------------

def _region(text: str, name: str, where: str) -> str:
    lines = text.splitlines()
    start = next((i for i, l in enumerate(lines)
                  if (m := BOOK_REGION_START.match(l)) and m["name"] == name), None)
    if start is None:
        raise WorkbookError(f"{where}: no '// [book: {name}]' region")
    end = next((i for i in range(start + 1, len(lines))
                if (m := BOOK_REGION_END.match(lines[i])) and m["name"] == name), None)
    if end is None:
        raise WorkbookError(f"{where}: region '{name}' is never closed")
    body = [l for l in lines[start + 1:end] if not (BOOK_REGION_START.match(l) or BOOK_REGION_END.match(l))]
    return textwrap.dedent("\n".join(body)).strip("\n")


def _source_text(path: str, starters: dict[str, dict[Path, str]]) -> str:
    """The text of a repository path, with chapters/ taken from freshly generated starters."""
    parts = Path(path).parts
    if len(parts) > 2 and parts[0] == "chapters" and parts[1] in starters:
        rel = Path(*parts[2:])
        if rel in starters[parts[1]]:
            return starters[parts[1]][rel]
    file = ROOT / path
    if not file.is_file():
        raise WorkbookError(f"no file {path}")
    return file.read_text()


def book_pages(starters: dict[str, dict[Path, str]]) -> dict[Path, str]:
    """Every book page whose excerpts need (re)filling: path -> the text it should have."""
    pages = {}
    for page in sorted(BOOK.glob("*.md")):
        text = page.read_text()

        def fill(m: re.Match) -> str:
            where = f"{page.relative_to(ROOT)}: excerpt {m['path']}#{m['region']}"
            code = _region(_source_text(m["path"], starters), m["region"], where)
            lang = "cmake" if m["path"].endswith(".txt") else "cpp"
            return f"{m['open']}```{lang}\n{code}\n```\n{m['close']}"

        pages[page] = EXCERPT.sub(fill, text)
    return pages


def unused_regions() -> list[str]:
    """`file: region` for every `// [book: REGION]` marker in a solution that no page excerpts
    (through the chapter generated from it). A learner reads every marker line: one that no page
    uses is noise."""
    used = set()
    for page in BOOK.glob("*.md"):
        for m in EXCERPT.finditer(page.read_text()):
            path = m["path"]
            if path.startswith("chapters/"):
                path = "solutions/" + path[len("chapters/"):]
            used.add((path, m["region"]))
    unused = []
    for file in sorted(SOLUTIONS.rglob("*")):
        if file.suffix not in SOURCE_SUFFIXES | {".txt"}:
            continue
        rel = file.relative_to(ROOT).as_posix()
        for line in file.read_text().splitlines():
            if (m := BOOK_REGION_START.match(line)) and (rel, m["name"]) not in used:
                unused.append(f"{rel}: {m['name']}")
    return unused


def without_markers(text: str) -> str:
    """`text` without its book-region marker lines: what ./workbook diff compares."""
    return "".join(line for line in text.splitlines(keepends=True)
                   if not (BOOK_REGION_START.match(line) or BOOK_REGION_END.match(line)))


def heading_anchors(page: Path) -> set[str]:
    """The anchors of a page's headings, as GitHub and mkdocs both make them."""
    anchors = set()
    in_code = False
    for line in page.read_text().splitlines():
        if line.startswith("```"):
            in_code = not in_code
        if not in_code and (m := re.match(r"^#{1,6}\s+(.*?)\s*$", line)):
            slug = re.sub(r"[^\w\s-]", "", m[1]).strip().lower()
            anchors.add(re.sub(r"[-\s]+", "-", slug))
    return anchors


def check_book_references(chapters: list[Chapter]) -> list[str]:
    """Every exercise's book section must exist: the stub's message and the hint point at it."""
    problems = []
    for chapter in chapters:
        for exercise in chapter.exercises:
            page_name, _, anchor = exercise.book.partition("#")
            page = BOOK / page_name
            if not page.exists():
                problems.append(f"exercise {exercise.id}: no book page {page_name}")
            elif anchor and anchor not in heading_anchors(page):
                problems.append(f"exercise {exercise.id}: {page_name} has no heading for #{anchor}")
    return problems


def check_source_references(chapters: list[Chapter]) -> list[str]:
    """Comments in the sources that point into the book ("Book: chapter 05, "The purge task"")
    must point at a page and heading that exist, so they stay true when pages change."""
    problems = []
    pages = {p.name[:2]: p for p in BOOK.glob("[0-9][0-9]-*.md")}
    reference = re.compile(r'Book: chapters? (\d\d)(?:,\s*"([^"]+)")?')
    for chapter in chapters:
        for rel in source_files(chapter.solution_dir):
            if rel.suffix not in SOURCE_SUFFIXES:
                continue
            # Join comment lines, so a reference may wrap: 'Book: chapter 01,\n// "Running it"'.
            text = re.sub(r"\n\s*//!?\s*", " ", (chapter.solution_dir / rel).read_text())
            for m in reference.finditer(text):
                where = f"solutions/{chapter.name}/{rel}"
                page = pages.get(m[1])
                if page is None:
                    problems.append(f"{where}: points at chapter {m[1]}, which has no book page")
                elif m[2]:
                    slug = re.sub(r"[-\s]+", "-", re.sub(r"[^\w\s-]", "", m[2]).strip().lower())
                    if slug not in heading_anchors(page):
                        problems.append(f'{where}: points at "{m[2]}", not a heading of book/{page.name}')
    return problems


# --- The whole generation -------------------------------------------------------------------

def starters(chapters: list[Chapter]) -> dict[str, dict[Path, str]]:
    return {c.name: chapter_tree(c, "starter") for c in chapters}


def generate(chapters: list[Chapter]) -> list[Path]:
    """Writes chapters/ and the book's excerpts; returns what changed."""
    problems = check_book_references(chapters)
    if problems:
        raise WorkbookError("\n".join(problems))
    fresh = starters(chapters)
    changed = []
    for chapter in chapters:
        changed += write_tree(chapter.chapter_dir, fresh[chapter.name])
    for stale in sorted(CHAPTERS.glob("*")) if CHAPTERS.exists() else []:
        if stale.is_dir() and stale.name not in fresh:
            raise WorkbookError(f"{stale.relative_to(ROOT)} has no solution; remove it by hand")
    for page, text in book_pages(fresh).items():
        if page.read_text() != text:
            page.write_text(text)
            changed.append(page)
    return changed


def out_of_sync(chapters: list[Chapter]) -> list[str]:
    """What `generate` would change, as readable lines; empty when all is in sync. Also reports
    source comments that point at book sections that do not exist."""
    problems = check_book_references(chapters) + check_source_references(chapters)
    problems += [f"{region} (a book region no page excerpts: remove its markers)"
                 for region in unused_regions()]
    fresh = starters(chapters)
    for chapter in chapters:
        problems += [f"chapters/{chapter.name}/{d}" for d in tree_differences(chapter.chapter_dir, fresh[chapter.name])]
    for page, text in book_pages(fresh).items():
        if page.read_text() != text:
            problems.append(f"{page.relative_to(ROOT)} (excerpts differ from the code)")
    return problems


def write_check_sources(chapters: list[Chapter], out: Path) -> None:
    """The sources of the full check: fresh starters and bite variants under `out`."""
    for chapter in chapters:
        write_tree(out / "chapters" / chapter.name, chapter_tree(chapter, "starter"))
        write_tree(out / "solutions" / chapter.name, chapter_tree(chapter, "bite"))
