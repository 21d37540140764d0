"""The one result object every front end (CLI, API, page, widget, eval) reads."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class Span(BaseModel):
    model_config = ConfigDict(extra="forbid")
    start: int  # offsets into the article's display text
    end: int
    text: str


class Citation(BaseModel):
    model_config = ConfigDict(extra="forbid")
    n: int  # the number used by [n] markers in the answer
    doc_id: str
    title: str
    date: str | None
    chunk_id: str
    text: str  # the passage
    start: int  # the passage's offsets into the article's display text
    end: int
    score: float
    cited: bool = False  # referenced by a [n] in the answer
    quote: Span | None = None  # the sentence the answer relies on
    more_quotes: list[Span] = Field(default_factory=list)  # other sentences of this passage the answer quotes
    answer_span: Span | None = None  # the short answer inside the article


class Unsupported(BaseModel):
    model_config = ConfigDict(extra="forbid")
    sentence: str
    n: list[int] = Field(default_factory=list)
    missing: list[str] = Field(default_factory=list)  # numbers, dates, names not found in the cited passages
    reason: str


class Timings(BaseModel):
    model_config = ConfigDict(extra="forbid")
    retrieve: float = 0.0
    generate: float = 0.0
    first_token: float | None = None
    total: float = 0.0


SHORT_ANSWER_LINE = "Trả lời ngắn:"  # how every front end introduces the short answer


class AnswerResult(BaseModel):
    model_config = ConfigDict(extra="forbid")
    question: str
    answer: str
    short_answer: str | None = None
    abstained: bool = False
    mode: Literal["llm", "extractive"] = "extractive"
    citations: list[Citation] = Field(default_factory=list)
    unsupported: list[Unsupported] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)
    timings_ms: Timings = Field(default_factory=Timings)
    rewritten_question: str | None = None  # the question as answered: a follow-up made standalone, typos corrected
    confidence: float | None = None  # the calibrated probability that the answer is right
    # Why a refusal: "no_match" = nothing related was found, "no_answer" = related passages were
    # found (and are returned) but none answers; None when not refused or not known.
    refusal_reason: Literal["no_match", "no_answer"] | None = None

    def as_said(self) -> str:
        """The answer as the user read it — the short answer's line, then the answer — for the chat's history:
        a follow-up ("Ông ấy …" after "Ai là …?") points at what was said (rag/followup.py)."""
        return f"{SHORT_ANSWER_LINE} {self.short_answer}\n{self.answer}" if self.short_answer else self.answer
