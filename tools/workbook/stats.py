"""How much of each chapter the learner writes: `./workbook stats`.

For every chapter: the code lines it adds to the previous chapter's solution, the code lines
inside its exercise regions, their ratio, its number of exercises, and the words on its page.
A code line is a non-blank C++ line that is not a comment (exercise and book markers are
comments, so they do not count). "Added" compares the lines of the whole solution with the
previous one's as multisets, so a file that moves or is renamed adds nothing; a line changed
counts as added. Issue 15 asks for at least 30% in every chapter, and at least 25% of the
complete server written by the learner somewhere along the path.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from chapters import BOOK, SOURCE_SUFFIXES, Chapter, source_files

TARGET_RATIO = 0.30  # of the lines a chapter adds, in its exercises (issue 15)


@dataclass
class ChapterStats:
    chapter: Chapter
    added: int  # code lines the chapter adds to the previous solution
    in_exercises: int  # code lines inside its exercise regions
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


def _exercise_lines(chapter: Chapter) -> int:
    """Code lines between `// EXERCISE NN.K` and `// END EXERCISE NN.K`, in every region."""
    return sum(len(_code_lines("\n".join(e.file.read_text().splitlines()[e.line:e.end - 1])))
               for e in chapter.exercises)


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
        stats.append(ChapterStats(chapter, added, _exercise_lines(chapter), _page_words(chapter)))
        previous = lines
    return stats


def print_stats(chapters: list[Chapter]) -> int:
    """`./workbook stats`: a table, then the complete server's share written by the learner."""
    stats = chapter_stats(chapters)
    print(f"{'chapter':<24} {'added':>6} {'in exercises':>12} {'ratio':>6} {'exercises':>9} {'words':>7}")
    for s in stats:
        mark = "" if s.ratio >= TARGET_RATIO else f"  below {TARGET_RATIO:.0%}"
        print(f"{s.chapter.name:<24} {s.added:>6} {s.in_exercises:>12} {s.ratio:>6.2f} "
              f"{len(s.chapter.exercises):>9} {s.words:>7}{mark}")
    complete = sum(_solution_lines(chapters[-1]).values())
    written = sum(s.in_exercises for s in stats)
    print(f"\nThe exercises of all chapters hold {written} code lines, {written / complete:.0%} of the "
          f"complete server's {complete} (a line that a later chapter rewrites counts in each).")
    print(f"Words on all pages: {sum(s.words for s in stats):,}")
    return 0
