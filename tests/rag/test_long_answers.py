"""Long answers: a list or two clauses joined by a comma are one short answer, not a fragment of it.

Native news questions are often answered by what a sentence says after the question's own words
("… cần mang theo mũ rộng vành, kính râm, …, nước uống"); before, short answers could not cross a comma
and the user saw "mũ rộng vành" or nothing.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from index.textnorm import normalize_for_compare as norm

ARTICLE = """Phòng tránh say nắng trong những ngày nắng nóng

Những ngày qua, nhiệt độ tại nhiều tỉnh miền Trung lên tới 40 độ C. Bác sĩ Trần Văn Minh, Trung tâm Kiểm soát \
bệnh tật tỉnh, cho biết số người nhập viện vì say nắng tăng gấp đôi so với tuần trước.

Khi ra ngoài trời nắng, người dân cần mang theo mũ rộng vành, kính râm, khẩu trang, áo chống nắng và nước uống. \
Người cao tuổi và trẻ nhỏ nên hạn chế ra đường vào buổi trưa.
"""
QUESTION = "Khi ra đường lúc trời nóng, người dân cần mang theo những gì?"
SENTENCE = "Khi ra ngoài trời nắng, người dân cần mang theo mũ rộng vành, kính râm, khẩu trang, áo chống nắng và nước uống."


def test_the_rest_of_the_sentence_is_a_short_answer_candidate_across_commas():
    from rag.candidates import span_candidates
    from rag.question import analyse

    found = {SENTENCE[s.start:s.end] for s in span_candidates(analyse(QUESTION), SENTENCE)}
    assert "mũ rộng vành, kính râm, khẩu trang, áo chống nắng và nước uống" in found


@pytest.fixture(scope="module")
def answerer(tmp_path_factory):
    from index.builder import sync_index
    from index.config import Settings
    from rag.pipeline import Answerer

    root = tmp_path_factory.mktemp("long-answers")
    (root / "corpus").mkdir()
    (root / "corpus" / "say-nang.txt").write_text(ARTICLE, encoding="utf-8")
    settings = Settings(data_dir=root / "index", mode="extractive")
    sync_index([root / "corpus"], settings, embed_spec="lexical")
    return Answerer(settings)


def test_a_list_answer_is_given_whole(answerer):
    result = answerer.answer(QUESTION)
    assert not result.abstained, result.answer
    short = norm(result.short_answer or "")
    assert norm("mũ rộng vành") in short and norm("nước uống") in short, result.short_answer
