"""Question in, result object out: retrieve, answer (LLM or extractive), cite, check.

``auto`` mode uses the LLM when it is reachable and its model is present, and
the extractive answerer otherwise; an LLM failure at any point (down, model
missing, timeout, dropped stream) falls back to the extractive answer with one
Vietnamese sentence saying why.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from index.config import Settings
from index.errors import HoidapError
from index.manifest import MANIFEST_NAME
from index.reader import IndexReader
from prompts import load_prompt
from rag.answer_text import extractive_result
from rag.byline import answer_author, is_author_question
from rag.compare import answer_comparison, comparison_parts
from rag.courtesy import without_courtesy
from rag.extractive import Candidates, decide, gather
from rag.features import QuestionContext
from rag.followup import rewrite_followup
from rag.question import QuestionAnalysis, analyse
from rag.result import AnswerResult, Timings
from rag.retrieval import Filters, HybridRetriever
from rag.scorer import AnswererModel, load_model


def _port_open(url: str, timeout: float) -> bool:
    import socket
    from urllib.parse import urlparse

    parsed = urlparse(url)
    port = parsed.port or (443 if parsed.scheme == "https" else 80)
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", port), timeout=min(timeout, 1.0)):
            return True
    except OSError:
        return False


@dataclass
class StreamEvent:
    kind: str  # "token" | "reset" (discard tokens shown so far) | "result"
    text: str = ""
    result: AnswerResult | None = None


class Answerer:
    """Cheap to construct; opens the index on first use and keeps it open."""

    def __init__(self, settings: Settings, *, reader: IndexReader | None = None, generator=None,
                 model: AnswererModel | None = None):
        self.settings = settings
        self._reader = reader
        self._generator = generator
        self._model = model
        self._retriever: HybridRetriever | None = None
        self._speller = None
        self._restorer = None
        self._manifest_stamp: int | None = None

    @property
    def model(self) -> AnswererModel:
        """The shipped answerer model (or ``HOIDAP_ANSWERER_MODEL``), read once."""
        if self._model is None:
            self._model = load_model(str(self.settings.answerer_model) if self.settings.answerer_model else None)
        return self._model

    @property
    def reader(self) -> IndexReader:
        if self._reader is None:
            self._manifest_stamp = self._stamp()
            self._reader = IndexReader.open(self.settings)
        return self._reader

    def _stamp(self) -> int | None:
        try:  # a stat per question: the manifest is replaced, never edited, when a sync commits
            return (Path(self.settings.data_dir) / MANIFEST_NAME).stat().st_mtime_ns
        except OSError:
            return None

    def refresh(self) -> bool:
        """Pick up an index rebuilt since it was opened (a long-running server); True if reopened."""
        if self._reader is None:
            return False
        stamp = self._stamp()
        if stamp is None or stamp == self._manifest_stamp:
            return False
        self._reader, self._retriever, self._manifest_stamp = IndexReader.open(self.settings), None, stamp
        self._speller = self._restorer = None
        return True

    @property
    def retriever(self) -> HybridRetriever:
        if self._retriever is None:
            reranker = None
            if self.settings.reranker:
                from rag.reranker import load_reranker

                reranker = load_reranker(self.settings.reranker)
            self._retriever = HybridRetriever(self.reader, candidates=self.settings.candidates,
                                              rrf_k=self.settings.rrf_k, dense_weight=self.settings.dense_weight,
                                              reranker=reranker, weights=self.model.retrieval)
        return self._retriever

    def analyse(self, question: str) -> tuple[QuestionAnalysis, bool]:
        """The question analysed once, without the courtesies around it (rag/courtesy.py), its unknown words
        corrected against the index vocabulary."""
        return self._analyse_core(without_courtesy(question))

    def _analyse_core(self, question: str) -> tuple[QuestionAnalysis, bool]:
        from rag.accents import AccentRestorer
        from rag.spelling import Speller

        first = analyse(question)
        if self._speller is None:
            self._speller = Speller(self.reader.lexical)
        corrected, changed = self._speller.correct(question, first.accented)
        analysis = analyse(corrected) if changed else first
        if self._restorer is None:
            self._restorer = AccentRestorer(self.reader.lexical)
        analysis.restored = self._restorer.terms(analysis)  # words typed without marks, as the archive writes them
        return analysis, changed

    def candidates(self, question: str | QuestionAnalysis, *, filters: Filters | None = None, k: int | None = None,
                   corrected: bool = False) -> Candidates:
        """Retrieve, then list and describe every sentence of the passages (the trainer uses this too)."""
        analysis, corrected = (question, corrected) if isinstance(question, QuestionAnalysis) else self.analyse(question)
        passages = self.retriever.retrieve(analysis, k=k or self.settings.top_k, filters=filters)
        context = QuestionContext.build(analysis, self.reader.lexical.idf, corrected)
        return gather(context, passages, self.reader.folded_article)

    @property
    def refusal_threshold(self) -> float:
        if self.settings.refusal_threshold is not None:
            return self.settings.refusal_threshold
        return self.model.refusal_threshold

    @property
    def generator(self):
        if self._generator is None:
            from rag.llm import OllamaGenerator

            self._generator = OllamaGenerator.from_settings(self.settings)
        return self._generator

    def resolve_mode(self, mode: str | None) -> tuple[str, list[str]]:
        """The mode to use now and any warning about why it is not the one asked for."""
        mode = mode or self.settings.mode
        if mode == "extractive":
            return "extractive", []
        if self._generator is None and not _port_open(self.settings.ollama_host, self.settings.ollama_connect_timeout):
            # No server listening: say so without importing the Ollama client (a cold `hoidap ask`).
            usable, reason = False, f"không kết nối được máy chủ Ollama tại {self.settings.ollama_host}"
        else:
            usable, reason = self.generator.available()
        if usable:
            return "llm", []
        if mode == "llm":
            return "extractive", [f"Không dùng được mô hình ngôn ngữ ({reason}); trả lời bằng cách trích xuất."]
        return "extractive", []

    def answer(self, question: str, **kwargs) -> AnswerResult:
        result = None
        for event in self.stream(question, **kwargs):
            if event.kind == "result":
                result = event.result
        assert result is not None
        return result

    def stream(self, question: str, *, history: list[tuple[str, str]] | None = None, filters: Filters | None = None,
               mode: str | None = None, k: int | None = None) -> Iterator[StreamEvent]:
        started = time.perf_counter()
        question = (question or "").strip()
        if not question:
            raise HoidapError("Câu hỏi trống: hãy nhập một câu hỏi (empty question).")
        k = k or self.settings.top_k
        self.refresh()
        chosen, warnings = self.resolve_mode(mode)
        # "Cho tôi hỏi …", "… ạ": the words of the exchange name nothing in the archive (rag/courtesy.py).
        core = without_courtesy(question)
        standalone = core
        if history:
            history = [(without_courtesy(asked), said) for asked, said in history]
            standalone = self._condense(history, core, chosen, warnings)
        analysis, corrected = self._analyse_core(standalone)
        # What was answered: the follow-up made standalone, its unknown words corrected — shown to the user
        # ("Câu hỏi được hiểu là …") so a wrong correction of a name is seen, not silently answered.
        understood = analysis.text if corrected else standalone
        parts = comparison_parts(understood)  # subjects as corrected ("Phước Tan" is Phước Tân)
        t0 = time.perf_counter()
        passages = self.retriever.retrieve(analysis, k=k, filters=filters, warnings=warnings)
        retrieve_ms = (time.perf_counter() - t0) * 1000
        t1 = time.perf_counter()
        candidates = gather(QuestionContext.build(analysis, self.reader.lexical.idf, corrected), passages,
                            self.reader.folded_article)
        decision = decide(candidates, self.model)
        # The same calibrated gate decides for both answerers: a question it refuses never reaches the LLM.
        answerable = decision.passes(self.refusal_threshold)
        if chosen == "llm" and passages and (answerable or parts is not None):
            try:
                yield from self._stream_llm(question, understood, core, passages, warnings, started, retrieve_ms)
                return
            except HoidapError as exc:
                warnings.append(f"Mô hình ngôn ngữ gặp lỗi ({exc}); dưới đây là câu trả lời trích xuất.")
                # Front ends drop the tokens they already showed.
                yield StreamEvent("reset", text=warnings[-1])
        result = None
        if parts is not None:
            result = answer_comparison(self, question, parts, filters, k)
        elif is_author_question(standalone):
            result = answer_author(question, passages, self.reader)
        if result is None:
            result = extractive_result(question, passages, decision, self.refusal_threshold, filters,
                                       rival_threshold=self.model.refusal_threshold)
        result.warnings = warnings + result.warnings
        result.rewritten_question = understood if understood not in (question, core) else None
        generate_ms = (time.perf_counter() - t1) * 1000
        result.timings_ms = Timings(retrieve=round(retrieve_ms, 2), generate=round(generate_ms, 2),
                                    first_token=round((time.perf_counter() - started) * 1000, 2),
                                    total=round((time.perf_counter() - started) * 1000, 2))
        yield StreamEvent("token", text=result.answer)
        yield StreamEvent("result", result=result)

    def _condense(self, history, question, chosen, warnings) -> str:
        if chosen == "llm":
            try:
                return self.generator.condense(history, question)
            except HoidapError as exc:
                warnings.append(f"Không viết lại được câu hỏi tiếp theo bằng mô hình ({exc}).")
        return rewrite_followup(history, question)

    def _stream_llm(self, question, understood, core, passages, warnings, started, retrieve_ms) -> Iterator[StreamEvent]:
        from rag.citations import build_llm_result

        t1 = time.perf_counter()
        first_token = None
        pieces: list[str] = []
        for token in self.generator.stream_answer(understood, passages):
            if first_token is None:
                first_token = (time.perf_counter() - started) * 1000
            pieces.append(token)
            yield StreamEvent("token", text=token)
        text = "".join(pieces).strip()
        result = build_llm_result(question, text, passages, refusal=load_prompt("refusal"))
        result.warnings = warnings + result.warnings
        result.rewritten_question = understood if understood not in (question, core) else None
        result.timings_ms = Timings(retrieve=round(retrieve_ms, 2), generate=round((time.perf_counter() - t1) * 1000, 2),
                                    first_token=round(first_token or 0.0, 2),
                                    total=round((time.perf_counter() - started) * 1000, 2))
        yield StreamEvent("result", result=result)
