"""Plain text from the HTML that networks and mail clients send.

Mastodon statuses and HTML-only e-mails arrive as HTML written by strangers. Agents read
plain text: tags are dropped, never interpreted; entities are unescaped once; paragraphs and
line breaks survive as newlines; script, style and head contents are discarded. Rendering
escapes the result again (security.md 13), so markup that survives as text stays inert.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

__all__ = ["html_to_text"]

_BLOCKS = frozenset({"p", "div", "li", "ul", "ol", "blockquote", "pre", "tr", "table", "h1", "h2", "h3"})
_BLOCKS |= {"h4", "h5", "h6", "section", "article", "header", "footer"}
_HIDDEN = frozenset({"script", "style", "head", "title", "template", "noscript"})
_BLANK_RUNS = re.compile(r"\n{3,}")
_SPACE_RUNS = re.compile(r"[ \t\r\f\v]+")


class _TextCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._hidden_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _HIDDEN:
            self._hidden_depth += 1
        elif tag == "br":
            self.parts.append("\n")
        elif tag in _BLOCKS:
            self.parts.append("\n\n")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _HIDDEN:
            self._hidden_depth = max(0, self._hidden_depth - 1)
        elif tag in _BLOCKS:
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        if not self._hidden_depth:
            self.parts.append(_SPACE_RUNS.sub(" ", data.replace("\n", " ")))


def html_to_text(html: str) -> str:
    """The readable text of `html`: tags dropped, entities decoded, line breaks kept.

    Never raises on broken markup: an unclosed tag or stray `<` is text like any other.
    """
    collector = _TextCollector()
    collector.feed(html)
    collector.close()
    lines = (line.strip() for line in "".join(collector.parts).split("\n"))
    return _BLANK_RUNS.sub("\n\n", "\n".join(lines)).strip()
