"""The Generator seam: an LLM that writes a cited answer from numbered passages."""

from __future__ import annotations

from typing import Iterator, Protocol

from rag.retrieval import Passage


class Generator(Protocol):
    #: Shown in the UI banner, e.g. "ollama:qwen2.5:7b-instruct".
    name: str

    def available(self) -> tuple[bool, str]:
        """(usable now, a Vietnamese reason when not) — must answer within a couple of seconds."""
        ...

    def status(self) -> tuple[bool, bool, str]:
        """(server reachable, model present, reason when not usable) — what /healthz reports."""
        ...

    def stream_answer(self, question: str, passages: list[Passage]) -> Iterator[str]:
        """Answer tokens; raises HoidapError (Vietnamese message) on any failure, even mid-stream."""
        ...

    def condense(self, history: list[tuple[str, str]], question: str) -> str:
        """Rewrite a follow-up question into a standalone one."""
        ...
