"""A model that hangs or trickles never holds an answer hostage (issue 11, item 1): the pipeline
against real HTTP fakes of Ollama, with deadlines scaled down to seconds."""

from __future__ import annotations

import threading
import time

import pytest

from index.config import Settings
from rag.pipeline import Answerer
from tests.support.fake_ollama import HangingOllama, TricklingOllama

QUESTION = "Phường Phước Tân có bao nhiêu đảng viên?"


@pytest.fixture
def hanging():
    with HangingOllama(hang_seconds=120) as server:
        yield server


@pytest.fixture
def trickling():
    with TricklingOllama(interval=0.2, tokens=300) as server:  # would take 60 s to finish
        yield server


def answerer_for(seed_data_dir, url: str, **extra) -> Answerer:
    values = dict(data_dir=seed_data_dir, mode="auto", ollama_host=url, ollama_read_timeout=60.0,
                  llm_first_token_timeout=1.0, llm_total_timeout=3.0)
    values.update(extra)
    return Answerer(Settings(**values))


def timed(answerer: Answerer, question: str = QUESTION):
    started = time.monotonic()
    events = list(answerer.stream(question))
    return events, time.monotonic() - started


def test_a_hung_model_gives_the_extractive_answer_at_the_first_token_deadline(seed_data_dir, hanging):
    events, seconds = timed(answerer_for(seed_data_dir, hanging.url))
    result = events[-1].result
    assert seconds < 3, f"waited {seconds:.1f} s for a model that never answers"
    assert result.mode == "extractive" and "553" in result.answer
    assert any("không bắt đầu trả lời trong 1 giây" in w for w in result.warnings), result.warnings
    assert hanging.chat_requests() == 1


def test_a_trickling_model_is_cut_at_the_total_deadline(seed_data_dir, trickling):
    events, seconds = timed(answerer_for(seed_data_dir, trickling.url))
    kinds = [e.kind for e in events]
    assert seconds < 5, f"waited {seconds:.1f} s for a model streaming one token per 0.2 s"
    assert "token" in kinds[: kinds.index("reset")], "tokens were streamed before the deadline"
    result = events[-1].result
    assert result.mode == "extractive" and "553" in result.answer
    assert any("chưa trả lời xong sau 3 giây" in w for w in result.warnings), result.warnings


def test_the_breaker_stops_calling_a_model_that_keeps_timing_out(seed_data_dir, hanging):
    answerer = answerer_for(seed_data_dir, hanging.url, llm_first_token_timeout=0.5, llm_breaker_failures=2,
                            llm_breaker_cooldown=2.0)
    for _ in range(2):
        timed(answerer)
    assert answerer.generator.health()["breaker"]["state"] == "open"
    events, seconds = timed(answerer)
    assert seconds < 0.5 and events[-1].result.mode == "extractive"
    assert hanging.chat_requests() == 2, "no call while the breaker is open"
    usable, reason = answerer.generator.available()
    assert not usable and "tạm ngừng gọi" in reason
    time.sleep(2.1)  # cooldown over: one trial call, which hangs again and reopens the breaker
    timed(answerer)
    assert hanging.chat_requests() == 3
    assert answerer.generator.health()["breaker"]["state"] == "open"


def test_the_breaker_closes_when_the_trial_call_answers(seed_data_dir, hanging):
    answerer = answerer_for(seed_data_dir, hanging.url, llm_first_token_timeout=0.5, llm_breaker_failures=1,
                            llm_breaker_cooldown=0.5)
    timed(answerer)
    assert answerer.generator.health()["breaker"]["state"] == "open"
    hanging.first_token_delay = 0.0
    hanging.reply = "Phường Phước Tân hiện có 553 đảng viên [1]."
    time.sleep(0.6)
    events, _ = timed(answerer)
    assert events[-1].result.mode == "llm"
    assert answerer.generator.health()["breaker"] == {**answerer.generator.health()["breaker"], "state": "closed",
                                                      "consecutive_timeouts": 0}


def test_questions_beyond_the_model_pool_do_not_wait(seed_data_dir, hanging):
    answerer = answerer_for(seed_data_dir, hanging.url, llm_first_token_timeout=3.0, llm_max_calls=1,
                            llm_breaker_failures=10)
    answerer.answer(QUESTION, mode="extractive")  # open the index before timing anything
    first = threading.Thread(target=timed, args=(answerer,), daemon=True)
    first.start()
    deadline = time.monotonic() + 5
    while hanging.chat_requests() < 1 and time.monotonic() < deadline:
        time.sleep(0.02)
    events, seconds = timed(answerer)
    result = events[-1].result
    assert seconds < 1.0 and result.mode == "extractive"
    assert any("đang bận" in w for w in result.warnings), result.warnings
    first.join(timeout=10)
    assert not first.is_alive()
