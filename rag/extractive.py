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

import numpy as np

from rag.candidates import SentenceCandidate, SpanCandidate, sentence_candidates, span_candidates, typed_spans
from rag.features import SENTENCE_FEATURES, QuestionContext, answer_row, sentence_rows, span_rows
from rag.scorer import AnswererModel, sigmoid

MAX_QUOTE_CHARS = 320


@dataclass
class Candidates:
    context: QuestionContext
    passages: list
    sentences: list[SentenceCandidate]
    features: np.ndarray  # one row per sentence


@dataclass
class Decision:
    sentence: SentenceCandidate | None
    short: tuple[int, int] | None  # offsets into the passage text
    quote: tuple[int, int] | None  # offsets into the passage text
    probability: float  # that the answer is right
    related: bool  # passages that share the question's rarer words were found
    rival: "Decision | None" = None  # another article's answer of a different value (sources disagree)
    span_prior: float = 0.0  # the short answer's fit to what is asked


def gather(context: QuestionContext, passages, article_folded=None) -> Candidates:
    sentences = sentence_candidates(passages)
    typed = [typed_spans(context.analysis, s.text) if context.analysis.qtype != "other" else [] for s in sentences]
    return Candidates(context, passages, sentences, sentence_rows(context, passages, sentences, article_folded, typed))


def spans_with_rows(context: QuestionContext, text: str) -> tuple[list[SpanCandidate], np.ndarray]:
    spans = span_candidates(context.analysis, text)
    return spans, span_rows(context, text, spans)


def best_span(spans: list[SpanCandidate], rows: np.ndarray, model: AnswererModel) -> tuple[SpanCandidate, float] | None:
    if not spans:
        return None
    logits = model.span.logits(rows)
    best = int(np.argmax(logits))
    return spans[best], float(logits[best])


def decide(candidates: Candidates, model: AnswererModel, spans_of=None) -> Decision:
    """``spans_of(i)``: the spans and span features of sentence i, when the caller keeps them (training)."""
    if not candidates.sentences:
        return Decision(None, None, None, 0.0, False)
    logits = model.sentence.logits(candidates.features)
    best = int(np.argmax(logits))
    decision = _decide_at(candidates, model, logits, best, spans_of)
    if candidates.context.analysis.qtype != "other" and decision.short is not None:
        decision.rival = _rival(candidates, model, logits, decision, spans_of)
    return decision


def _rival(candidates: Candidates, model: AnswererModel, logits: np.ndarray, chosen: Decision, spans_of):
    """The best sentence of another article, when its short answer says something else."""
    passages = candidates.passages
    doc = passages[chosen.sentence.passage_index].doc_id
    entities = SENTENCE_FEATURES.index("entities_in_sentence")
    # Another article, about the same named subject (another ward's figure is no disagreement).
    others = [i for i in np.argsort(-logits) if passages[candidates.sentences[i].passage_index].doc_id != doc
              and candidates.features[i, entities] == 1.0]
    if not others:
        return None
    rival = _decide_at(candidates, model, logits, int(others[0]), spans_of)
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


def _decide_at(candidates: Candidates, model: AnswererModel, logits: np.ndarray, best: int, spans_of) -> Decision:
    sentence = candidates.sentences[best]
    context = candidates.context
    spans, rows = spans_of(best) if spans_of else spans_with_rows(context, sentence.text)
    picked = best_span(spans, rows, model)
    span_logit = picked[1] if picked else None
    top_lexical = max((p.lexical_score for p in candidates.passages), default=0.0)
    row = answer_row(context, candidates.features, logits, best, top_lexical, span_logit,
                     picked[0].prior if picked else 0.0)
    probability = float(model.answer.probabilities(row[None, :])[0])
    short = None
    if picked is not None and sigmoid(span_logit) >= model.span_threshold:
        short = (sentence.start + picked[0].start, sentence.start + picked[0].end)
    passage_text = candidates.passages[sentence.passage_index].text
    quote = trim_quote(passage_text, sentence, short)
    related = float(candidates.features[:, 0].max() + candidates.features[:, 3].max()) >= 0.5
    return Decision(sentence, short, quote, probability, related, span_prior=picked[0].prior if picked else 0.0)


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
