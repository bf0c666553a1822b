"""How listening reads a post: folded words, and the way back to the post's own offsets.

Rules and posts go through the same steps, so a rule matches whatever reads as the same words:

1. **Fold**: Unicode NFKC, then `str.casefold`. "CAFÉ", "café" and "ｃａｆé" all fold to "café";
   "Straße" to "strasse". Accents are kept: "año" is not "ano". The fold is applied per
   segment (a character and the combining characters after it), which is what lets a hit
   in the folded text be traced back to the characters of the post it came from.
2. **Words**: letters, digits, `_`, combining marks, `#` and `@` are word characters; every
   run of anything else (spaces, line breaks, punctuation, emoji, variation selectors)
   separates words. "Delta's" reads "delta s", "Delta Air\\n  Lines" reads "delta air
   lines", and "C#" and "#delta" keep their `#`.
3. **Padding**: the words joined by single spaces, with one space at each end, so that a
   phrase wrapped in spaces can only be found on whole words by a plain substring search
   (the matcher's automaton).
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from itertools import accumulate, compress

__all__ = ["PreparedPost", "phrase_words", "prepare"]

# ASCII text takes a byte-level path: one translate lowers letters and turns every
# separator into a space, one split drops the runs.
_ASCII_WORD = "abcdefghijklmnopqrstuvwxyz0123456789_#@"
_ASCII_TABLE = bytes(
    ord(character.lower()) if character.lower() in _ASCII_WORD else ord(" ")
    for character in map(chr, range(256))
)
_one_more = (1).__add__
# Planes 2 and up hold no combining characters and no marks but variation selectors, which
# are separators anyway (below): scanning the first two planes finds them all.
_SCANNED_CODE_POINTS = 0x20000
_VARIATION_SELECTORS = frozenset(range(0xFE00, 0xFE10))


def _character_class(code_points: list[int]) -> str:
    """A regex matching one of these sorted code points, fast on every character.

    re tests a class holding code points beyond the BMP range by range, for every character
    it reads; a class of BMP code points alone is one table look-up. So the BMP ones form one
    class, and the others are only tried on a character that is beyond the BMP.
    """
    bmp = _ranges([point for point in code_points if point <= 0xFFFF])
    beyond = _ranges([point for point in code_points if point > 0xFFFF])
    if not beyond:
        return f"[{bmp}]"
    return f"(?:[{bmp}]|(?=[\\U00010000-\\U0010ffff])[{beyond}])"


def _ranges(code_points: list[int]) -> str:
    """The body of a regex character class holding these sorted code points, as ranges."""
    ranges: list[tuple[int, int]] = []
    for point in code_points:
        if ranges and ranges[-1][1] == point - 1:
            ranges[-1] = (ranges[-1][0], point)
        else:
            ranges.append((point, point))
    return "".join(f"\\U{low:08x}-\\U{high:08x}" for low, high in ranges)


@cache
def _unicode_classes() -> tuple[str, str]:
    """(separator, combining) regex pieces for non-ASCII text; built once (about 50 ms)."""
    # Marks belong to the word they sit on ("हिन्दी" stays one word), except variation
    # selectors: "❤️Delta" must still read as the word "delta".
    word_marks = [
        point
        for point in range(_SCANNED_CODE_POINTS)
        if unicodedata.category(chr(point)) in ("Mn", "Mc") and point not in _VARIATION_SELECTORS
    ]
    combining = [point for point in range(_SCANNED_CODE_POINTS) if unicodedata.combining(chr(point))]
    marks = _character_class(word_marks)
    # A separator is a non-word character that is not a mark: the cheap test first, the mark
    # test (behind it) only on the characters that pass it.
    return f"(?:[^\\w#@](?<!{marks}))", _character_class(combining)


@cache
def _unicode_patterns() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    """(a separator, a run of separators, fold segments) for non-ASCII text."""
    separator, combining = _unicode_classes()
    # A run of ASCII not followed by a combining character folds one to one; anything else
    # is folded one segment (a character and its combining characters) at a time.
    segments = re.compile(rf"[\x00-\x7f]+(?!{combining})|.{combining}*", re.DOTALL)
    return re.compile(separator), re.compile(f"{separator}+"), segments


class PreparedPost:
    """A post read as padded words, able to give back the post's own offsets of a hit."""

    __slots__ = ("_folded", "_segment_ends", "_segment_starts", "_spaced", "_word_starts", "padded", "text")

    def __init__(
        self,
        text: str,
        folded: str,
        spaced: str | None,
        padded: str,
        segments: tuple[list[int], list[int]] | None,
    ) -> None:
        self.text = text
        self.padded = padded
        self._folded = folded
        # The folded text with a space for each separator, and one more at each end: offset
        # n + 1 in it is offset n in the folded text. Made when first needed, unless it came
        # for free.
        self._spaced = spaced
        self._segment_starts, self._segment_ends = segments or ([], [])
        self._word_starts: list[int] | None = None

    def first_span(self, start: int, end: int) -> tuple[int, int]:
        """Offsets in `text` of the words at [start, end) of `padded`, their first occurrence.

        `start` must be the first character of a word and `end` the end of a word, as they
        are for every phrase found with its padding, and no earlier place in `padded` may
        hold the same words.
        """
        padded = self.padded
        if len(padded) == len(self._folded) + 2:  # every separator was one character already
            folded_start, folded_end = start - 1, end - 1
        else:
            folded_start, folded_end = self._folded_span(start, end)
        if not self._segment_starts:
            return folded_start, folded_end
        return self._segment_starts[folded_start], self._segment_ends[folded_end - 1]

    def _folded_span(self, start: int, end: int) -> tuple[int, int]:
        padded = self.padded
        if padded.find(" ", start, end) < 0:
            # One word: its first occurrence between spaces in the spaced text is this one.
            folded_start = self._spaced_text().find(padded[start - 1 : end + 1])
            return folded_start, folded_start + end - start
        # Words are one space apart in the padded text and keep their length in the folded
        # one, so the number of spaces before a word says which word it is.
        first_word = padded.count(" ", 1, start)
        last_word = first_word + padded.count(" ", start, end)
        last_length = end - padded.rindex(" ", start, end) - 1
        return self._word_start(first_word), self._word_start(last_word) + last_length

    def _spaced_text(self) -> str:
        if self._spaced is None:
            self._spaced = f" {_unicode_patterns()[0].sub(' ', self._folded)} "
        return self._spaced

    def _word_start(self, word: int) -> int:
        """Where word number `word` starts in the folded text."""
        if self._word_starts is None:
            # Split at each space: the words, and an empty piece before each space that
            # follows a space. A piece starts one past the end of the one before it.
            lengths = list(map(len, self._spaced_text().split(" ")))
            self._word_starts = list(compress(accumulate(map(_one_more, lengths), initial=-1), lengths))
        return self._word_starts[word]


def prepare(text: str) -> PreparedPost:
    """Fold `text` and split it into padded words (see the module docstring)."""
    if text.isascii():
        return _ascii_post(text, text, None)
    folded, segments = _fold(text)
    if folded.isascii():
        return _ascii_post(text, folded, segments)
    words = _unicode_patterns()[1].sub(" ", folded).strip(" ")
    return PreparedPost(text, folded, None, f" {words} ", segments)


def _ascii_post(text: str, folded: str, segments: tuple[list[int], list[int]] | None) -> PreparedPost:
    spaced = folded.encode("ascii").translate(_ASCII_TABLE).decode("ascii")
    return PreparedPost(text, folded, f" {spaced} ", f" {' '.join(spaced.split())} ", segments)


def _fold(text: str) -> tuple[str, tuple[list[int], list[int]] | None]:
    """The folded text and, unless it maps one to one, each folded character's source span."""
    if unicodedata.is_normalized("NFKC", text):
        folded = text.casefold()
        # casefold maps every character to one or more, so equal lengths mean one to one.
        if len(folded) == len(text):
            return folded, None
    segments = _unicode_patterns()[2]
    pieces: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    for segment in segments.finditer(text):
        low, high = segment.span()
        piece = segment.group()
        if piece.isascii():
            folded_piece = piece.lower()
            starts.extend(range(low, high))
            ends.extend(range(low + 1, high + 1))
        else:
            folded_piece = unicodedata.normalize("NFKC", piece).casefold()
            starts.extend([low] * len(folded_piece))
            ends.extend([high] * len(folded_piece))
        pieces.append(folded_piece)
    return "".join(pieces), (starts, ends)


def phrase_words(phrase: str) -> str:
    """The words of a rule's phrase as `prepare` reads a post holding it, without padding."""
    return prepare(phrase).padded.strip(" ")
