"""The scale corpus of `hoidap bench`: synthetic news articles with the five seeds hidden among them.

Synthetic articles recombine real Vietnamese sentences — XQuAD-vi paragraphs and
the seeds' generic sentences — into news-shaped files (title, date line, 4–12
paragraphs of 1–4 sentences). A seed sentence is only used when it cannot give
a seed gold question a second valid answer: no digits, no seed place or person
names, no gold evidence, no gold answer. Article ``n`` depends only on
(seed, n), so the corpus of 1,000 is a prefix of the corpus of 5,000.
"""

from __future__ import annotations

import hashlib
import random
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from eval.harness import GoldItem
from eval.metrics import norm
from index.chunking import split_sentences
from index.metadata import is_chrome

# Proper names in the seeds: a distractor sentence naming one could answer a seed question
# (or make an unanswerable one look answerable) from the wrong article.
SEED_NAMES = (
    "Phước Tân", "Phước Hải", "Trần Phú", "Tây Sơn", "Cầu Ông Lãnh", "Phú Xuyên", "Nha Trang", "Hà Nội",
    "Quận 1", "Hà Vân", "Hoàng Bình", "Thu Nghĩa", "THÀNH", "Phạm", "Nguyễn", "Lê Ngọc", "Hứa Vĩnh",
)
_DATE_STYLES = ("{h:02d}:{mi:02d}, {d:02d}/{m:02d}/{y}", "{d:02d}/{m:02d}/{y} {h:02d}:{mi:02d}",
                "Cập nhật {d:02d}/{m:02d}/{y}")
_BYLINES = ("PV", "Thu Hà", "Minh Anh", "Quốc Khánh", "Ngọc Mai", "Văn Long", "Đức Trí")


@dataclass
class SentencePool:
    xquad: list[str]
    seed_generic: list[str]

    def all(self) -> list[str]:
        return self.xquad + self.seed_generic


def _sentences(text: str, lo: int = 30, hi: int = 400) -> list[str]:
    out = []
    for paragraph in text.split("\n"):
        for start, end in split_sentences(paragraph):
            sentence = paragraph[start:end].strip()
            if lo <= len(sentence) <= hi and not is_chrome(sentence):
                out.append(sentence)
    return out


def _answers_a_seed_question(sentence: str, gold: list[GoldItem]) -> bool:
    text = norm(sentence)
    for item in gold:
        evidence = norm(item.evidence)
        if evidence and (evidence in text or text in evidence):
            return True
        if any(len(norm(a)) >= 3 and norm(a) in text for a in item.answers):
            return True
    return False


def sentence_pool(seed_dir: Path, xquad_dir: Path, gold: list[GoldItem]) -> SentencePool:
    xquad: list[str] = []
    for path in sorted((xquad_dir / "corpus").glob("*.txt")):
        body = path.read_text(encoding="utf-8").split("\n", 1)[-1]  # line 1 is the Wikipedia title
        xquad += _sentences(body)
    generic: list[str] = []
    for path in sorted(seed_dir.glob("*.txt")):
        for sentence in _sentences(path.read_text(encoding="utf-8"), lo=40):
            if re.search(r"\d", sentence) or any(name.lower() in sentence.lower() for name in SEED_NAMES):
                continue
            if not _answers_a_seed_question(sentence, gold):
                generic.append(sentence)
    if not xquad:
        raise FileNotFoundError(f"no XQuAD-vi sentences under {xquad_dir}/corpus")
    return SentencePool(sorted(set(xquad)), sorted(set(generic)))


def _title(rng: random.Random, pool: SentencePool, n: int) -> str:
    words = rng.choice(pool.xquad).split()
    head = " ".join(words[: rng.randint(6, 12)]).rstrip(".,;:!?…\"'”)")
    # A trailing issue number keeps titles unique, like a serial column.
    return f"{head[0].upper()}{head[1:]} (kỳ {n + 1})"


def _date_line(rng: random.Random) -> str:
    style = rng.choice(_DATE_STYLES)
    return style.format(h=rng.randint(6, 21), mi=rng.randint(0, 59), d=rng.randint(1, 28), m=rng.randint(1, 12),
                        y=rng.randint(2015, 2024))


def _paragraphs(rng: random.Random, pool: SentencePool, count: int) -> list[str]:
    # Mostly encyclopaedic sentences, some Party-news boilerplate: the seeds' own register
    # is what makes a distractor hard.
    sentences = pool.all()
    weights_generic = 0.2 if pool.seed_generic else 0.0
    out = []
    for _ in range(count):
        picked = [rng.choice(pool.seed_generic) if rng.random() < weights_generic else rng.choice(pool.xquad)
                  for _ in range(rng.randint(1, 4))]
        out.append(" ".join(picked) if picked else rng.choice(sentences))
    return out


def synthetic_article(n: int, pool: SentencePool, seed: int = 0) -> tuple[str, str]:
    """(file name, text) of synthetic article ``n``; depends on (seed, n) only."""
    rng = random.Random(f"hoidap-bench:{seed}:{n}")
    digest = hashlib.sha1(f"{seed}:{n}".encode()).hexdigest()[:16]
    # Named like the seeds ("NNN_<16 hex>.txt"), so a seed is not told apart by its name.
    name = f"{n % 1000:03d}_{digest}.txt"
    body = _paragraphs(rng, pool, rng.randint(4, 12))
    parts = [_title(rng, pool, n), _date_line(rng), *body, rng.choice(_BYLINES)]
    return name, "\n\n".join(parts) + "\n"


def build_corpus(target: Path, size: int, pool: SentencePool, seed_dir: Path, seed: int = 0) -> dict:
    """``size`` articles in ``target``: the seed files copied unchanged plus size − 5 synthetic ones."""
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    seeds = sorted(seed_dir.glob("*.txt"))
    for path in seeds:
        shutil.copy2(path, target / path.name)
    names = []
    total_chars = 0
    for n in range(max(size - len(seeds), 0)):
        name, text = synthetic_article(n, pool, seed)
        (target / name).write_text(text, encoding="utf-8")
        names.append(name)
        total_chars += len(text)
    total_chars += sum(p.stat().st_size for p in seeds)
    return {"articles": len(names) + len(seeds), "synthetic": len(names), "seeds": len(seeds),
            "synthetic_names": names, "bytes": sum(p.stat().st_size for p in target.iterdir())}


def change_articles(target: Path, names: list[str], fraction: float, round_no: int, pool: SentencePool) -> int:
    """Rewrite one paragraph of ``fraction`` of the synthetic articles (never a seed); a
    different set each round. Returns how many files changed."""
    if not names:
        return 0
    count = max(1, round(len(names) * fraction))
    rng = random.Random(f"hoidap-bench-change:{round_no}")
    for name in rng.sample(names, min(count, len(names))):
        path = target / name
        paragraphs = path.read_text(encoding="utf-8").rstrip("\n").split("\n\n")
        # Keep title, date and byline; replace one body paragraph.
        at = rng.randint(2, max(2, len(paragraphs) - 2))
        paragraphs[at] = " ".join(rng.choice(pool.xquad) for _ in range(rng.randint(1, 4)))
        path.write_text("\n\n".join(paragraphs) + "\n", encoding="utf-8")
    return min(count, len(names))


def passages_near(data_dir: Path, chars: int, count: int, seed: int) -> list[str]:
    """``count`` indexed passages (title + chunk, as hoidap embeds them) of about ``chars`` characters."""
    import json

    from index.generation import indexed_text

    rows = [json.loads(line) for table in sorted((data_dir / "lexical").glob("seg-*/chunks.jsonl"))
            for line in table.read_text(encoding="utf-8").splitlines()]
    texts = [indexed_text(r["title"], r["text"]) for r in rows]
    near = [t for t in texts if abs(len(t) - chars) <= chars // 6] or sorted(texts, key=len)[-count:]
    return random.Random(seed).sample(near, min(count, len(near)))


def train_wordpiece(texts: list[str], vocab_size: int) -> list[str]:
    """A WordPiece vocabulary learnt from the corpus: accents kept, as Vietnamese needs."""
    from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, trainers

    tokenizer = Tokenizer(models.WordPiece(unk_token="[UNK]"))
    tokenizer.normalizer = normalizers.BertNormalizer(lowercase=True, strip_accents=False)
    tokenizer.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    trainer = trainers.WordPieceTrainer(vocab_size=vocab_size, min_frequency=1,
                                        special_tokens=["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"])
    tokenizer.train_from_iterator(texts, trainer=trainer)
    return [t for t, _ in sorted(tokenizer.get_vocab().items(), key=lambda item: item[1])]


def find_xquad(explicit: Path | None) -> Path | None:
    """--xquad, else ../shared/benchmarks/xquad-vi beside the repository (or its parents)."""
    if explicit is not None:
        return explicit if (explicit / "corpus").is_dir() else None
    here = Path(__file__).resolve().parent.parent
    for base in (here, *here.parents, Path.cwd(), *Path.cwd().parents):
        candidate = base.parent / "shared" / "benchmarks" / "xquad-vi"
        if (candidate / "corpus").is_dir():
            return candidate
    return None
