"""The weightless answerer: rank the sentences, pick the short answer, decide whether to answer.

One path for every question: candidates (rag/candidates.py) → features
(rag/features.py) → the shipped scorers (rag/scorer.py). The chosen sentence is
quoted and cited at exact offsets; the short answer is the best-scored span in
it when that span is likely enough; the answer is given only when the
calibrated probability that it is right passes the refusal threshold.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from rag.candidates import (WORD_RE, SentenceCandidate, SpanCandidate, sentence_candidates, span_candidates,
                             typed_spans)
from rag.features import SENTENCE_FEATURES, QuestionContext, answer_row, sentence_rows, span_rows
from rag.lexicon import whole_words
from rag.scorer import AnswererModel

MAX_QUOTE_CHARS = 320
MAX_QUOTES_CHARS = 400  # the first quote and a second sentence together
# Related passages were found when some sentence and the rest of its passage hold this share of the
# question's IDF weight (the refusal then says "none answers" rather than "nothing related").
RELATED_COVER = 0.5
RIVAL_COVER_SLACK = 0.05  # a rival article may miss a twentieth of the question's weight (a function word)
_COVER, _COVER_CONTEXT = SENTENCE_FEATURES.index("cover_unigram"), SENTENCE_FEATURES.index("cover_context")


@dataclass
class Candidates:
    context: QuestionContext
    passages: list
    sentences: list[SentenceCandidate]
    features: np.ndarray  # one row per sentence

    @cached_property
    def related(self) -> bool:
        """A question-level fact: some sentence and the rest of its passage hold RELATED_COVER of the question."""
        return bool(len(self.features)) and float(
            self.features[:, _COVER].max() + self.features[:, _COVER_CONTEXT].max()) >= RELATED_COVER


@dataclass
class Decision:
    sentence: SentenceCandidate | None
    short: tuple[int, int] | None  # offsets into the passage text
    quote: tuple[int, int] | None  # offsets into the passage text
    probability: float  # that the answer is right
    related: bool  # passages that share the question's rarer words were found
    rival: "Decision | None" = None  # another article's answer of a different value (sources disagree)
    span_prior: float = 0.0  # the short answer's fit to what is asked
    span_probability: float = 0.0  # the span scorer's share for the best span (0 when the sentence has none)
    row: np.ndarray | None = None  # the answer features the probability was computed from (training reads them)
    # A second sentence quoted after the first: (passage index, start, end) — same article, scored nearly as high.
    second: tuple[int, int, int] | None = None

    def passes(self, threshold: float) -> bool:
        """Answer only when something related was found and the answer is likely enough: when nothing
        shares half the question's weight, the refusal says "nothing related" — and so it must refuse
        (a question far from every article is outside what the probability was fitted on)."""
        return self.sentence is not None and self.related and self.probability >= threshold


def gather(context: QuestionContext, passages, article_folded=None) -> Candidates:
    sentences = sentence_candidates(passages)
    typed = [typed_spans(context.analysis, s.text) if context.analysis.qtype != "other" else [] for s in sentences]
    return Candidates(context, passages, sentences, sentence_rows(context, passages, sentences, article_folded, typed))


def spans_with_rows(context: QuestionContext, text: str) -> tuple[list[SpanCandidate], np.ndarray]:
    spans = span_candidates(context.analysis, text)
    return spans, span_rows(context, text, spans)


def best_span(spans: list[SpanCandidate], rows: np.ndarray, model: AnswererModel) -> tuple[SpanCandidate, float] | None:
    """The best-scored span and its probability of being the short answer."""
    choice = model.span.choice(rows) if spans else None
    return (spans[choice[0]], choice[2]) if choice else None


def decide(candidates: Candidates, model: AnswererModel, spans_of=None, rival: bool = True) -> Decision:
    """``spans_of(i)``: the spans and span features of sentence i, when the caller keeps them (training).
    A draft model without its answer scorer yet (training) decides everything but the probability (0)."""
    if not candidates.sentences:
        return Decision(None, None, None, 0.0, False)
    logits = model.sentence.logits(candidates.features)
    best = int(np.argmax(logits))
    decision = _decide_at(candidates, model, logits, best, spans_of)
    if rival and candidates.context.analysis.qtype != "other" and decision.short is not None:
        decision.rival = _rival(candidates, model, logits, decision, spans_of)
    return decision


def _rival(candidates: Candidates, model: AnswererModel, logits: np.ndarray, chosen: Decision, spans_of):
    """The best sentence of another article, when its short answer says something else."""
    passages = candidates.passages
    doc = passages[chosen.sentence.passage_index].doc_id
    entities = SENTENCE_FEATURES.index("entities_in_sentence")
    cover = SENTENCE_FEATURES.index("article_cover")
    chosen_cover = candidates.features[candidates.sentences.index(chosen.sentence), cover]
    # Another article, about the same named subject (another ward's figure is no disagreement) — also when the
    # question names it without capitals ("phuong cau ong lanh …"): that article holds the question's words as
    # fully as the chosen one.
    others = [i for i in np.argsort(-logits) if passages[candidates.sentences[i].passage_index].doc_id != doc
              and candidates.features[i, entities] == 1.0
              and candidates.features[i, cover] >= chosen_cover - RIVAL_COVER_SLACK]
    if not others:
        return None
    # Judged as if the chosen article were not there: would this one be answered on its own?
    alone = np.where([passages[s.passage_index].doc_id == doc for s in candidates.sentences], -1e9, logits)
    rival = _decide_at(candidates, model, alone, int(others[0]), spans_of)
    if rival.short is None or rival.span_prior < chosen.span_prior:
        return None
    ours = _value(passages[chosen.sentence.passage_index].text, chosen.short)
    theirs = _value(passages[rival.sentence.passage_index].text, rival.short)
    return rival if ours != theirs else None


def _value(text: str, span: tuple[int, int]) -> str:
    from index.textnorm import normalize_for_compare
    from rag.spans import parse_number

    piece = text[span[0]:span[1]]
    number = parse_number(piece)
    return str(number) if number is not None else normalize_for_compare(piece)


_PAIRS = (("(", ")"), ("[", "]"), ("“", "”"), ("«", "»"))


def closed(text: str, start: int, end: int) -> tuple[int, int]:
    """A short answer that opens a bracket or a quote takes the closing mark right after it: "Ngôn ngữ Ký
    hiệu Mỹ (ASL" → "… (ASL)". (Dropping what precedes a closing mark the answer never opened was measured:
    it changes the answer's words, and F1 no better.)"""
    piece = text[start:end]
    for opening, closing in _PAIRS:
        if piece.count(opening) > piece.count(closing) and text[end:end + 1] == closing:
            end += 1
    if piece.count('"') % 2 and text[end:end + 1] == '"' and text[start:start + 1] == '"':
        end += 1
    return start, end


# Words before a figure that say it is a bound or an estimate, not the exact count.
_BOUND_RE = re.compile(r"(?<!\w)(?:hơn|gần|khoảng|trên|dưới|chừng|xấp xỉ|ít nhất|tối thiểu|tối đa|chưa đến|"
                       r"chưa tới)\s+$", re.IGNORECASE)


def shown_span(text: str, span: SpanCandidate) -> tuple[int, int]:
    """The chosen span as the short answer shows it: whole words, its brackets closed. A date keeps the edges of
    its pattern: "sang năm" is a word, but "Sang năm 167 TCN" is no answer to "khi nào". A count keeps the word
    that bounds it: "hơn 4 tỷ đồng" is not "4 tỷ đồng"."""
    start, end = span.start, span.end
    if span.kind == "number":
        bound = _BOUND_RE.search(text[max(0, start - 16):start])
        start -= len(bound.group(0)) if bound else 0
    if span.kind != "date":
        start, end = whole_words(text, start, end)
    if span.kind in ("phrase", "remainder"):
        start, end = whole_names(text, start, end)
    return closed(text, start, end)


def whole_names(text: str, start: int, end: int) -> tuple[int, int]:
    """A phrase that starts or ends inside a name is widened to the whole name: "Lan là một xã" of "Ba Lan là một
    xã", "Tyne" of "Sông Tyne". A name is capitalised words one space apart, not written all in capitals (an
    acronym or a numeral ends a name: "Super Bowl XLIX New England Patriots" is two); the sentence's first word
    is capitalised anyway, and is not taken on that ground."""
    found = list(WORD_RE.finditer(text))
    inside = [i for i, m in enumerate(found) if m.start() >= start and m.end() <= end]
    if not inside:
        return start, end
    first, last = inside[0], inside[-1]

    def name_word(i: int) -> bool:  # an acronym or a numeral ("XLIX", "LHQ") ends a name: another may follow
        return found[i].group(0)[:1].isupper() and not found[i].group(0).isupper()

    def joined(a: int, b: int) -> bool:
        return a > 0 and text[found[a].end():found[b].start()] == " " and name_word(a) and name_word(b)

    while first > 0 and joined(first - 1, first):
        first -= 1
    while last + 1 < len(found) and joined(last, last + 1):
        last += 1
    return min(start, found[first].start()), max(end, found[last].end())


def _decide_at(candidates: Candidates, model: AnswererModel, logits: np.ndarray, best: int, spans_of) -> Decision:
    sentence = candidates.sentences[best]
    context = candidates.context
    spans, rows = spans_of(best) if spans_of else spans_with_rows(context, sentence.text)
    picked = best_span(spans, rows, model)
    span_probability = picked[1] if picked else None
    row = answer_row(context, candidates.passages, candidates.features, logits, best, span_probability,
                     picked[0].prior if picked else 0.0)
    probability = float(model.answer.probabilities(row[None, :])[0]) if model.answer is not None else 0.0
    short = None
    if picked is not None and span_probability >= model.span_threshold:
        start, end = shown_span(sentence.text, picked[0])
        short = (sentence.start + start, sentence.start + end)
    passage_text = candidates.passages[sentence.passage_index].text
    quote = trim_quote(passage_text, sentence, short)
    neighbour = with_neighbour(candidates.sentences, logits, best, model.quote_margin,
                               model.quote_join_chars)
    if neighbour is not None and quote == (sentence.start, sentence.end):
        quote = neighbour
    return Decision(sentence, short, quote, probability, candidates.related,
                    span_prior=picked[0].prior if picked else 0.0,
                    span_probability=span_probability or 0.0, row=row,
                    second=second_sentence(candidates, logits, best, quote, model.quote_second_margin))


def second_sentence(candidates: Candidates, logits: np.ndarray, best: int, quote: tuple[int, int],
                    margin: float | None) -> tuple[int, int, int] | None:
    """The best-scored other sentence of the chosen article, when the ranker scores it within the fitted
    ``margin`` of the chosen one and both fit in MAX_QUOTES_CHARS: an answer is often split over two
    sentences of one article ("… hiện có 553 đảng viên" and, further on, "… sinh hoạt tại 29 chi bộ"),
    and the ranker's runner-up holds it when its first choice does not. Never another article (two
    articles' figures side by side read as one answer), nor a sentence inside the quote or repeating it, nor
    one holding none of the question's words."""
    if margin is None:
        return None
    from index.textnorm import normalize_for_compare

    chosen = candidates.sentences[best]
    passages = candidates.passages
    doc = passages[chosen.passage_index].doc_id
    quoted = normalize_for_compare(passages[chosen.passage_index].text[quote[0]:quote[1]])
    for i in np.argsort(-logits):
        if logits[i] < logits[best] - margin:
            return None
        other = candidates.sentences[int(i)]
        if passages[other.passage_index].doc_id != doc or (
                other.passage_index == chosen.passage_index and other.start < quote[1] and other.end > quote[0]):
            continue
        if normalize_for_compare(other.text) in quoted or quoted in normalize_for_compare(other.text):
            continue  # a duplicated paragraph
        if candidates.features[int(i), _COVER] <= 0:
            continue  # none of the question's words: no evidence (a byline "Hoàng Bình" scores high for "ai …?")
        if quote[1] - quote[0] + len(other.text) > MAX_QUOTES_CHARS:
            return None
        return other.passage_index, other.start, other.end
    return None


def quoted_text(candidates: Candidates, decision: Decision) -> str:
    """Everything the answer quotes (the trainer and the evaluation judge this), in the order shown."""
    passages = candidates.passages
    text = passages[decision.sentence.passage_index].text[decision.quote[0]:decision.quote[1]]
    if decision.second is not None:
        index, start, end = decision.second
        text += " " + passages[index].text[start:end]
    return text


def with_neighbour(sentences: list[SentenceCandidate], logits: np.ndarray, best: int,
                   margin: float | None, join_chars: int | None = None) -> tuple[int, int] | None:
    """The chosen sentence together with the sentence next to it, when the ranker scores that one nearly as
    high (within the fitted ``margin``) and both fit in MAX_QUOTE_CHARS, or whatever it scores when both
    together are short (within the fitted ``join_chars``): the answer is often one sentence on ("Phương
    pháp này …"), and the quote then shows both. Only within a paragraph: an article's title and its first
    sentence read as one run-on sentence when quoted together."""
    if margin is None and join_chars is None:
        return None
    chosen = sentences[best]
    near = [i for i in (best - 1, best + 1) if 0 <= i < len(sentences)
            and sentences[i].passage_index == chosen.passage_index
            and abs(sentences[i].position - chosen.position) == 1 and sentences[i].line == chosen.line]
    if not near:
        return None
    other = max(near, key=lambda i: logits[i])
    start, end = min(chosen.start, sentences[other].start), max(chosen.end, sentences[other].end)
    close = margin is not None and logits[other] >= logits[best] - margin and end - start <= MAX_QUOTE_CHARS
    short = join_chars is not None and end - start <= join_chars
    return (start, end) if close or short else None


def trim_quote(text: str, sentence: SentenceCandidate, short: tuple[int, int] | None) -> tuple[int, int]:
    """Long sentences are cut to the clauses around the short answer, so the quote stays readable."""
    if sentence.end - sentence.start <= MAX_QUOTE_CHARS or short is None:
        return sentence.start, sentence.end
    pieces = [(sentence.start + m.start(), sentence.start + m.end())
              for m in re.finditer(r"[^;:,]+[;:,]?", text[sentence.start:sentence.end])]
    centre = next((i for i, (s, e) in enumerate(pieces) if s <= short[0] < e), 0)
    start, end = pieces[centre]
    low, high = centre, centre
    while True:  # grow around the answer while the quote stays short
        grown = False
        if low > 0 and end - pieces[low - 1][0] <= MAX_QUOTE_CHARS:
            low -= 1
            start = pieces[low][0]
            grown = True
        if high + 1 < len(pieces) and pieces[high + 1][1] - start <= MAX_QUOTE_CHARS:
            high += 1
            end = pieces[high][1]
            grown = True
        if not grown:
            break
    end = max(end, short[1])
    while start < end and text[start] in " ,;:":
        start += 1
    while end > start and text[end - 1] in " ,;:":
        end -= 1
    return start, end
