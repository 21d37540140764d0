"""Readable features of the question's candidates, in the order the shipped model expects.

The question is analysed once (``QuestionContext``); each sentence, each span and
the final decision then get one row of plain numbers. A change here changes
``FEATURE_SCHEMA`` and so the schema hash the model card records: the shipped
model must then be retrained (``hoidap train``), which a test checks.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from index.textnorm import fold, folded_tokens, token_forms, with_bigrams
from rag.candidates import SentenceCandidate, SpanCandidate, clauses, words
from rag.question import QuestionAnalysis
from rag.spans import capitalised_runs

SENTENCE_FEATURES = [
    "cover_unigram",  # IDF-weighted share of the question's words in the sentence
    "cover_bigram",  # … of its adjacent word pairs
    "cover_folded",  # … of its words without diacritics (a slipped tone mark still matches)
    "cover_context",  # … found only elsewhere in the passage
    "cover_title",  # … found only in the article's title
    "missing_top_idf",  # the rarest question word the sentence lacks, relative to the rarest asked
    "compactness",  # matched question words close together
    "type_found",  # the sentence holds a candidate of the asked-for type
    "type_prior",  # … and its best fit (unit, head, date granularity)
    "question_other",  # the question asks for no particular type
    "entities_in_article",  # share of the question's names found in the article
    "entities_in_sentence",  # … in the sentence (as whole words)
    "passage_rank",  # 1 / (1 + rank)
    "passage_score",  # the passage's retrieval score relative to the top one
    "sentence_first",  # first sentence of its passage
    "length",  # log characters
    "new_words",  # share of the sentence's words the question does not use
    "longest_run",  # the longest run of question words found in the same order, per question word
    "question_pairs",  # share of the question's adjacent word pairs (question words included) in the sentence
    "neighbour_cover",  # question words found only in the sentences before and after it
    "slot_left",  # IDF share of the words just before the question word found here followed by a new word
    "slot_right",  # … of the words just after it found here after a new word (the answer fills the slot)
    "anaphor_previous",  # the sentence opens with "này/đó/trên…" and the one before it covers the question
    "article_cover",  # IDF-weighted share of the question's words in its article's retrieved passages and title
    # The same measures relative to the question's best sentence (0 for the best, negative below it):
    "cover_unigram_vs_best", "cover_bigram_vs_best", "longest_run_vs_best", "question_pairs_vs_best",
    "article_cover_vs_best",  # … here: below the best-covering article's
]
_RELATIVE = ["cover_unigram", "cover_bigram", "longest_run", "question_pairs", "article_cover"]
SPAN_FEATURES = [
    "kind_number", "kind_date", "kind_person", "kind_place", "kind_phrase",
    "kind_remainder",  # a stretch between the question's words, across commas
    "type_prior",  # fit of the span's kind to what is asked
    "typed_question_phrase",  # a typed question answered by an untyped phrase
    "question_overlap",  # share of the span's words the question already has
    "words_log",  # log(1 + words)
    "single_word",
    "near_before",  # closeness to the nearest question word before the span
    "near_after",  # … after it
    "clause_cover",  # IDF-weighted share of the question in the span's clause
    "whole_clause",  # the span is its whole clause
    "after_copula",  # right after "là" / "gồm" / "bao gồm"
    "after_preposition",  # right after tại / ở / vào / từ / đến / trong / do / bởi / vì
    "capitalised",  # share of capitalised words
    "has_digit",
    "position",  # where the span starts in the sentence, 0..1
    "slot_after_left",  # closeness after a word the question has just before its question word
    "slot_before_right",  # closeness before a word the question has just after it
    "near_weighted",  # IDF-weighted closeness of every question word found in the sentence
    "clause_end",  # the span runs to the end of its clause
    "sentence_end",  # … to the end of the sentence
    "words_log_explanation",  # words_log when the question asks why / how (answered by a clause)
]
ANSWER_FEATURES = [
    "sentence_logit",  # the sentence scorer's logit for the chosen sentence
    "sentence_share",  # its softmax share among the question's sentences
    "sentence_margin",  # … minus the runner-up's
    "cover_unigram", "cover_bigram", "missing_top_idf", "entities_in_article", "type_found", "type_prior",
    "question_other", "cover_context", "longest_run", "question_pairs", "neighbour_cover",
    "top_passage_score",  # BM25 score of the top passage per unit of question IDF
    "span_probability",  # the span scorer's probability for the short answer (0 when none)
    "has_span",
    "span_prior",  # the short answer's fit to what is asked (unit, head, date granularity)
    "question_words_log",  # log(1 + content words)
    "corrected",  # a question word was corrected against the index vocabulary
    "slot_left", "slot_right",
    # The shape of what was retrieved (a question about an article that is not indexed finds
    # many half-matching articles, none standing out):
    "doc_cover",  # IDF-weighted share of the question's words in the best-covering article's passages
    "doc_cover_gap",  # … minus the next article's
    "doc_bigram_cover",  # … of its word pairs, in the best-covering article
    "distinct_docs",  # articles among the passages, per passage
    "other_doc_score",  # best passage score of another article, relative to the top passage's
    "doc_missing_top_idf",  # the rarest question word missing from the top passage's article
]
FEATURE_SCHEMA = {"version": 8, "sentence": SENTENCE_FEATURES, "span": SPAN_FEATURES, "answer": ANSWER_FEATURES}


def schema_hash() -> str:
    """Changes whenever the feature lists (or their version, bumped when a feature's code changes) do."""
    return hashlib.sha256(json.dumps(FEATURE_SCHEMA, sort_keys=True).encode()).hexdigest()[:16]


_COPULA = {"la", "gom", "bao gom"}
_ROMAN = re.compile(r"[IVXLC]+")
# A sentence opening with one of these within its first words goes on from the sentence before it.
_ANAPHORS = {"nay", "do", "tren", "ay", "ho", "vay"}
_PREPOSITIONS = {"tai", "o", "vao", "tu", "den", "trong", "do", "boi", "vi", "nho", "bang", "cho", "voi"}


@dataclass
class QuestionContext:
    """Everything the features need from the question, computed once."""

    analysis: QuestionAnalysis
    field: str
    weights: dict[str, float]  # question term (unigram or bigram, in ``field``) → IDF
    total: float
    max_unigram_idf: float
    entities: list[str]  # folded proper names of the question
    folded_words: set[str]
    corrected: bool = False
    _term_cache: dict = field(default_factory=dict)

    @classmethod
    def build(cls, analysis: QuestionAnalysis, idf, corrected: bool = False) -> "QuestionContext":
        from rag.entities import question_entities

        name = "accented" if analysis.accented else "folded"
        terms = list(dict.fromkeys(analysis.terms(name)))
        weights = {t: max(idf(t, name), 0.1) for t in terms}
        unigrams = [w for t, w in weights.items() if "_" not in t]
        return cls(analysis, name, weights, sum(weights.values()) or 1.0, max(unigrams, default=1.0),
                   [fold(e) for e in question_entities(analysis.text)], set(folded_tokens(analysis.text)), corrected)

    def __post_init__(self):
        self._parts = {None: self.weights,
                       False: {t: w for t, w in self.weights.items() if "_" not in t},
                       True: {t: w for t, w in self.weights.items() if "_" in t}}
        self._totals = {k: sum(v.values()) for k, v in self._parts.items()}
        self._folded_unigrams = [t for t in self.analysis.terms("folded") if "_" not in t]
        analysis = self.analysis
        self._sequence = (analysis.all_accented if self.field == "accented" and analysis.all_accented
                          else analysis.all_folded)
        self._pairs = set(zip(self._sequence, self._sequence[1:]))
        left, right = analysis.anchors()
        # A function verb anchor ("có", "là") has no IDF of its own: it weighs as an average question word.
        typical = self._totals[False] / max(1, len(self._parts[False]))
        self.left_anchors = {self._sequence[i]: self.weights.get(self._sequence[i], typical) for i in left}
        self.right_anchors = {self._sequence[i]: self.weights.get(self._sequence[i], typical) for i in right}
        self._question_words = set(self._sequence)

    def slots(self, tokens: list[str]) -> tuple[float, float]:
        """IDF share of the anchors found with a word the question does not have on the answer's side."""
        fresh = self._question_words
        left = {t for i, t in enumerate(tokens[:-1]) if t in self.left_anchors and tokens[i + 1] not in fresh}
        right = {t for i, t in enumerate(tokens[1:], 1) if t in self.right_anchors and tokens[i - 1] not in fresh}
        share = (lambda found, anchors: sum(anchors[t] for t in found) / sum(anchors.values()) if anchors else 0.0)
        return share(left, self.left_anchors), share(right, self.right_anchors)

    def forms(self, text: str) -> tuple[list[str], list[str]]:
        """(tokens in the question's field, folded tokens) of a text, normalised once and cached."""
        cached = self._term_cache.get(text)
        if cached is None:
            accented, folded = _token_forms(text)
            cached = self._term_cache[text] = (accented if self.field == "accented" else folded, folded)
        return cached

    def terms_of(self, text: str) -> set[str]:
        return set(with_bigrams(self.forms(text)[0]))

    def cover(self, found: set[str], bigrams: bool | None = None) -> float:
        """IDF-weighted share of the question's terms (all, unigrams only or bigrams only) in ``found``."""
        total = self._totals[bigrams]
        return sum(w for t, w in self._parts[bigrams].items() if t in found) / total if total else 0.0


@lru_cache(maxsize=8192)
def _token_forms(text: str) -> tuple[list[str], list[str]]:
    """A passage's sentences come back for many questions (and for the answer after each retrieval):
    normalised once. The lists are shared, never changed."""
    return token_forms(text)


def sentence_rows(context: QuestionContext, passages, sentences: list[SentenceCandidate], article_folded,
                  typed_by_sentence: list[list[SpanCandidate]]) -> np.ndarray:
    top_score = max((p.score for p in passages), default=1.0) or 1.0
    forms = [context.forms(sentence.text) for sentence in sentences]
    found_terms = [set(with_bigrams(field_tokens)) for field_tokens, _ in forms]
    passage_terms: dict[int, set[str]] = {i: set() for i in range(len(passages))}
    for sentence, found in zip(sentences, found_terms):
        passage_terms[sentence.passage_index] |= found
    title_terms: dict[int, set[str]] = {}
    article_terms: dict[str, set[str]] = {}
    entity_share: dict[int, float] = {}
    for index, passage in enumerate(passages):
        title_terms[index] = context.terms_of(passage.title)
        article_terms.setdefault(passage.doc_id, set()).update(title_terms[index], passage_terms[index])
        if context.entities:
            whole = article_folded(passage.doc_id, passage.row) if article_folded else fold(passage.title + "\n" + passage.text)
            entity_share[index] = sum(e in whole for e in context.entities) / len(context.entities)
        else:
            entity_share[index] = 1.0
    weights = context.weights
    unigram_weights = context._parts[False]
    question_words = set(context._sequence)
    article_cover = {doc: context.cover(terms, bigrams=False) for doc, terms in article_terms.items()}
    rows = []
    for number, (sentence, typed, found, (field_tokens, folded)) in enumerate(
            zip(sentences, typed_by_sentence, found_terms, forms)):
        index = sentence.passage_index
        missing = [w for t, w in unigram_weights.items() if t not in found]
        matched_positions = [i for i, t in enumerate(field_tokens) if t in weights]
        spread = (max(matched_positions) - min(matched_positions) + 1) if matched_positions else 0
        new = sum(1 for t in folded if t not in context.folded_words)
        joined = " " + " ".join(folded) + " "
        entities_here = (sum(f" {e} " in joined for e in context.entities) / len(context.entities)
                         if context.entities else 1.0)
        folded_set = set(folded)
        slot_left, slot_right = context.slots(field_tokens)
        previous_cover = 0.0
        if folded[:4] and _ANAPHORS & set(folded[:4]) and number > 0 and sentences[number - 1].passage_index == index:
            previous_cover = context.cover(found_terms[number - 1], bigrams=False)
        rows.append([
            context.cover(found, bigrams=False),
            context.cover(found, bigrams=True),
            (sum(1 for t in context._folded_unigrams if t in folded_set) / len(context._folded_unigrams)
             if context._folded_unigrams else 0.0),
            context.cover(passage_terms[index] - found),
            context.cover(title_terms[index] - found - passage_terms[index]),
            max(missing, default=0.0) / context.max_unigram_idf,
            len(matched_positions) / spread if spread else 0.0,
            float(bool(typed)),
            max((s.prior for s in typed), default=0.0),
            float(context.analysis.qtype == "other"),
            entity_share[index],
            entities_here,
            1.0 / (1 + index),
            passages[index].score / top_score,
            float(sentence.position == 0),
            math.log1p(len(sentence.text)),
            new / max(1, len(folded)),
            _longest_run(context._sequence, field_tokens) / max(1, len(context._sequence)),
            len(context._pairs & set(zip(field_tokens, field_tokens[1:]))) / max(1, len(context._pairs)),
            len(_neighbour_words(sentences, forms, number) & question_words - set(field_tokens))
            / max(1, len(question_words)),
            slot_left, slot_right, previous_cover, article_cover[passages[index].doc_id],
        ])
    table = np.asarray(rows, dtype=np.float64).reshape(len(rows), len(SENTENCE_FEATURES) - len(_RELATIVE))
    columns = [SENTENCE_FEATURES.index(name) for name in _RELATIVE]
    relative = table[:, columns] - (table[:, columns].max(axis=0, keepdims=True) if len(table) else 0.0)
    return np.hstack([table, relative])


def _longest_run(question: list[str], sentence: list[str]) -> int:
    """Length of the longest stretch of the question found word for word in the sentence."""
    positions: dict[str, list[int]] = {}
    for j, token in enumerate(sentence):
        positions.setdefault(token, []).append(j)
    best = 0
    for i, token in enumerate(question):
        for j in positions.get(token, ()):
            length = 1
            while i + length < len(question) and j + length < len(sentence) and question[i + length] == sentence[j + length]:
                length += 1
            best = max(best, length)
    return best


def _neighbour_words(sentences: list[SentenceCandidate], forms, number: int) -> set[str]:
    words_near: set[str] = set()
    for other in (number - 1, number + 1):
        if 0 <= other < len(sentences) and sentences[other].passage_index == sentences[number].passage_index:
            words_near.update(forms[other][0])
    return words_near


@lru_cache(maxsize=100_000)
def word_forms(word: str) -> tuple[str, str]:
    """(accented match form, folded form) of one word, cached: span features look at every word."""
    accented, folded = token_forms(word)
    return (accented[0] if accented else word.lower()), (folded[0] if folded else word.lower())


def span_rows(context: QuestionContext, text: str, spans: list[SpanCandidate]) -> np.ndarray:
    found_words = words(text)
    forms = [word_forms(m.group(0)) for m in found_words]
    folded = [f for _, f in forms]
    keys = [a if context.field == "accented" else f for a, f in forms]
    anchors = [i for i, key in enumerate(keys) if key in context.weights]
    left_at = [i for i, key in enumerate(keys) if key in context.left_anchors]
    right_at = [i for i, key in enumerate(keys) if key in context.right_anchors]
    unigram_weights = context._parts[False]
    unigram_total = context._totals[False] or 1.0
    by_term: dict[str, list[int]] = {}
    for i, key in enumerate(keys):
        if key in unigram_weights:
            by_term.setdefault(key, []).append(i)
    clause_list = clauses(text)
    clause_cover = [context.cover(context.terms_of(text[s:e])) for s, e in clause_list]
    clause_starts = [s for s, _ in clause_list]
    starts = [m.start() for m in found_words]
    # Capitals of names, not Roman numerals ("khóa XII" is a term of office, not a name).
    capitals = {s + m.start() for s, e, _ in capitalised_runs(text) for m in words(text[s:e])
                if not _ROMAN.fullmatch(m.group(0))} if spans else set()
    is_capital = [start in capitals for start in starts]
    in_question = [f in context.folded_words for f in folded]
    typed_question = context.analysis.qtype != "other"
    rows = []
    for span in spans:
        first = bisect_left(starts, span.start)
        last = bisect_left(starts, span.end) - 1
        if last < first:
            first = last = min(first, max(0, len(starts) - 1))
        n = max(1, last - first + 1)
        before = [first - a for a in anchors if a < first]
        after = [a - last for a in anchors if a > last]
        clause = bisect_right(clause_starts, span.start) - 1
        clause = clause if 0 <= clause < len(clause_list) and span.start < clause_list[clause][1] else None
        whole = clause is not None and text[slice(*clause_list[clause])].strip() == text[span.start:span.end].strip()
        gaps_left = [first - a - 1 for a in left_at if a < first]
        gaps_right = [a - last - 1 for a in right_at if a > last]
        weighted = sum(unigram_weights[t] / (1 + min(abs(p - first) if p < first else abs(p - last) for p in places))
                       for t, places in by_term.items()
                       if not any(first <= p <= last for p in places)) / unigram_total
        clause_end = clause is not None and text[span.end:clause_list[clause][1]].strip(" .!…") == ""
        sentence_end = text[span.end:].strip(" .!?…\"”") == ""
        previous = folded[first - 1] if first > 0 else ""
        previous2 = " ".join(folded[max(0, first - 2):first])
        rows.append([
            float(span.kind == "number"), float(span.kind == "date"), float(span.kind == "person"),
            float(span.kind == "place"), float(span.kind == "phrase"), float(span.kind == "remainder"),
            span.prior,
            float(typed_question and span.kind == "phrase"),
            sum(in_question[first:last + 1]) / n,
            math.log1p(n),
            float(n == 1),
            1.0 / (1 + min(before)) if before else 0.0,
            1.0 / (1 + min(after)) if after else 0.0,
            clause_cover[clause] if clause is not None else 0.0,
            float(whole),
            float(previous in _COPULA or previous2 in _COPULA),
            float(previous in _PREPOSITIONS),
            sum(is_capital[first:last + 1]) / n,
            float(any(ch.isdigit() for ch in text[span.start:span.end])),
            first / max(1, len(found_words)),
            1.0 / (1 + min(gaps_left)) if gaps_left else 0.0,
            1.0 / (1 + min(gaps_right)) if gaps_right else 0.0,
            weighted,
            float(clause_end),
            float(sentence_end),
            math.log1p(n) * context.analysis.asks_explanation,
        ])
    return np.asarray(rows, dtype=np.float64).reshape(len(rows), len(SPAN_FEATURES))


def retrieval_shape(context: QuestionContext, passages) -> list[float]:
    if not passages:
        return [0.0] * 6
    by_doc: dict[str, set[str]] = {}
    for passage in passages:
        by_doc.setdefault(passage.doc_id, set()).update(context.terms_of(passage.title + "\n" + passage.text))
    covers = sorted((context.cover(t, bigrams=False) for t in by_doc.values()), reverse=True) + [0.0]
    top = max(p.lexical_score for p in passages)
    first = passages[0].doc_id
    other = max((p.lexical_score for p in passages if p.doc_id != first), default=0.0)
    missing = [w for t, w in context._parts[False].items() if t not in by_doc[first]]
    return [covers[0], covers[0] - covers[1], max(context.cover(t, bigrams=True) for t in by_doc.values()),
            len(by_doc) / len(passages), other / top if top else 0.0, max(missing, default=0.0) / context.max_unigram_idf]


def answer_row(context: QuestionContext, passages, sentence_features: np.ndarray, sentence_logits: np.ndarray,
               best: int, span_probability: float | None, span_prior: float = 0.0) -> np.ndarray:
    ranked = np.sort(sentence_logits)[::-1]
    margin = float(ranked[0] - ranked[1]) if len(ranked) > 1 else 5.0
    chosen = dict(zip(SENTENCE_FEATURES, sentence_features[best]))
    top_lexical = max((p.lexical_score for p in passages), default=0.0)
    return np.asarray([
        float(sentence_logits[best]), float(1.0 / np.exp(sentence_logits - sentence_logits[best]).sum()), min(margin, 5.0),
        chosen["cover_unigram"], chosen["cover_bigram"], chosen["missing_top_idf"], chosen["entities_in_article"],
        chosen["type_found"], chosen["type_prior"], chosen["question_other"], chosen["cover_context"],
        chosen["longest_run"], chosen["question_pairs"], chosen["neighbour_cover"],
        top_lexical / context.total,
        span_probability if span_probability is not None else 0.0,
        float(span_probability is not None),
        span_prior,
        math.log1p(len(context.analysis.kept)),
        float(context.corrected),
        chosen["slot_left"], chosen["slot_right"],
        *retrieval_shape(context, passages),
    ], dtype=np.float64)
