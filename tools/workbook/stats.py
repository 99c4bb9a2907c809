"""How much of each chapter the learner writes: `./workbook stats`.

For every chapter: the code lines it adds to the previous chapter's solution, the code lines
inside its exercise regions, their ratio, its number of exercises, and the words on its page.
A code line is a non-blank C++ line that is not a comment (exercise and book markers are
comments, so they do not count). "Added" compares the lines of the whole solution with the
previous one's as multisets, so a file that moves or is renamed adds nothing; a line changed
counts as added. The learner's share of the complete server counts each of its code lines
that some chapter's exercise region holds (as multisets again, so a line written in chapter 03
and carried unchanged to chapter 12 counts once, and a `}` only as often as the learner typed
one). The full check holds every chapter to TARGET_RATIO and the path to PATH_TARGET
(issue 15).
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from chapters import BOOK, SOURCE_SUFFIXES, Chapter, source_files

TARGET_RATIO = 0.30  # of the lines a chapter adds, in its exercises (issue 15)
PATH_TARGET = 0.25  # of the complete server's lines, written in some chapter's exercises


@dataclass
class ChapterStats:
    chapter: Chapter
    added: int  # code lines the chapter adds to the previous solution
    in_exercises: int  # code lines inside its exercise regions
    exercise_lines: Counter  # those lines themselves, stripped
    words: int  # words on its page, code blocks left out

    @property
    def ratio(self) -> float:
        return self.in_exercises / self.added if self.added else 0.0


def _code_lines(text: str) -> list[str]:
    """The code lines of a C++ file, stripped: no blank lines, no comment lines."""
    return [s for s in (line.strip() for line in text.splitlines()) if s and not s.startswith("//")]


def _solution_lines(chapter: Chapter) -> Counter:
    lines: Counter = Counter()
    for rel in source_files(chapter.solution_dir):
        if rel.suffix in SOURCE_SUFFIXES:
            lines.update(_code_lines((chapter.solution_dir / rel).read_text()))
    return lines


def _exercise_lines(chapter: Chapter) -> Counter:
    """Code lines between `// EXERCISE NN.K` and `// END EXERCISE NN.K`, in every region."""
    return Counter(line for e in chapter.exercises
                   for line in _code_lines("\n".join(e.file.read_text().splitlines()[e.line:e.end - 1])))


def _page_words(chapter: Chapter) -> int:
    page = BOOK / f"{chapter.name}.md"
    if not page.exists():
        return 0
    prose = re.sub(r"^```.*?^```", "", page.read_text(), flags=re.S | re.M)
    return len(prose.split())


def chapter_stats(chapters: list[Chapter]) -> list[ChapterStats]:
    """The figures of every chapter, in order."""
    stats = []
    previous: Counter = Counter()
    for chapter in chapters:
        lines = _solution_lines(chapter)
        added = sum((lines - previous).values())
        exercise_lines = _exercise_lines(chapter)
        stats.append(ChapterStats(chapter, added, sum(exercise_lines.values()), exercise_lines,
                                  _page_words(chapter)))
        previous = lines
    return stats


def path_share(chapters: list[Chapter], stats: list[ChapterStats]) -> tuple[int, int]:
    """(lines of the complete server the learner writes in some chapter, all its lines)."""
    complete = _solution_lines(chapters[-1])
    written: Counter = Counter()
    for s in stats:
        written |= s.exercise_lines  # the most times any one chapter has the learner type a line
    return sum((complete & written).values()), sum(complete.values())


def problems(chapters: list[Chapter]) -> list[str]:
    """What the full check reports: chapters below TARGET_RATIO, a path below PATH_TARGET."""
    stats = chapter_stats(chapters)
    found = [f"{s.chapter.name}: {s.in_exercises} of {s.added} lines in exercises ({s.ratio:.0%})"
             for s in stats if s.ratio < TARGET_RATIO]
    written, complete = path_share(chapters, stats)
    if written < PATH_TARGET * complete:
        found.append(f"the learner writes {written} of the complete server's {complete} lines "
                     f"({written / complete:.0%})")
    return found


def print_stats(chapters: list[Chapter]) -> int:
    """`./workbook stats`: a table, then the complete server's share written by the learner."""
    stats = chapter_stats(chapters)
    print(f"{'chapter':<24} {'added':>6} {'in exercises':>12} {'ratio':>6} {'exercises':>9} {'words':>7}")
    for s in stats:
        mark = "" if s.ratio >= TARGET_RATIO else f"  below {TARGET_RATIO:.0%}"
        print(f"{s.chapter.name:<24} {s.added:>6} {s.in_exercises:>12} {s.ratio:>6.2f} "
              f"{len(s.chapter.exercises):>9} {s.words:>7}{mark}")
    written, complete = path_share(chapters, stats)
    print(f"\nThe learner writes {written} of the complete server's {complete} code lines "
          f"({written / complete:.1%}; the target is {PATH_TARGET:.0%}) in the exercises along the way.")
    print(f"Words on all pages: {sum(s.words for s in stats):,}")
    return 0
