"""A tiny, randomly initialised sentence-transformers model built offline.

No model weights can be downloaded in CI, yet the sentence-transformers code
path must be exercised for real. This builds a complete model directory —
tokenizer trained on the given texts, a 2-layer BERT with random weights,
mean pooling and normalisation — that ``SentenceTransformer(path)`` loads
exactly like a downloaded model. Its vectors are meaningless but
deterministic for a given directory.
"""

from __future__ import annotations

from pathlib import Path

SPECIAL_TOKENS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]


def _train_vocab(corpus_texts: list[str], vocab_size: int) -> list[str]:
    from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, trainers

    tokenizer = Tokenizer(models.WordPiece(unk_token="[UNK]"))
    # Keep Vietnamese diacritics: BERT's default strips accents whenever it lower-cases.
    tokenizer.normalizer = normalizers.BertNormalizer(lowercase=True, strip_accents=False)
    tokenizer.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    trainer = trainers.WordPieceTrainer(vocab_size=vocab_size, special_tokens=SPECIAL_TOKENS, min_frequency=1)
    tokenizer.train_from_iterator(corpus_texts or ["xin chào"], trainer=trainer)
    vocab = tokenizer.get_vocab()
    return [token for token, _ in sorted(vocab.items(), key=lambda item: item[1])]


def build_tiny_sentence_transformer(
    out_dir: Path, corpus_texts: list[str], vocab_size: int = 2000, seed: int = 0
) -> Path:
    """Write a loadable sentence-transformers model to ``out_dir`` and return it."""
    import torch
    from transformers import BertConfig, BertModel, BertTokenizerFast

    try:  # sentence-transformers >= 6 moved the modules; older versions only have .models
        from sentence_transformers.sentence_transformer.modules import Normalize, Pooling, Transformer
    except ImportError:
        from sentence_transformers.models import Normalize, Pooling, Transformer
    from sentence_transformers import SentenceTransformer

    out_dir = Path(out_dir)
    hf_dir = out_dir / "_hf"
    hf_dir.mkdir(parents=True, exist_ok=True)

    vocab = _train_vocab(corpus_texts, vocab_size)
    (hf_dir / "vocab.txt").write_text("\n".join(vocab) + "\n", encoding="utf-8")
    # from_pretrained on a vocab.txt works the same on transformers 4 and 5.
    tokenizer = BertTokenizerFast.from_pretrained(str(hf_dir), do_lower_case=True, strip_accents=False)
    tokenizer.model_max_length = 256
    tokenizer.save_pretrained(str(hf_dir))

    config = BertConfig(
        vocab_size=len(vocab),
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=64,
        max_position_embeddings=256,
    )
    torch.manual_seed(seed)
    BertModel(config).save_pretrained(str(hf_dir))

    transformer = Transformer(str(hf_dir), max_seq_length=256)
    model = SentenceTransformer(modules=[transformer, Pooling(config.hidden_size, "mean"), Normalize()], device="cpu")
    model.save(str(out_dir))

    # The final directory is self-contained; the staging copy is not needed to load it.
    for path in sorted(hf_dir.rglob("*"), reverse=True):
        path.unlink() if path.is_file() else path.rmdir()
    hf_dir.rmdir()
    return out_dir


def build_tiny_cross_encoder(out_dir: Path, corpus_texts: list[str], seed: int = 0) -> Path:
    """A random-weight BERT cross-encoder (one relevance logit) that ``CrossEncoder(path)`` loads."""
    import torch
    from transformers import BertConfig, BertForSequenceClassification, BertTokenizerFast

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    vocab = _train_vocab(corpus_texts, 2000)
    (out_dir / "vocab.txt").write_text("\n".join(vocab) + "\n", encoding="utf-8")
    tokenizer = BertTokenizerFast.from_pretrained(str(out_dir), do_lower_case=True, strip_accents=False)
    tokenizer.model_max_length = 256
    tokenizer.save_pretrained(str(out_dir))
    config = BertConfig(vocab_size=len(vocab), hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
                        intermediate_size=64, max_position_embeddings=256, num_labels=1)
    torch.manual_seed(seed)
    BertForSequenceClassification(config).save_pretrained(str(out_dir))
    return out_dir
