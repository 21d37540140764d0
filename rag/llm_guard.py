"""Deadlines, a bounded pool and a circuit breaker around the calls to a language model.

A model server can accept a question and then never answer (a hung runner), or answer one token a
second for minutes. Neither may stall the server:

* every call runs on its own worker thread, at most ``max_calls`` at once; a question that finds
  them all busy is not queued: it gets the extractive answer at once, with a notice, so answers that
  need no model (and ``/healthz``) never wait behind model calls;
* the caller waits for the first token at most ``first_token_s`` and for the whole answer at most
  ``total_s``, then gets a HoidapError (one Vietnamese sentence) and the pipeline answers extractively;
* after ``breaker_failures`` deadline misses in a row the breaker opens: no call is made for
  ``breaker_cooldown_s``; then one trial call is let through, and its outcome closes or reopens it.

A worker whose call was abandoned gives its slot back at once; it is told to stop (it checks between
tokens) and its socket has a read timeout, so the thread itself ends soon after.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Iterator
from typing import TypeVar

from index.errors import HoidapError

T = TypeVar("T")


class LLMDeadlineError(HoidapError):
    """The model did not answer in time."""


class LLMUnavailableError(HoidapError):
    """No call was made: every model slot is busy, or the breaker is open."""


class CircuitBreaker:
    """Closed → (N deadline misses in a row) → open for ``cooldown_s`` → half-open (one trial call)."""

    def __init__(self, failures: int, cooldown_s: float, clock: Callable[[], float] = time.monotonic):
        self.failures = max(1, failures)
        self.cooldown_s = cooldown_s
        self.clock = clock
        self._lock = threading.Lock()
        self._misses = 0
        self._opened_at: float | None = None
        self._trial_running = False

    def refusal(self, claim_trial: bool = True) -> str | None:
        """None when a call may be made now (claiming the half-open trial when ``claim_trial``), else why not."""
        with self._lock:
            if self._opened_at is None:
                return None
            wait = self._opened_at + self.cooldown_s - self.clock()
            if wait > 0:
                return (f"mô hình đã quá hạn trả lời {self._misses} lần liên tiếp nên tạm ngừng gọi "
                        f"thêm {wait:.0f} giây")
            if self._trial_running:
                return "đang thử gọi lại mô hình sau nhiều lần quá hạn"
            if claim_trial:
                self._trial_running = True
            return None

    def record(self, *, deadline_missed: bool) -> None:
        with self._lock:
            trial, self._trial_running = self._trial_running, False
            if deadline_missed:
                self._misses += 1
                if trial or self._misses >= self.failures:
                    self._opened_at = self.clock()
            elif trial and self._opened_at is not None:
                self._opened_at = None  # the trial answered (or failed fast for another reason): close
                self._misses = 0
            else:
                self._misses = 0

    def snapshot(self) -> dict:
        reason = self.refusal(claim_trial=False)
        with self._lock:
            if self._opened_at is None:
                state, retry = "closed", None
            else:
                left = self._opened_at + self.cooldown_s - self.clock()
                state, retry = ("open", round(left, 1)) if left > 0 else ("half-open", 0.0)
            return {"state": state, "consecutive_timeouts": self._misses, "threshold": self.failures,
                    "cooldown_s": self.cooldown_s, "retry_in_s": retry, "reason": reason or ""}


class LLMGuard:
    def __init__(self, *, first_token_s: float, total_s: float, max_calls: int, breaker_failures: int,
                 breaker_cooldown_s: float):
        self.first_token_s = first_token_s
        self.total_s = total_s
        self.max_calls = max(1, max_calls)
        self.breaker = CircuitBreaker(breaker_failures, breaker_cooldown_s)
        self._slots = threading.BoundedSemaphore(self.max_calls)
        self._busy = 0
        self._busy_lock = threading.Lock()

    # --- state
    def refusal(self) -> str | None:
        """Why a call would not be made now (breaker open), without claiming anything."""
        return self.breaker.refusal(claim_trial=False)

    def health(self) -> dict:
        with self._busy_lock:
            busy = self._busy
        return {"first_token_timeout_s": self.first_token_s, "total_timeout_s": self.total_s,
                "max_calls": self.max_calls, "calls_in_flight": busy, "breaker": self.breaker.snapshot()}

    # --- calls
    def stream(self, start: Callable[[threading.Event], Iterator[str]]) -> Iterator[str]:
        """The pieces ``start(cancel)`` yields, produced on a worker, within the deadlines."""
        items: queue.SimpleQueue = queue.SimpleQueue()
        cancel, release = self._launch(lambda stop: self._pump(start, items, stop))
        began = time.monotonic()
        first = True
        try:
            while True:
                limit = min(self.first_token_s, self.total_s) if first else self.total_s
                try:
                    kind, value = items.get(timeout=max(0.0, began + limit - time.monotonic()))
                except queue.Empty:
                    self.breaker.record(deadline_missed=True)
                    raise LLMDeadlineError(self._late(first)) from None
                if kind == "piece":
                    first = False
                    yield value
                elif kind == "done":
                    self.breaker.record(deadline_missed=False)
                    return
                else:
                    self.breaker.record(deadline_missed=False)
                    raise value
        finally:
            cancel.set()  # a consumer that stops early (deadline, client gone) stops the worker too
            release()

    def call(self, fn: Callable[[], T], deadline_s: float | None = None) -> T:
        """``fn()`` on a worker, waited for at most ``deadline_s`` (default: the first-token deadline)."""
        items: queue.SimpleQueue = queue.SimpleQueue()

        def run(cancel: threading.Event) -> None:
            try:
                items.put(("done", fn()))
            except BaseException as exc:  # noqa: BLE001 - handed to the waiting caller
                items.put(("error", exc))

        cancel, release = self._launch(run)
        limit = self.first_token_s if deadline_s is None else deadline_s
        try:
            kind, value = items.get(timeout=limit)
        except queue.Empty:
            self.breaker.record(deadline_missed=True)
            raise LLMDeadlineError(f"mô hình không trả lời trong {limit:g} giây") from None
        finally:
            cancel.set()
            release()
        self.breaker.record(deadline_missed=False)
        if kind == "error":
            raise value
        return value

    # --- plumbing
    def _launch(self, target: Callable[[threading.Event], None]) -> tuple[threading.Event, Callable[[], None]]:
        """Start ``target(cancel)`` on a worker; returns (cancel, release). The slot is freed once, by
        whichever comes first: the worker ending or the caller giving up (``release``), so a call stuck
        in a socket read until its timeout does not keep the next question from the model."""
        if not self._slots.acquire(blocking=False):
            raise LLMUnavailableError(f"mô hình đang bận trả lời {self.max_calls} câu hỏi khác")
        refusal = self.breaker.refusal()
        if refusal:
            self._slots.release()
            raise LLMUnavailableError(refusal)
        cancel = threading.Event()
        released = threading.Lock()

        def release() -> None:
            if released.acquire(blocking=False):
                with self._busy_lock:
                    self._busy -= 1
                self._slots.release()

        def worker() -> None:
            try:
                target(cancel)
            finally:
                release()

        with self._busy_lock:
            self._busy += 1
        # Daemon threads: a call stuck in a socket read must not keep a finished `hoidap ask` alive.
        threading.Thread(target=worker, name="hoidap-llm", daemon=True).start()
        return cancel, release

    @staticmethod
    def _pump(start: Callable[[threading.Event], Iterator[str]], items: queue.SimpleQueue,
              cancel: threading.Event) -> None:
        try:
            pieces = start(cancel)
            try:
                for piece in pieces:
                    items.put(("piece", piece))
                    if cancel.is_set():
                        break
            finally:
                close = getattr(pieces, "close", None)
                if close is not None:
                    close()
            items.put(("done", None))
        except BaseException as exc:  # noqa: BLE001 - handed to the waiting consumer
            items.put(("error", exc))

    def _late(self, first: bool) -> str:
        if first:
            return f"mô hình không bắt đầu trả lời trong {min(self.first_token_s, self.total_s):g} giây"
        return f"mô hình chưa trả lời xong sau {self.total_s:g} giây"
