"""`hoidap ask`: stream the answer to stdout, then the sources; --json prints the result object."""

from __future__ import annotations

import sys

from index.config import Settings
from rag.pipeline import Answerer
from rag.result import SHORT_ANSWER_LINE


def run_ask(settings: Settings, question: str, *, as_json: bool = False, after: list[str] | None = None) -> int:
    answerer = Answerer(settings)
    history = conversation(answerer, after) if after else None
    result = None
    for event in answerer.stream(question, history=history):
        if event.kind == "token" and not as_json:
            sys.stdout.write(event.text)
            sys.stdout.flush()
        elif event.kind == "reset" and not as_json:
            sys.stdout.write("\n")
            print(f"⚠ {event.text}", file=sys.stderr)
        elif event.kind == "result":
            result = event.result
    if result is None:
        return 1
    if as_json:
        print(result.model_dump_json(indent=1))
        return 0
    sys.stdout.write("\n")
    if result.rewritten_question:
        print(f"(Câu hỏi được hiểu là: {result.rewritten_question})", file=sys.stderr)
    if result.short_answer:
        print(f"{SHORT_ANSWER_LINE} {result.short_answer}")
    for item in result.unsupported:
        print(f"⚠ Chưa được nguồn xác nhận: {item.sentence} ({', '.join(item.missing) or item.reason})")
    print("\nNguồn:" if not result.abstained else "\nCác đoạn gần nhất:")
    for citation in result.citations:
        if result.abstained or citation.cited:
            date = f", {citation.date}" if citation.date else ""
            quotes = [q.text for q in ([citation.quote] if citation.quote else []) + citation.more_quotes] or [citation.text]
            print(f"[{citation.n}] {citation.title}{date} ({citation.doc_id}, ký tự {citation.start}–{citation.end})")
            for quote in quotes:
                print(f"    «{_clip(quote)}»")
    for warning in result.warnings:
        print(f"⚠ {warning}", file=sys.stderr)
    mode = "LLM" if result.mode == "llm" else "trích xuất (extractive)"
    print(f"— chế độ {mode}, {result.timings_ms.total:.0f} ms", file=sys.stderr)
    return 0


def _clip(text: str, limit: int = 300) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def conversation(answerer: Answerer, questions: list[str]) -> list[tuple[str, str]]:
    """The earlier questions of `--after` with what the chat would have said to each (extractive, each after the
    ones before it): a follow-up can then point at an answer ("Ông ấy …" after "Ai là Chủ tịch HĐND Quận 1?"),
    as on the page, whose conversation keeps the answers."""
    history: list[tuple[str, str]] = []
    for asked in questions:
        said = answerer.answer(asked, history=history or None, mode="extractive").as_said()
        history.append((asked, said))
    return history
