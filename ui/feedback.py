"""Thumbs up/down (and a vote taken back), one JSON line each, in ``<data_dir>/feedback.jsonl``.

A process-wide lock plus one ``write`` per line keeps concurrent votes from
interleaving; the file is plain JSONL so reviewers can grep it or load it
into a spreadsheet without the app.
"""

from __future__ import annotations

import json
import threading
from datetime import datetime, timezone
from pathlib import Path

from index.errors import HoidapError

_LOCK = threading.Lock()


class FeedbackLog:
    def __init__(self, data_dir: Path):
        self.path = Path(data_dir) / "feedback.jsonl"

    def append(self, question: str, answer: str, citations: list, vote: str, source: str = "api",
               turn: str | None = None) -> dict:
        """``vote`` is "up", "down" or "retract" (the voter took the vote back); ``turn`` names the answer
        voted on (page session and turn number), so a changed or retracted vote replaces the earlier one."""
        record = {
            "time": datetime.now(timezone.utc).astimezone().isoformat(timespec="seconds"),
            "vote": vote,
            "question": question,
            "answer": answer,
            "citations": citations,
            "source": source,
        }
        if turn:
            record["turn"] = turn
        line = json.dumps(record, ensure_ascii=False) + "\n"
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with _LOCK, self.path.open("a", encoding="utf-8") as handle:
                handle.write(line)
        except OSError as exc:
            raise HoidapError(f"Không ghi được phản hồi vào {self.path} ({exc.strerror or exc}).") from exc
        return record


def citation_summary(citations) -> list[dict]:
    """The part of each cited passage worth keeping next to a vote (not the whole passage)."""
    out = []
    for c in citations or []:
        if hasattr(c, "model_dump"):
            c = c.model_dump()
        if not isinstance(c, dict) or not c.get("cited", True):
            continue
        quote = (c.get("quote") or {}).get("text") if isinstance(c.get("quote"), dict) else None
        out.append({k: v for k, v in {"n": c.get("n"), "doc_id": c.get("doc_id"), "title": c.get("title"),
                                      "chunk_id": c.get("chunk_id"), "quote": quote}.items() if v is not None})
    return out
