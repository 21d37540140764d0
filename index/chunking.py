"""Vietnamese sentence spans and passage packing.

Passages are slices of ``Article.text`` (never rewritten copies), so a cited
passage can always be highlighted in the article by its offsets.
"""

from __future__ import annotations

import re

from index.documents import Article, Chunk

# Words that end in a dot but not a sentence: "TP. Nha Trang", "PGS.TS. Nguyễn…".
ABBREVIATIONS = {
    "tp", "tx", "tt", "q", "p", "h", "ts", "ths", "pgs", "gs", "bs", "ks", "cn", "ls", "nxb",
    "tr", "mr", "mrs", "ms", "dr",
}
# Sentence-final punctuation ("./." closes Vietnamese news articles), then closing quotes.
# The lookahead captures the first visible character of what follows: an emoji's variation selector or a
# zero-width space pasted before the next sentence ("… hữu cơ. \ufe0fBác sĩ …") is not what it starts with.
_INVISIBLE = "\u200b\u200c\u200d\u2060\ufe0e\ufe0f\ufeff"
_END_RE = re.compile(r"(?:\.\/\.|[.!?…]+)[\"'”’»)\]]*(?=\s+[" + _INVISIBLE + r"]*(\S))")
_INITIALS_RE = re.compile(r"(?:[^\W\d_]\.)*[^\W\d_]")
_LEAD_RE = re.compile(r"[\s" + _INVISIBLE + r"]*")  # trimmed from a sentence's start
# A new sentence starts with a capital, a digit, an opening quote or bracket, or a list dash.
_STARTERS = "\"'“‘«([-–—•+*"


def _is_abbreviation(text: str, dot: int) -> bool:
    """Whether the dot at ``text[dot]`` closes an abbreviation or an initial."""
    before = text[max(0, dot - 40) : dot]  # a bounded look-back keeps long lines linear
    if not before or before[-1].isspace():
        return False
    word = before.split()[-1].lstrip("\"'“‘«([")
    last_part = word.split(".")[-1]
    if last_part.lower() in ABBREVIATIONS:  # "TP", and "PGS.TS" by its last part
        return True
    # "Nguyễn V. Thành", "N.T. Hà": single capital letters with dots ("v.v." ends a sentence).
    return bool(_INITIALS_RE.fullmatch(word)) and len(last_part) == 1 and last_part.isupper()


def _sentence_ends(line: str) -> list[int]:
    """Offsets (exclusive) inside ``line`` where a sentence ends and another begins."""
    ends: list[int] = []
    for m in _END_RE.finditer(line):
        nxt = m.group(1)
        if not (nxt.isupper() or nxt.isdigit() or nxt in _STARTERS):
            continue  # "... và" / "… đến" continue the sentence
        mark = m.group(0)
        if mark.startswith(".") and not mark.startswith("..") and _is_abbreviation(line, m.start()):
            continue
        ends.append(m.end())
    return ends


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Character spans of the sentences of ``text``, whitespace trimmed; line breaks always split."""
    spans: list[tuple[int, int]] = []
    offset = 0
    for line in text.split("\n"):
        start = 0
        for end in [*_sentence_ends(line), len(line)]:
            piece = line[start:end]
            lead = _LEAD_RE.match(piece).end()
            if lead < len(piece):
                spans.append((offset + start + lead, offset + start + len(piece.rstrip())))
            start = end
        offset += len(line) + 1
    return spans


def _split_long(text: str, start: int, end: int, limit: int) -> list[tuple[int, int]]:
    """A sentence over twice the limit, cut after "; " (then ", ") into pieces near the limit; what is
    still over the limit (a page flattened to one line) is cut at the last space, or at the limit."""
    pieces = [(start, end)]
    for separator in ("; ", ", "):
        refined: list[tuple[int, int]] = []
        for s, e in pieces:
            if e - s <= limit:
                refined.append((s, e))
                continue
            # Possible piece ends: just after each separator's punctuation, and the sentence end.
            ends = [s + m.start() + 1 for m in re.finditer(re.escape(separator), text[s:e])] + [e]
            piece_start, previous = s, None
            for cut in ends:
                if cut - piece_start > limit and previous is not None and previous > piece_start:
                    refined.append((piece_start, previous))
                    piece_start = previous + 1
                previous = cut
            refined.append((piece_start, e))
        pieces = refined
    bounded: list[tuple[int, int]] = []
    for s, e in pieces:
        while e - s > limit:
            space = text.rfind(" ", s + limit // 2, s + limit)
            cut = space if space > s else s + limit
            bounded.append((s, cut))
            s = cut + 1 if space > s else cut
        bounded.append((s, e))
    return [_trim(text, s, e) for s, e in bounded if text[s:e].strip()]


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    piece = text[start:end]
    return start + len(piece) - len(piece.lstrip()), end - len(piece) + len(piece.rstrip())


def _units(text: str, limit: int) -> list[list[tuple[int, int]]]:
    """Sentence spans grouped by paragraph, over-long sentences already cut."""
    paragraphs: list[list[tuple[int, int]]] = []
    for s, e in split_sentences(text):
        pieces = _split_long(text, s, e, limit) if e - s > 2 * limit else [(s, e)]
        if not paragraphs or "\n" in text[paragraphs[-1][-1][1] : s]:
            paragraphs.append([])
        paragraphs[-1].extend(pieces)
    return paragraphs


def _pack(text: str, limit: int, overlap: int) -> list[tuple[int, int]]:
    """Greedy packing of whole sentences into spans of at most ``limit`` characters.

    A chunk stays inside one paragraph, with two exceptions for tiny pieces
    (under a quarter of the limit) that would be useless alone: a tiny paragraph
    (a heading, a caption) joins the next paragraph's chunk, and a tiny tail (the
    last sentence of a paragraph, a closing byline) joins the chunk before it
    when that stays within 1.25 × the limit.
    """
    tiny = limit // 4
    chunks: list[tuple[int, int]] = []
    carried: list[tuple[int, int]] = []  # sentences of tiny paragraphs waiting for the next one

    def length(spans: list[tuple[int, int]]) -> int:
        return spans[-1][1] - spans[0][0]

    def close(spans: list[tuple[int, int]], may_join_previous: bool) -> None:
        if may_join_previous and chunks and length(spans) < tiny and spans[-1][1] - chunks[-1][0] <= limit + tiny:
            chunks[-1] = (chunks[-1][0], spans[-1][1])
        else:
            chunks.append((spans[0][0], spans[-1][1]))

    for paragraph in _units(text, limit):
        current = carried
        if current and length(current) >= tiny:
            close(current, may_join_previous=False)
            current = []
        chunks_before = len(chunks)
        for sentence in paragraph:
            if current and sentence[1] - current[0][0] > limit:
                close(current, may_join_previous=False)
                kept = [span for span in current[-overlap:] if span[0] >= paragraph[0][0]] if overlap else []
                while kept and sentence[1] - kept[0][0] > limit:
                    kept = kept[1:]
                current = kept
            current.append(sentence)
        if length(paragraph) < tiny:
            carried = current
        else:
            close(current, may_join_previous=len(chunks) > chunks_before)
            carried = []
    if carried:
        close(carried, may_join_previous=True)
    return chunks


def chunk_article(article: Article, chunk_chars: int = 600, overlap_sentences: int = 0) -> list[Chunk]:
    meta = {
        "title": article.title,
        "date": article.date,
        "author": article.author,
        "source_path": article.source_path,
    }
    chunks: list[Chunk] = []
    for ordinal, (start, end) in enumerate(_pack(article.text, chunk_chars, overlap_sentences)):
        chunks.append(
            Chunk(
                chunk_id=f"{article.doc_id}:{article.content_hash[:10]}:{ordinal:04d}",
                doc_id=article.doc_id,
                ordinal=ordinal,
                start=start,
                end=end,
                text=article.text[start:end],
                meta=dict(meta),
            )
        )
    return chunks
