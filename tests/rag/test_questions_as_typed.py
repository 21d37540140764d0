"""Questions as people type them: slipped or missing marks and swapped letters are corrected against
the index's own words; what the index knows is never changed."""

from __future__ import annotations

import pytest

from rag.spelling import Speller, edits, spellings


def test_spellings_of_a_folded_syllable_include_the_marked_ones():
    assert {"phước", "phuốc", "phuoc"} <= set(spellings("phuoc"))
    assert "nhiều" in spellings("nhieu")


def test_edits_are_one_step_away():
    found = edits("nhiu")
    assert "nhieu" in found and "nhu" in found and "hniu" in found
    assert "nhiu" not in found


@pytest.mark.parametrize("typed, expected", [
    ("Phươc Tân có bao nhiêu đảng viên?", "Phước Tân có bao nhiêu đảng viên?"),
    # A question phrase is completed as it is written ("nhiêu"), not as the index's commoner "nhiều":
    # the user is shown the question as understood.
    ("Cầu Ông Lãnh kết nạp bao nhiu đảng viên?", "Cầu Ông Lãnh kết nạp bao nhiêu đảng viên?"),
    ("phuong phuoc tan co bao nhieu dnag vien", "phuong phuoc tan co bao nhieu dang vien"),
])
def test_unknown_words_are_corrected_to_the_index_vocabulary(answerer, typed, expected):
    # A syllable one edit away is replaced by the index's most frequent spelling of it.
    speller = Speller(answerer.reader.lexical)
    corrected, changed = speller.correct(typed, accented=typed != typed.encode("ascii", "ignore").decode())
    assert changed and corrected == expected


def test_known_words_and_numbers_are_left_alone(answerer):
    speller = Speller(answerer.reader.lexical)
    question = "Phường Phước Tân có 553 đảng viên trong năm 2020?"
    assert speller.correct(question, accented=True) == (question, False)


def test_a_mistyped_question_gets_the_clean_questions_answer(answerer):
    clean = answerer.answer("Đảng bộ phường Phước Tân có bao nhiêu chi bộ?")
    typo = answerer.answer("Đảng bộ phường Phước Tân có bao nhiu chi bộ?")
    assert not clean.abstained and "22 chi bộ" in clean.answer
    assert typo.answer == clean.answer


@pytest.mark.parametrize("typed, expected", [
    # "tích" and "tịch", "sạch" and "sách" are all words the index knows; only "chủ tịch" and "ngân sách"
    # are pairs it holds.
    ("Ai là Chủ tích UBND phường Cầu Ông Lãnh?", "Ai là Chủ tịch UBND phường Cầu Ông Lãnh?"),
    ("Phường Tây Sơn thu ngân sạch bao nhiêu?", "Phường Tây Sơn thu ngân sách bao nhiêu?"),
    # A slipped mark on a name the index pairs with its neighbour, before a question phrase one letter away:
    # "Lảnh thu" was read as "Lần thứ" ("lần thứ mấy").
    ("Cả năm 2020 phường Cầu Ông Lảnh thu ngân sách đạt bao nhiêu?",
     "Cả năm 2020 phường Cầu Ông Lãnh thu ngân sách đạt bao nhiêu?"),
    ("Thu ngân sách đạt bao nhiêu phần trăn?", "Thu ngân sách đạt bao nhiêu phần trăm?"),  # the phrase still completed
])
def test_a_slipped_mark_that_makes_another_word_is_corrected_by_its_neighbours(answerer, typed, expected):
    speller = Speller(answerer.reader.lexical)
    assert speller.correct(typed, accented=True) == (expected, True)


def test_known_words_in_pairs_the_index_holds_are_left_alone(answerer):
    speller = Speller(answerer.reader.lexical)
    for question in ("Đảng bộ phường Phước Tân tổ chức hội nghị gì?", "Phường Phước Tân có bao nhiêu đảng viên?",
                     "Ai là Chủ tịch UBND phường Cầu Ông Lãnh?"):
        assert speller.correct(question, accented=True) == (question, False)


@pytest.mark.parametrize("question", [
    "Giá vàng hôm nay bao nhiêu?",  # "vàng" is no typo of the archive's commoner "đảng"
    "Giá xăng hôm nay bao nhiêu?",  # nor "xăng" of "năng"
])
def test_a_real_word_the_archive_lacks_is_not_turned_into_another_word(answerer, question):
    # The question understood is shown to the user: "Giá đảng hôm nay" must never be what they read.
    # (Only other marks on the same letters are still read as a slip: docs/answerer.md.)
    assert Speller(answerer.reader.lexical).correct(question, accented=True) == (question, False)


@pytest.mark.parametrize("question", [
    "Ai chủ trì hội nghị tổng kết của huyện Phú Xuyên?",  # the seeds never say "chủ trì": not "chủ trị"
    "Nửa đầu năm 2020, Cầu Ông Lãnh tiễn bao nhiêu người trẻ lên đường nhập ngũ?",  # was "lên dương nhập ngũ"
    "Toàn Đảng bộ huyện Phú Xuyên có tổng cộng bao nhiêu đảng viên?",  # was "tổng công"
    "Trong cấp ủy huyện Phú Xuyên, ai là cấp phó giữ vai trò thường trực?",  # was "và trợ": "vai" has no marks
])
def test_a_word_of_the_language_typed_right_stays_as_typed(answerer, question):
    # Only "other marks on the same letters" were kept out before: "trì" in an archive that only says "trị"
    # was a slip; now a word that forms a word of the language with its neighbour is meant (rag/lexicon.py).
    assert Speller(answerer.reader.lexical).correct(question, accented=True) == (question, False)
    assert answerer.answer(question).rewritten_question is None


def test_without_the_word_list_the_speller_reads_the_archive_only(answerer, monkeypatch):
    # pyvi missing: no word list, and the speller corrects against the archive as it did before.
    import rag.lexicon

    monkeypatch.setattr(rag.lexicon, "word_pairs", lambda: frozenset())
    monkeypatch.setattr(rag.lexicon, "one_syllable_words", lambda: frozenset())
    fixed, changed = Speller(answerer.reader.lexical).correct("Ai chủ trì hội nghị?", accented=True)
    assert changed and fixed != "Ai chủ trì hội nghị?"


def test_the_word_list_knows_words_not_typos():
    from rag.lexicon import in_a_word

    assert in_a_word("trì", "chủ", "") and in_a_word("Phố", "dân", "")
    assert not in_a_word("nhiu", "bao", "") and not in_a_word("gảm", "suy", "") and not in_a_word("Phươc", "", "Tân")


def test_a_slipped_tone_is_still_corrected_when_the_neighbours_say_so(answerer):
    speller = Speller(answerer.reader.lexical)
    assert speller.correct("Phường Phước Tân có bao nhiêu đàng viên?", accented=True) == (
        "Phường Phước Tân có bao nhiêu đảng viên?", True)



@pytest.fixture(scope="module")
def report_answerer(tmp_path_factory):
    """An archive that says "báo cáo" (report), and "cao" (high) before "thu" elsewhere."""
    from index.builder import sync_index
    from index.config import Settings
    from rag.pipeline import Answerer

    folder = tmp_path_factory.mktemp("report-articles")
    (folder / "bao-cao.txt").write_text(
        "Phường An Bình báo cáo kết quả 6 tháng\n\nNgày 5/7/2021, UBND phường An Bình báo cáo tỷ lệ thu ngân "
        "sách đạt 52%. Giá cao thu hút người bán.\n", encoding="utf-8")
    data_dir = tmp_path_factory.mktemp("report-index")
    sync_index([folder], Settings(data_dir=data_dir), embed_spec="lexical")
    return Answerer(Settings(data_dir=data_dir, mode="extractive"))


@pytest.mark.parametrize("slip", ["bảo", "bào", "bsáo"])
def test_a_word_next_to_a_corrected_one_is_read_beside_the_correction(report_answerer, slip):
    # "cáo" is right, but it pairs with neither "bảo" (the slip) nor "thu"; read beside the typed slip it
    # became "cao" ("cao thu" is a pair the archive holds). Read left to right, the slip is corrected first
    # and "cáo" then pairs with "báo".
    speller = Speller(report_answerer.reader.lexical)
    assert speller.correct(f"Phường An Bình {slip} cáo thu ngân sách bao nhiêu?", accented=True) == (
        "Phường An Bình báo cáo thu ngân sách bao nhiêu?", True)


@pytest.mark.parametrize("typed, expected", [
    # A letter dropped from a word typed with its marks: the marks are kept ("thàn" is "thành", where the
    # diacritic-free reading made it "thần"; "thộc" is spelt like a syllable and was left as typed).
    ("Phước Tân có bao nhiêu đảng viên được xếp loại hoàn thàn xuất sắc nhiệm vụ?",
     "Phước Tân có bao nhiêu đảng viên được xếp loại hoàn thành xuất sắc nhiệm vụ?"),
    ("Đảng bộ phường Tây Sơn có bao nhiêu chi bộ trực thộc?",
     "Đảng bộ phường Tây Sơn có bao nhiêu chi bộ trực thuộc?"),
])
def test_a_dropped_letter_is_restored_with_the_marks_as_typed(answerer, typed, expected):
    assert Speller(answerer.reader.lexical).correct(typed, accented=True) == (expected, True)


# --- Questions typed without any mark: a second reading with the archive's own spelling (rag/accents.py)

def test_a_question_without_marks_is_read_with_the_spelling_the_archive_writes_there(answerer):
    from rag.accents import AccentRestorer

    restored = AccentRestorer(answerer.reader.lexical).restore("Thu ngan sach cua phuong Tay Son")
    assert "ngân sách" in restored and "phường Tây Sơn" in restored


def test_the_restored_reading_only_helps_retrieval_the_question_stays_as_typed(answerer):
    analysis, _ = answerer.analyse("Thu ngan sach cua phuong Tay Son dat bao nhieu?")
    assert analysis.text == "Thu ngan sach cua phuong Tay Son dat bao nhieu?"
    assert {"ngân", "sách", "ngân_sách"} <= set(analysis.restored)
    # A question typed with its marks is searched as typed: its unmarked words ("Thu") read the same.
    assert answerer.analyse("Thu ngân sách của phường Tây Sơn đạt bao nhiêu?")[0].restored == []


def test_words_typed_without_marks_in_a_marked_question_are_read_as_the_archive_writes_them(answerer):
    # Marks on some words only: the marked ones are kept, the others restored around them.
    analysis, _ = answerer.analyse("Ba quý đầu năm 2021, nguồn thu nộp ngân quy nha nuoc o Trần Phú được bao nhiêu?")
    assert {"quỹ", "ngân_quỹ", "nhà_nước"} <= set(analysis.restored)
    assert "trần" not in analysis.restored  # typed with its marks: already searched as typed


def test_a_question_without_marks_finds_the_article_the_same_question_with_marks_finds(answerer):
    # Folded alone, "ngan quy nha nuoc" and "o Tran Phu" match Cầu Ông Lãnh's article as well (its
    # "ngân sách nhà nước", "ở"); read as the archive writes it, the question finds Trần Phú's.
    marked = "Ba quý đầu năm 2021, nguồn thu nộp ngân quỹ nhà nước ở Trần Phú được bao nhiêu?"
    typed = "Ba quy dau nam 2021, nguon thu nop ngan quy nha nuoc o Tran Phu duoc bao nhieu?"
    expected = answerer.retriever.retrieve(answerer.analyse(marked)[0], k=1)[0]
    got = answerer.retriever.retrieve(answerer.analyse(typed)[0], k=1)[0]
    assert "Trần Phú" in expected.title + expected.text[:300]
    assert got.doc_id == expected.doc_id


def test_words_the_archive_never_writes_with_marks_stay_as_typed(answerer):
    from rag.accents import AccentRestorer

    restorer = AccentRestorer(answerer.reader.lexical)
    assert restorer.restore("Xyzzyq quaaak 2021") == "Xyzzyq quaaak 2021"
    assert restorer.restore("???") == "???"
    assert restorer.restore("UBND phuong Tay Son").startswith("UBND phường Tây Sơn")


def test_the_restored_reading_is_the_same_in_every_process(seed_data_dir):
    # Equal-scoring spellings must not be chosen by the order of a set, which changes with the hash seed:
    # the same question would find other passages after a restart.
    import os
    import subprocess
    import sys
    from pathlib import Path

    script = (
        "import json, sys\n"
        "from index.config import Settings\n"
        "from index.textnorm import strip_marks\n"
        "from rag.accents import AccentRestorer\n"
        "from rag.pipeline import Answerer\n"
        "restorer = AccentRestorer(Answerer(Settings(data_dir=sys.argv[1])).reader.lexical)\n"
        "questions = [json.loads(line)['question'] for line in open(sys.argv[2], encoding='utf-8')]\n"
        "print(json.dumps([restorer.restore(strip_marks(q)) for q in questions]))\n")
    gold = Path(__file__).resolve().parents[2] / "eval" / "gold" / "seeds.jsonl"
    readings = {subprocess.run([sys.executable, "-c", script, str(seed_data_dir), str(gold)], check=True,
                               capture_output=True, text=True, timeout=120,
                               env={**os.environ, "PYTHONHASHSEED": seed}).stdout
                for seed in ("1", "2", "3", "4")}
    assert len(readings) == 1


@pytest.fixture(scope="module")
def machine_answerer(tmp_path_factory):
    """An archive that never says "mấy" but pairs "máy" with "với" and "chi": a large archive is like this."""
    from index.builder import sync_index
    from index.config import Settings
    from rag.pipeline import Answerer

    folder = tmp_path_factory.mktemp("machine-articles")
    (folder / "may-moc.txt").write_text(
        "Phường An Bình trang bị máy mới\n\nNăm 2021, phường An Bình kiểm tra, giám sát 4 chi bộ trực thuộc. "
        "Người dân làm quen với máy tính bảng; máy chi trả tự động được lắp đặt tại trụ sở. Đội văn nghệ "
        "phường đạt giải nhất hội diễn. Cụ Nghiêm được mổ an toàn; bệnh viện chỉ thử nghiệm khi cần.\n",
        encoding="utf-8")
    data_dir = tmp_path_factory.mktemp("machine-index")
    sync_index([folder], Settings(data_dir=data_dir), embed_spec="lexical")
    return Answerer(Settings(data_dir=data_dir, mode="extractive"))


def test_a_question_word_written_right_stays_a_question_word(machine_answerer):
    # "mấy" was "corrected" into "máy" (machine) beside "với" and "chi": the count question became an "other"
    # question and its answer a phrase (the bench's seed questions among 5,000 distractors).
    question = "Năm 2021, phường An Bình kiểm tra, giám sát đối với mấy chi bộ trực thuộc?"
    assert Speller(machine_answerer.reader.lexical).correct(question, accented=True) == (question, False)
    result = machine_answerer.answer(question)
    assert not result.abstained and result.short_answer == "4 chi bộ"


@pytest.mark.parametrize("question", [
    "Đội nào đạt giải nhất hội diễn?",  # "đội" is one edit from "nơi", and "nơi nào" is a question phrase
    "Người dân làm quen với máy tính bảng khi nào?",
])
def test_a_word_the_archive_holds_is_not_made_a_question_word(machine_answerer, question):
    # "Đội nào" was asked as "Nơi nào" (a place question) wherever the archive never writes "đội nào".
    assert Speller(machine_answerer.reader.lexical).correct(question, accented=True) == (question, False)


def test_a_name_the_archive_holds_stays_as_typed(machine_answerer):
    # "Nghiêm" is in the archive but never beside "bà" or "khi"; "nghiệm khi" is, so the name was read as
    # "Nghiệm" and its article lost (vinewsqa-dev: "bà Nghiêm", "anh Thái", "bé Dũng").
    question = "Bệnh viện mổ cho bà Nghiêm khi nào?"
    assert Speller(machine_answerer.reader.lexical).correct(question, accented=True) == (question, False)


@pytest.mark.parametrize("question", [
    "Tôi cần viết báo cáo: phường Tây Sơn có bao nhiêu đảng viên?",
    "Thủ tục cấp lại căn cước công dân cần giấy tờ gì?",
])
def test_a_common_word_a_small_archive_never_says_stays_as_typed(answerer, question):
    # The five seed articles never say "cần" or "viết": they were read as the archive's "cán" and "Việt" with
    # nothing beside them to say so, and the question shown as understood was garbled (a browser pass).
    assert Speller(answerer.reader.lexical).correct(question, accented=True) == (question, False)
