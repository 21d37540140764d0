"""Who holds the title asked, and which titles a named person holds, in a roster of people each listed with
their titles (rag/roster.py).

The seeds list who attended as "A, title; B, title; …": the name closest after "Chủ tịch HĐND Quận 1" is the
next person's, and the short answer was that person ("Ai là Chủ tịch HĐND Quận 1?" → Hứa Vĩnh Phúc, 0.83).
"""

from __future__ import annotations

import pytest

from rag.candidates import name_spans, span_candidates, title_holder
from rag.question import analyse
from rag.roster import described_title
from tests.rag.test_new_user_questions import ask

ROSTER = ("Tham dự có các đồng chí: Nguyễn Duy An, Ủy viên Ban Thường vụ Quận ủy, Chủ tịch HĐND Quận 1; "
          "Hứa Vĩnh Phúc, Phó Chủ tịch Thường trực Ủy ban MTTQ Việt Nam Quận 1; Phạm Xuân Khánh, Bí thư Đảng ủy "
          "phường; Nguyễn Võ Uyên Linh, Chủ tịch UBND phường.")
# Separated by ", đồng chí" as well as by semicolons, titles after a dash.
DASHES = ("Dự hội nghị có đồng chí Lê Ngọc Anh – TUV, Bí thư Huyện ủy; đồng chí Nguyễn Văn Cương – Phó Bí thư "
          "Thường trực Huyện ủy, đồng chí Nguyễn Xuân Thanh – Phó Bí thư Huyện ủy- Chủ tịch UBND huyện.")


def holder(question: str, sentence: str) -> str | None:
    found = title_holder(analyse(question), sentence, name_spans(sentence))
    return sentence[found[0]:found[1]] if found else None


@pytest.mark.parametrize("question, sentence, name", [
    ("Ai là Chủ tịch HĐND Quận 1?", ROSTER, "Nguyễn Duy An"),
    ("Bí thư Đảng ủy phường là ai?", ROSTER, "Phạm Xuân Khánh"),
    ("Chủ tịch Ủy ban nhân dân phường là ai?", ROSTER, "Nguyễn Võ Uyên Linh"),
    ("Ai là Phó Chủ tịch Thường trực Ủy ban MTTQ Quận 1?", ROSTER, "Hứa Vĩnh Phúc"),
    ("Chủ tịch UBND huyện là ai?", DASHES, "Nguyễn Xuân Thanh"),
    ("Ai là Phó Bí thư Thường trực Huyện ủy?", DASHES, "Nguyễn Văn Cương"),
])
def test_the_title_asked_names_its_own_holder(question, sentence, name):
    assert holder(question, sentence) == name


@pytest.mark.parametrize("question, sentence", [
    # "Chủ tịch MTTQ" is not said: "Phó Chủ tịch … MTTQ" is the deputy's title.
    ("Ai là Chủ tịch Ủy ban MTTQ Việt Nam Quận 1?", ROSTER),
    ("Chủ tịch HĐND huyện là ai?", DASHES),  # not in the roster: no holder, the ranker decides
    ("Ai là Chủ tịch HĐND Quận 1?", "Đồng chí Nguyễn Duy An, Chủ tịch HĐND Quận 1 phát biểu."),  # one name: no roster
])
def test_no_holder_when_the_roster_does_not_say_it(question, sentence):
    assert holder(question, sentence) is None


def test_deputy_titles_are_other_titles():
    # "Bí thư Huyện ủy" is Lê Ngọc Anh's title; "Phó Bí thư Huyện ủy" (twice) is another one.
    assert holder("Ai là Bí thư Huyện ủy?", DASHES) == "Lê Ngọc Anh"


def test_a_title_named_differently_is_not_the_one_asked():
    # "Chủ tịch HĐND phường" shares "Chủ tịch … nhân dân phường" with the question, but names another council.
    sentence = ("Về dự có đồng chí Phạm Ngọc Lan, Phó trưởng Ban Tổ chức Thành ủy; đồng chí Phạm Duy Phong, Bí thư "
                "Đảng ủy, Chủ tịch HĐND phường.")
    assert holder("Chủ tịch UBND phường là ai?", sentence) is None
    assert holder("Chủ tịch HĐND phường là ai?", sentence) == "Phạm Duy Phong"


def test_only_the_holder_is_offered_as_the_short_answer():
    spans = span_candidates(analyse("Ai là Chủ tịch HĐND Quận 1?"), ROSTER)
    assert [ROSTER[s.start:s.end] for s in spans] == ["Nguyễn Duy An"]


@pytest.mark.parametrize("question, name", [
    ("Bí thư Đảng ủy phường Cầu Ông Lãnh là ai?", "Phạm Xuân Khánh"),
    ("Ai là Chủ tịch HĐND Quận 1?", "Nguyễn Duy An"),
    ("Phó trưởng Ban Tổ chức Thành ủy là ai?", "Phạm Ngọc Lan"),
    ("Chủ tịch UBND huyện Phú Xuyên là ai?", "Nguyễn Xuân Thanh"),
])
def test_seed_rosters_through_the_cli(seed_data_dir, question, name):
    result = ask(seed_data_dir, question)
    assert not result["abstained"] and result["short_answer"] == name, (result["short_answer"], result["answer"])


def titles(question: str, sentence: str) -> str | None:
    names = [(s, e) for s, e, surname in name_spans(sentence) if surname]
    found = described_title(analyse(question), sentence, names)
    return sentence[found[0]:found[1]] if found else None


@pytest.mark.parametrize("question, sentence, shown", [
    ("Ông Phạm Xuân Khánh giữ chức vụ gì?", ROSTER, "Bí thư Đảng ủy phường"),
    ("Nguyễn Duy An là ai?", ROSTER, "Ủy viên Ban Thường vụ Quận ủy, Chủ tịch HĐND Quận 1"),
    ("Chức vụ của Hứa Vĩnh Phúc là gì?", ROSTER, "Phó Chủ tịch Thường trực Ủy ban MTTQ Việt Nam Quận 1"),
    ("Nguyễn Văn Cương giữ chức vụ gì?", DASHES, "Phó Bí thư Thường trực Huyện ủy"),
])
def test_the_titles_of_the_person_named(question, sentence, shown):
    assert titles(question, sentence) == shown


@pytest.mark.parametrize("question, sentence", [
    ("Nguyễn Duy An phát biểu về điều gì?", ROSTER),  # asks something else of him
    ("Ông Phạm Xuân Khánh giữ chức vụ gì?", "Đồng chí Phạm Xuân Khánh, Bí thư Đảng ủy phường phát biểu."),  # no roster
    ("Ông Trần Văn Ba giữ chức vụ gì?", ROSTER),  # not in it
])
def test_no_titles_when_the_roster_does_not_answer(question, sentence):
    assert titles(question, sentence) is None


@pytest.mark.parametrize("question, shown", [
    ("Ông Phạm Xuân Khánh giữ chức vụ gì?", "Bí thư Đảng ủy phường"),  # was "Quận ủy, Chủ tịch HĐND Quận 1;"
    ("Đồng chí Phạm Ngọc Lan giữ chức vụ gì?", "Thành ủy viên, Phó trưởng Ban Tổ chức Thành ủy"),  # was "Phạm Duy Phong, …"
])
def test_seed_titles_through_the_cli(seed_data_dir, question, shown):
    result = ask(seed_data_dir, question)
    assert not result["abstained"] and result["short_answer"] == shown, (result["short_answer"], result["answer"])


@pytest.mark.parametrize("question, shown", [
    ("Chị Uyên Linh giữ chức vụ gì?", "Chủ tịch UBND phường"),  # the given name, after how she is addressed
    ("Anh Hứa Vĩnh Phúc làm chức gì vậy?", "Phó Chủ tịch Thường trực Ủy ban MTTQ Việt Nam Quận 1"),
])
def test_a_person_named_as_people_address_them(seed_data_dir, question, shown):
    # Refused before (0.22–0.24): "Anh", "Chị" were read as part of the name, which the article never writes.
    result = ask(seed_data_dir, question)
    assert not result["abstained"] and result["short_answer"] == shown, (result["short_answer"], result["answer"])
