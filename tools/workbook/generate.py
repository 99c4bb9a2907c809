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
import shutil
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
# Tasks, hints and book sections: they stay in solutions/ (where ./workbook hint reads them), so
# that a learner browsing a chapter does not come upon the hints; the tasks are in the starter.
HINTS_FILE = Path("exercises.toml")
COROUTINE_KEYWORDS = re.compile(r"\bco_(await|return|yield)\b")
VALUE_RETURN = re.compile(r"\bco_return\s+[^;\s]")
AWAITABLE_HEADER = re.compile(r"awaitable<(?P<result>.+)>\s+[\w:~]+\(")


def _stub(chapter: Chapter, ex_id: str, region: list[str], result: str | None = None) -> str:
    """The call that replaces a region. `result`: what the enclosing coroutine returns, if it
    returns a value."""
    exercise = chapter.exercise(ex_id)
    call = f'"{ex_id}", "{exercise.book_ref}"'
    # A region that awaited or returned from a coroutine must be replaced by an await, or the
    # function could stop being a coroutine (see common/include/mini_redis/exercise.hpp).
    # Comments do not count: "// no co_await in here" is no coroutine.
    code = [line.split("//", 1)[0] for line in region]
    if any(COROUTINE_KEYWORDS.search(line) for line in code):
        # A region that held the coroutine's `co_return value` leaves none behind: the stub
        # returns instead, or the coroutine would seem to flow off its end.
        if result and any(VALUE_RETURN.search(line) for line in code):
            return f"co_return co_await mini_redis::co_todo<{result}>({call});"
        return f"co_await mini_redis::co_todo({call});"
    return f"mini_redis::todo({call});"


def _coroutine_result(lines: list[str], first: int) -> str | None:
    """What the coroutine around line `first` returns (T of its asio::awaitable<T>), or None
    for a void one or a plain function: from the nearest function header above it, a line that
    starts in the first column."""
    for line in reversed(lines[:first]):
        if line[:1].isalpha() and "(" in line:
            m = AWAITABLE_HEADER.search(line)
            return m["result"] if m and m["result"] != "void" else None
    return None


def _task_comment(chapter: Chapter, ex_id: str, indent: str) -> list[str]:
    exercise = chapter.exercise(ex_id)
    lines = [f"{indent}//"]
    for paragraph in exercise.task.split("\n\n"):
        wrapped = textwrap.wrap(" ".join(paragraph.split()), width=max(40, 96 - len(indent) - 3),
                                break_on_hyphens=False)
        lines += [f"{indent}// {w}" for w in wrapped] + [f"{indent}//"]
    lines.append(f"{indent}// Check: ./workbook test {int(chapter.number)}   Stuck? ./workbook hint {ex_id}")
    return lines


_IDENTIFIER = re.compile(r"\b[A-Za-z_]\w*\b")


def _code_words(lines: list[str]) -> set[str]:
    """The identifiers of some C++ lines, comments and string literals left out."""
    words = set()
    for line in lines:
        code = re.sub(r'"(?:\\.|[^"\\])*"', '""', line).split("//", 1)[0]
        words |= set(_IDENTIFIER.findall(code))
    return words


def _unused_parameters(lines: list[str], first: int, last: int) -> list[str]:
    """The parameters of the function around the exercise region lines[first..last] that only
    the region uses. The function is the definition that ends at the last `{` alone on its line
    and less indented than the region (the house style), and its body ends at the next `}`
    alone at the same indentation."""
    def indent(line: str) -> int:
        return len(line) - len(line.lstrip())

    def opens_function(i: int) -> bool:  # not a bare `{ ... }` block after a statement
        return i > 0 and not lines[i - 1].rstrip().endswith((";", "{", "}"))

    brace = next((i for i in range(first - 1, -1, -1)
                  if lines[i].strip() == "{" and indent(lines[i]) < indent(lines[first])
                  and opens_function(i)), None)
    if brace is None:
        return []
    end = next((i for i in range(last + 1, len(lines))
                if lines[i].strip() == "}" and indent(lines[i]) == indent(lines[brace])), len(lines))
    outside = _code_words(lines[brace:first] + lines[last + 1:end])
    region = _code_words(lines[first:last + 1])
    names = [name for name in _parameters(lines, brace) if name in region and name not in outside]
    # Locals declared above the region that only the region reads: declared on one line (a type,
    # then the name and `=`, or `auto [a, b] =`) and named on no other line of the function but
    # lines that only assign to them (g++ calls a variable set but never read unused too).
    for i in range(brace + 1, first):
        code = lines[i].split("//", 1)[0]
        declared = re.findall(r"\bauto&{0,2} \[([\w, ]+)\]", code)
        declared = [n.strip() for group in declared for n in group.split(",")]
        if m := re.match(r"^\s*(?:const )?[\w:<>]+[&*]? (\w+) = ", code):
            declared.append(m[1])
        for name in declared:
            elsewhere = [l for j, l in enumerate(lines[brace:end], brace)
                         if j != i and not first <= j <= last and name in _code_words([l])
                         and not (re.match(rf"^\s*{name} = ", l)
                                  and name not in _code_words([l.split("=", 1)[1]]))]
            if name in region and not elsewhere:
                names.append(name)
    return names


def _unused_members(lines: list[str], first: int, last: int) -> list[str]:
    """The data members (named with a trailing `_`, the house style) that only exercise regions
    read in this file, and that the region lines[first..last] is the first of them to read: a
    constructor's initializer does not count, so clang would call them unused private fields in
    the starter. (A member that two regions read is named once, in the first.)"""
    read = _code_words(lines[first:last + 1])
    # In the order the region first names them (a set's order changes from run to run).
    region = [name for line in lines[first:last + 1] for name in _IDENTIFIER.findall(line)
              if name.endswith("_") and name in read]
    inside, earlier, start = set(), [], None
    for i, line in enumerate(lines):
        if start is None and EXERCISE_START.match(line):
            start = i
        elif start is not None and EXERCISE_END.match(line):
            inside.update(range(start, i + 1))
            if i < first:
                earlier.append(line)
            start = None
        elif start is not None and start < first:
            earlier.append(line.split("//", 1)[0])
    rest = [line.split("//", 1)[0] for i, line in enumerate(lines) if i not in inside]

    def named(name: str, text: list[str]) -> bool:
        return any(re.search(rf"\b{name}\b(?!\s*\()", line) for line in text)

    return [name for name in dict.fromkeys(region)
            if not named(name, rest) and not named(name, earlier)]


def _parameters(lines: list[str], brace: int) -> list[str]:
    """The parameter names of the function definition whose body opens at lines[brace]."""
    start = brace - 1
    while start > 0 and lines[start - 1].strip() and \
            not lines[start - 1].lstrip().startswith(("//", "}", "#")):
        start -= 1
    signature = " ".join(lines[start:brace])
    if "(" not in signature:
        return []
    depth, params, current = 0, [], ""
    for ch in signature[signature.index("(") + 1:]:
        if ch in "(<[{":
            depth += 1
        elif ch in ")>]}":
            if depth == 0:
                break
            depth -= 1
        elif ch == "," and depth == 0:
            params.append(current)
            current = ""
            continue
        current += ch
    params.append(current)
    names = []
    for param in params:
        words = _IDENTIFIER.findall(param.split("=", 1)[0])
        if len(words) >= 2:  # a type and a name; a lone type is an unnamed parameter
            names.append(words[-1])
    return names


def _quiet_unused_functions(out: list[str], lines: list[str],
                            regions: list[tuple[int, int]]) -> list[str]:
    """In a starter, a function of the file that only exercise regions called would draw an
    unused-function warning: returns `out` (the starter's lines) with `[[maybe_unused]]` in
    front of each such definition (a line in column 0 naming a function, its `{` just below)."""
    inside = {i for first, last in regions for i in range(first, last + 1)}
    region_words = _code_words([lines[i] for i in sorted(inside)])
    uses: dict[str, int] = {}
    for i, line in enumerate(lines):
        if i not in inside:
            for word in _code_words([line]):
                uses[word] = uses.get(word, 0) + 1
    definitions = set()
    anonymous = False  # inside `namespace {`: only such functions draw the warning
    for i, line in enumerate(lines):
        if line == "namespace {":
            anonymous = True
        elif line.startswith("}  // namespace"):
            anonymous = False
        m = re.match(r"^[A-Za-z_][\w:<>,*& ]*?(?<!:)\b(\w+)\(", line)
        if anonymous and m and i not in inside and m[1] in region_words and \
                uses.get(m[1], 0) == 1 and \
                any(lines[j] == "{" for j in range(i + 1, min(i + 4, len(lines)))):
            definitions.add(line)
    return [("[[maybe_unused]] " + line) if line in definitions else line for line in out]


def transform(chapter: Chapter, text: str, mode: str) -> str:
    """The starter (mode "starter") or bite variant (mode "bite") of one solution file's text."""
    out: list[str] = []
    region: list[str] | None = None
    start = None
    lines = text.splitlines()
    regions: list[tuple[int, int]] = []
    for number, line in enumerate(lines):
        if region is None:
            if m := EXERCISE_START.match(line):
                start, region, first = m, [], number
            out.append(line)
            continue
        if EXERCISE_END.match(line):
            indent, ex_id = start["indent"], start["id"]
            regions.append((first, number))
            stub = _stub(chapter, ex_id, region, _coroutine_result(lines, first))
            if mode == "starter":
                out += _task_comment(chapter, ex_id, indent)
                # The parameters only the solution used: named here, the compiler does not warn.
                unused = _unused_parameters(lines, first, number) + _unused_members(lines, first, number)
                if unused:
                    out.append(f"{indent}mini_redis::unused({', '.join(unused)});")
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
    if mode == "starter" and regions:
        out = _quiet_unused_functions(out, lines, regions)
    return "\n".join(out) + ("\n" if text.endswith("\n") else "")


def chapter_tree(chapter: Chapter, mode: str) -> dict[Path, str]:
    """Every file of the chapter's starter or bite variant: relative path -> text."""
    tree = {}
    for rel in source_files(chapter.solution_dir):
        if rel == HINTS_FILE:
            continue
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


def _heading_slug(heading: str) -> str:
    """The anchor of a heading, as GitHub and mkdocs both make it."""
    return re.sub(r"[-\s]+", "-", re.sub(r"[^\w\s-]", "", heading).strip().lower())


def heading_anchors(page: Path) -> set[str]:
    """The anchors of a page's headings."""
    anchors = set()
    in_code = False
    for line in page.read_text().splitlines():
        if line.startswith("```"):
            in_code = not in_code
        if not in_code and (m := re.match(r"^#{1,6}\s+(.*?)\s*$", line)):
            anchors.add(_heading_slug(m[1]))
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
                elif m[2] and _heading_slug(m[2]) not in heading_anchors(page):
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
    """The sources of the full check: fresh starters and bite variants under `out`. A folder of a
    chapter that is no more (renumbered, say) is removed: CMake would build it beside the new."""
    names = {chapter.name for chapter in chapters}
    for kind in ("chapters", "solutions"):
        if (out / kind).is_dir():
            for folder in (out / kind).iterdir():
                if folder.name not in names:
                    shutil.rmtree(folder)
    for chapter in chapters:
        write_tree(out / "chapters" / chapter.name, chapter_tree(chapter, "starter"))
        write_tree(out / "solutions" / chapter.name, chapter_tree(chapter, "bite"))
