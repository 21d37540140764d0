"""Markdown marks in article text, removed for display only (the index keeps the text as written).

Articles written in Markdown carry ``**bold**``, ``# headings``, ``- bullets``, ``[links](url)``
and backticks; shown literally they read as noise. ``plain`` returns the text without those marks
and a map from each original offset to its offset in the cleaned text, so the citation spans
(character offsets into the article) still land on the same words.
"""

from __future__ import annotations

import re

_LINE_MARKS = re.compile(r"(?m)^[ \t]{0,3}(?:#{1,6}[ \t]+|>[ \t]?)")
_BULLET = re.compile(r"(?m)^([ \t]*)([-*+])[ \t]+(?=\S)")
_EMPHASIS = re.compile(r"\*\*\*|\*\*|__(?=\S)|(?<=\S)__|`+")
_ITALIC = re.compile(r"(?<![\w*])\*(?=[^\s*])([^*\n]{1,200}?)(?<=[^\s*])\*(?![\w*])")
_LINK = re.compile(r"!?\[([^\]\n]{1,300})\]\((?:[^()\s]{1,500})\)")
BULLET = "•"


def plain(text: str) -> tuple[str, list[int]]:
    """(text without Markdown marks, offsets) where offsets[i] is where original index i lands;
    len(offsets) == len(text) + 1."""
    drop = bytearray(len(text))
    swap: dict[int, str] = {}
    for m in _LINE_MARKS.finditer(text):
        drop[m.start():m.end()] = b"\x01" * (m.end() - m.start())
    for m in _BULLET.finditer(text):
        swap[m.start(2)] = BULLET
    for m in _LINK.finditer(text):
        drop[m.start():m.start(1)] = b"\x01" * (m.start(1) - m.start())
        drop[m.end(1):m.end()] = b"\x01" * (m.end() - m.end(1))
    for m in _ITALIC.finditer(text):
        drop[m.start()] = drop[m.end() - 1] = 1
    for m in _EMPHASIS.finditer(text):
        drop[m.start():m.end()] = b"\x01" * (m.end() - m.start())
    out, offsets = [], []
    for i, ch in enumerate(text):
        offsets.append(len(out))
        if not drop[i]:
            out.append(swap.get(i, ch))
    offsets.append(len(out))
    return "".join(out), offsets


def plain_text(text: str | None) -> str:
    return plain(text or "")[0]
