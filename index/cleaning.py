"""A loaded page → the article a reader would see: no chrome, no repeats.

Scraped news pages repeat themselves: the lead is printed twice, an image
caption repeats the heading ("Toàn cảnh hội nghị …" under "Hội nghị …"), the
same caption appears once as alt text and once as caption with another
tone-mark style. Repeats are found on ``match_form`` tokens, but the kept
paragraphs are the original lines, so what users see is what was published.
"""

from __future__ import annotations

from index.documents import Article, RawDocument
from index.metadata import extract_author, extract_date, find_title, is_chrome
from index.textnorm import normalize_for_compare, tokens

# A caption is short: no sentence-final punctuation, or only a few words.
CAPTION_MAX_WORDS = 40
SHORT_PARAGRAPH_WORDS = 12
# Shorter captions are too generic to be called a copy of a longer paragraph.
CONTAINED_MIN_TOKENS = 5
TITLE_REPEAT_OVERLAP = 0.8


def clean_article(raw: RawDocument) -> Article:
    paragraphs = [line.strip() for line in raw.text.split("\n") if line.strip()]
    date = extract_date(paragraphs)
    title, title_index = find_title(paragraphs)
    # Above the heading there is only a section label or a breadcrumb.
    body = [p for p in paragraphs[title_index or 0 :] if not is_chrome(p)]
    unique = _drop_duplicates(body)
    author = extract_author(unique)
    kept = _drop_repeating_captions(unique, title, author)
    return Article(
        doc_id=raw.doc_id,
        title=title,
        text="\n\n".join(kept),
        source_path=raw.source_path,
        content_hash=raw.content_hash,
        date=date,
        author=author,
    )


def _drop_duplicates(paragraphs: list[str]) -> list[str]:
    """First occurrence of each paragraph; "Đảng uỷ" and "Đảng ủy" count as the same."""
    seen: set[str] = set()
    unique: list[str] = []
    for paragraph in paragraphs:
        key = normalize_for_compare(paragraph)
        if key not in seen:
            seen.add(key)
            unique.append(paragraph)
    return unique


def _is_caption_like(paragraph: str) -> bool:
    words = len(paragraph.split())
    sentence_final = paragraph.endswith((".", "!", "?", "…", "./."))
    return words <= SHORT_PARAGRAPH_WORDS or (not sentence_final and words <= CAPTION_MAX_WORDS)


def _overlap(a: set[str], b: set[str]) -> float:
    return len(a & b) / min(len(a), len(b)) if a and b else 0.0


def _drop_repeating_captions(paragraphs: list[str], title: str, author: str | None) -> list[str]:
    """Drop short paragraphs that only repeat the title or another paragraph.

    The first paragraph (the heading, or the lead the title was made from) and
    the byline are never captions.
    """
    token_lists = [tokens(p) for p in paragraphs]
    # Spaces around token strings make containment whole-word: "hội nghị" is not in "hội nghịch".
    joined = [f" {' '.join(t)} " for t in token_lists]
    title_tokens = tokens(title)
    title_joined = f" {' '.join(title_tokens)} "
    kept: list[str] = []
    for i, paragraph in enumerate(paragraphs):
        if i == 0 or paragraph == author or not _is_caption_like(paragraph) or not token_lists[i]:
            kept.append(paragraph)
            continue
        in_other = len(token_lists[i]) >= CONTAINED_MIN_TOKENS and any(
            joined[i] in other and (joined[i] != other or j < i) for j, other in enumerate(joined) if j != i
        )
        repeats_title = joined[i] in title_joined or (
            _overlap(set(token_lists[i]), set(title_tokens)) >= TITLE_REPEAT_OVERLAP
        )
        if not (in_other or repeats_title):
            kept.append(paragraph)
    return kept
