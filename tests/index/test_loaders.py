"""Loading real files of every supported kind, and the broken ones a folder always has."""

from __future__ import annotations

import hashlib
import random
import unicodedata
from pathlib import Path

import pytest

from index.documents import RawDocument, SkippedFile
from index.errors import HoidapError
from index.loaders import assign_doc_ids, find_source_files, load_file
from index.textnorm import TONE_MARKS

VI = (
    "Đảng bộ phường Phước Tân tổng kết công tác xây dựng Đảng năm 2020\n\n"
    "Chiều 7-1, Đảng ủy phường khen thưởng 4 tập thể, 101 cá nhân; “Trong sạch vững mạnh”."
)
DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
MB = 1_000_000


def _load(path: Path, max_bytes: int = MB) -> RawDocument:
    result = load_file(path, max_bytes)
    assert isinstance(result, RawDocument), result
    return result


def _skip_reason(path: Path, max_bytes: int = MB) -> str:
    result = load_file(path, max_bytes)
    assert isinstance(result, SkippedFile), result
    return result.reason


def _cp1258_bytes(text: str) -> bytes:
    """Windows-1258 has precomposed â/ơ/ư/đ but tone marks only as combining characters."""
    out: list[str] = []
    for ch in unicodedata.normalize("NFC", text):
        try:
            ch.encode("cp1258")
            out.append(ch)
        except UnicodeEncodeError:
            parts = unicodedata.normalize("NFD", ch)
            base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in TONE_MARKS))
            out.append(base + "".join(c for c in parts if c in TONE_MARKS))
    return "".join(out).encode("cp1258")


@pytest.mark.parametrize(
    ("encoding", "bom"),
    [("utf-8", b""), ("utf-8", b"\xef\xbb\xbf"), ("utf-16-le", b"\xff\xfe"), ("utf-16-be", b"\xfe\xff")],
)
def test_unicode_encodings(tmp_path: Path, encoding: str, bom: bytes) -> None:
    path = tmp_path / "bai.txt"
    path.write_bytes(bom + VI.encode(encoding))
    doc = _load(path)
    assert doc.text == VI
    assert doc.doc_id == "bai"
    assert doc.content_hash == hashlib.sha256(path.read_bytes()).hexdigest()


def test_windows_1258_is_decoded_to_nfc(tmp_path: Path) -> None:
    path = tmp_path / "cu.txt"
    raw = _cp1258_bytes(VI)
    assert any(0xC0 <= b for b in raw)  # really a legacy single-byte file
    path.write_bytes(raw)
    text = _load(path).text
    assert text == VI
    assert unicodedata.is_normalized("NFC", text)


def test_decomposed_utf8_is_normalised(tmp_path: Path) -> None:
    path = tmp_path / "nfd.md"
    path.write_text("# " + unicodedata.normalize("NFD", VI), encoding="utf-8")
    assert _load(path).text == VI  # the Markdown heading mark is dropped too


def test_lines_stripped_and_paragraphs_separated(tmp_path: Path) -> None:
    path = tmp_path / "crlf.txt"
    path.write_bytes("  Dòng một\u00a0\u00a0 tiếp  \r\n\r\n\r\n\u00a0\r\nDòng hai\r\nDòng ba\t\r\n".encode())
    assert _load(path).text == "Dòng một tiếp\n\nDòng hai\nDòng ba"


def test_empty_file_is_skipped(tmp_path: Path) -> None:
    path = tmp_path / "rong.txt"
    path.write_bytes(b"")
    assert "tệp rỗng" in _skip_reason(path)


def test_whitespace_only_file_has_no_text(tmp_path: Path) -> None:
    path = tmp_path / "trang.txt"
    path.write_text(" \n\u00a0\n\t\n", encoding="utf-8")
    assert "không có văn bản" in _skip_reason(path)


def test_binary_file_is_skipped_not_decoded(tmp_path: Path) -> None:
    path = tmp_path / "anh.txt"
    rng = random.Random(7)
    path.write_bytes(bytes(rng.randrange(256) for _ in range(4096)) + b"\x00\x00")
    assert "nhị phân" in _skip_reason(path)


def test_control_characters_without_nul_are_binary(tmp_path: Path) -> None:
    path = tmp_path / "dieu_khien.txt"
    path.write_bytes(bytes(range(1, 32)) * 50 + "chữ".encode())
    assert "nhị phân" in _skip_reason(path)


def test_too_large_file_is_skipped_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "lon.txt"
    path.write_bytes(b"a" * 5_200_000)
    reason = _skip_reason(path, max_bytes=MB)
    assert reason == "quá lớn: 5,2 MB > giới hạn 1 MB (too large)"


def test_html_drops_script_and_chrome(tmp_path: Path) -> None:
    path = tmp_path / "trang.html"
    path.write_text(
        """<!doctype html><html><head><title>Tiêu đề - Báo X</title>
        <style>p { color: red }</style><script>var tracking = 1;</script></head>
        <body><header><a href="/">Trang chủ</a></header><nav><ul><li>Thời sự</li></ul></nav>
        <article><h1>Hội nghị tổng kết
        công tác Đảng</h1>
        <p>Chiều 7-1, Đảng bộ <b>phường</b> Phước Tân
        tổ chức hội nghị.</p><script>alert(1)</script><!-- quảng cáo -->
        <div>Đoạn hai<br>dòng tiếp</div><noscript>Bật JavaScript</noscript>
        <table><tr><td>Ô một</td><td>Ô hai</td></tr></table></article>
        <form><input value="Tìm kiếm">Tìm</form><footer>Bản quyền thuộc Báo X</footer>
        </body></html>""",
        encoding="utf-8",
    )
    text = _load(path).text
    assert text.split("\n\n") == [
        "Hội nghị tổng kết công tác Đảng",
        "Chiều 7-1, Đảng bộ phường Phước Tân tổ chức hội nghị.",
        "Đoạn hai\ndòng tiếp",
        "Ô một",
        "Ô hai",
    ]
    for absent in ("alert", "script", "tracking", "quảng cáo", "JavaScript", "Bản quyền", "Trang chủ", "Tìm"):
        assert absent not in text


def test_html_title_tag_when_no_h1_and_declared_legacy_charset(tmp_path: Path) -> None:
    path = tmp_path / "cu.htm"
    html = (
        '<html><head><meta charset="windows-1258"><title>Tin Phường Trần Phú</title></head>'
        "<body><p>Ngày 7/10, hội nghị.</p></body></html>"
    )
    path.write_bytes(_cp1258_bytes(html))
    assert _load(path).text == "Tin Phường Trần Phú\n\nNgày 7/10, hội nghị."


def test_docx_paragraphs_and_tables(tmp_path: Path) -> None:
    from docx import Document

    document = Document()
    document.add_heading("Hội nghị sơ kết 6 tháng đầu năm", level=1)
    document.add_paragraph("Sáng 12/7, Đảng ủy phường Tây Sơn tổ chức Hội nghị.")
    document.add_paragraph("")
    table = document.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text = "Đảng viên"
    table.rows[0].cells[1].text = "314"
    document.add_paragraph("Hoàng Bình")
    path = tmp_path / "bao_cao.docx"
    document.save(str(path))
    assert _load(path).text == (
        "Hội nghị sơ kết 6 tháng đầu năm\n\nSáng 12/7, Đảng ủy phường Tây Sơn tổ chức Hội nghị."
        "\n\nĐảng viên\n\n314\n\nHoàng Bình"
    )


def _write_pdf(path: Path, lines: list[str]) -> bool:
    """A one-page PDF; True when it uses a font that can show Vietnamese."""
    from reportlab.pdfgen import canvas

    pdf = canvas.Canvas(str(path))
    font, vietnamese = "Helvetica", False
    if DEJAVU.exists():
        from reportlab.pdfbase import pdfmetrics
        from reportlab.pdfbase.ttfonts import TTFont

        pdfmetrics.registerFont(TTFont("DejaVuSans", str(DEJAVU)))
        font, vietnamese = "DejaVuSans", True
    pdf.setFont(font, 12)
    for i, line in enumerate(lines):
        pdf.drawString(50, 800 - 16 * i, line if vietnamese else unicodedata.normalize("NFKD", line))
    pdf.showPage()
    pdf.save()
    return vietnamese


def test_pdf_text_is_reflowed_into_paragraphs(tmp_path: Path) -> None:
    path = tmp_path / "bao.pdf"
    lines = [
        "Hội nghị tổng kết công tác Đảng năm 2020",
        "Ngày 31/12/2020, Ban thường vụ Huyện ủy tổ chức hội nghị tổng kết công",
        "tác xây dựng Đảng năm 2020, triển khai nhiệm vụ năm 2021. Toàn huyện có",
        "1.302 đảng viên hoàn thành xuất sắc nhiệm vụ.",
    ]
    vietnamese = _write_pdf(path, lines)
    expected = (
        "Hội nghị tổng kết công tác Đảng năm 2020\n\n"
        "Ngày 31/12/2020, Ban thường vụ Huyện ủy tổ chức hội nghị tổng kết công tác xây dựng "
        "Đảng năm 2020, triển khai nhiệm vụ năm 2021. Toàn huyện có 1.302 đảng viên hoàn thành xuất sắc nhiệm vụ."
    )
    text = _load(path).text
    if vietnamese:
        assert text == expected
    else:  # without a Unicode font the PDF can only hold ASCII text
        assert "1.302" in text and "\n\n" in text


def test_pdf_without_text_is_skipped(tmp_path: Path) -> None:
    path = tmp_path / "scan.pdf"
    _write_pdf(path, [])
    assert "không có văn bản" in _skip_reason(path)


@pytest.mark.parametrize(
    ("name", "content", "words"),
    [
        ("hong.pdf", b"%PDF-1.4\n1 0 obj << /Type /Catalog", "không đọc được PDF"),
        ("hong.docx", b"PK\x03\x04 not really a zip archive", "không đọc được DOCX"),
        ("rac.docx", "Chỉ là văn bản".encode(), "không đọc được DOCX"),
    ],
)
def test_corrupt_documents_are_skipped_with_reason(tmp_path: Path, name: str, content: bytes, words: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    reason = _skip_reason(path)
    assert reason.startswith(words)
    assert "\n" not in reason and len(reason) < 200


def test_unreadable_path_is_skipped(tmp_path: Path) -> None:
    folder = tmp_path / "thu_muc.txt"
    folder.mkdir()
    assert "không đọc được tệp" in _skip_reason(folder)


def test_source_path_relative_to_root(tmp_path: Path) -> None:
    path = tmp_path / "a" / "b.txt"
    path.parent.mkdir()
    path.write_text("Nội dung", encoding="utf-8")
    doc = load_file(path, MB, root=tmp_path)
    assert isinstance(doc, RawDocument)
    assert doc.source_path == "a/b.txt"


def test_find_source_files_recurses_filters_and_sorts(tmp_path: Path) -> None:
    for name in [
        "b.txt", "a.MD", "c.Html", "d.htm", "e.docx", "f.PDF", "sub/g.txt", "sub/deep/h.txt",
        "x.jpg", "y.doc", "noext", ".an.txt", ".git/config.txt", "sub/.cache/i.txt",
    ]:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x", encoding="utf-8")
    found = find_source_files([tmp_path, tmp_path / "b.txt"])
    assert [p.relative_to(tmp_path).as_posix() for p in found] == [
        "a.MD", "b.txt", "c.Html", "d.htm", "e.docx", "f.PDF", "sub/deep/h.txt", "sub/g.txt",
    ]


def test_find_source_files_missing_path_is_a_user_error(tmp_path: Path) -> None:
    with pytest.raises(HoidapError, match="Không tìm thấy"):
        find_source_files([tmp_path / "khong_co"])


def test_doc_ids_use_stem_and_path_for_collisions(tmp_path: Path) -> None:
    paths = [
        tmp_path / "2021" / "tin.txt",
        tmp_path / "2022" / "tin.html",
        tmp_path / "rieng.txt",
        tmp_path / "bai.txt",
        tmp_path / "bai.md",
    ]
    ids = assign_doc_ids(paths)
    assert ids[tmp_path / "rieng.txt"] == "rieng"
    assert ids[tmp_path / "2021" / "tin.txt"] == "2021__tin"
    assert ids[tmp_path / "2022" / "tin.html"] == "2022__tin"
    assert ids[tmp_path / "bai.txt"] == "bai.txt"
    assert ids[tmp_path / "bai.md"] == "bai.md"
    assert len(set(ids.values())) == len(paths)


def test_doc_ids_relative_to_given_root(tmp_path: Path) -> None:
    paths = [tmp_path / "x" / "a" / "tin.txt", tmp_path / "x" / "b" / "tin.txt"]
    assert assign_doc_ids(paths, root=tmp_path) == {paths[0]: "x__a__tin", paths[1]: "x__b__tin"}


def test_derived_id_never_repeats_another_stem(tmp_path: Path) -> None:
    paths = [tmp_path / "a" / "tin.txt", tmp_path / "b" / "tin.txt", tmp_path / "c" / "a__tin.txt"]
    ids = assign_doc_ids(paths)
    assert len(set(ids.values())) == 3


def test_one_bad_byte_keeps_utf8_instead_of_garbling_the_file(tmp_path: Path) -> None:
    path = tmp_path / "mot_byte_hong.txt"
    good = VI.encode("utf-8")
    cut = good.index("Chiều".encode())
    path.write_bytes(good[:cut] + b"\xff" + good[cut:])  # one stray byte in an otherwise UTF-8 file
    doc = _load(path)
    assert "Đảng bộ phường Phước Tân" in doc.text and "“Trong sạch vững mạnh”" in doc.text
    assert doc.text.count("\ufffd") == 1


def test_long_file_name_gives_a_bounded_doc_id(tmp_path: Path) -> None:
    stem = ("Tổng kết công tác xây dựng Đảng " * 5).strip()  # 219 bytes: a valid name, too long for an id
    path = tmp_path / f"{stem}.txt"
    path.write_text(VI, encoding="utf-8")
    doc = _load(path)
    ids = assign_doc_ids([path, tmp_path / "ngan.txt"])
    assert ids[path] == doc.doc_id and ids[tmp_path / "ngan.txt"] == "ngan"
    assert len(doc.doc_id.encode()) <= 100 and doc.doc_id.startswith("Tổng kết công tác")
