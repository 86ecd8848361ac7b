"""The rendered Azure ML score.py against the real torch and transformers (not collected by default).

torch's CPU build is 754 MB and transformers needs it, too large for the test extras, and CI allows no
skip for a package PyPI serves; tests/test_azureml_scoring_frameworks.py runs the same scripts on the
fakes of tests/fakes/frameworks/. Where torch and transformers are installed
(``pip install torch==2.13.0 transformers==4.48.0``), run these by hand:
``pytest tests/real_frameworks.py``.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest

from tests.test_azureml_scoring_frameworks import (
    BIAS,
    EXPECTED,
    NLP_SIGNATURE,
    TEXTS,
    WEIGHT,
    assert_close,
    model_dir,
    rendered,
    serve,
)


def test_pytorch_score_py_with_real_torch(tmp_path: Path) -> None:
    torch = pytest.importorskip("torch", reason="torch (754 MB) is not in the test extras")
    layer = torch.nn.Linear(3, 1)
    with torch.no_grad():
        layer.weight.copy_(torch.tensor(WEIGHT))
        layer.bias.copy_(torch.tensor(BIAS))
    with warnings.catch_warnings():  # torch 2.13 deprecates TorchScript in favour of torch.export
        warnings.simplefilter("ignore", DeprecationWarning)
        torch.jit.save(torch.jit.script(layer), str(model_dir(tmp_path) / "model.pt"))
    assert_close(serve(tmp_path, rendered("pytorch", "2.1"), fakes=False), EXPECTED)


def test_huggingface_score_py_with_real_transformers(tmp_path: Path) -> None:
    pytest.importorskip("torch", reason="torch (754 MB) is not in the test extras")
    transformers = pytest.importorskip("transformers", reason="transformers needs torch: not in the test extras")
    folder = model_dir(tmp_path)
    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "a", "short", "one", "longer", "text", "here"]
    (folder / "vocab.txt").write_text("\n".join(vocab) + "\n", encoding="utf-8")
    config = transformers.DistilBertConfig(
        vocab_size=len(vocab), dim=8, hidden_dim=16, n_layers=1, n_heads=2, id2label={0: "ok", 1: "default"}
    )
    transformers.DistilBertForSequenceClassification(config).save_pretrained(folder)
    transformers.DistilBertTokenizer(str(folder / "vocab.txt")).save_pretrained(folder)
    files = rendered("huggingface", "4.48", type="nlp", signature=NLP_SIGNATURE)
    predictions = serve(tmp_path, files, fakes=False, rows=TEXTS)
    assert len(predictions) == 2
    assert all(p["label"] in {"ok", "default"} and 0.0 <= p["score"] <= 1.0 for p in predictions), predictions
