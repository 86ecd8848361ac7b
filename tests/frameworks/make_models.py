"""Tiny models of the real deep-learning frameworks, made for tests/test_azureml_scoring_real.py.

Run with the frameworks interpreter (``$MLOPSC_FRAMEWORKS_PYTHON``, made by tests/frameworks/make-venv),
never the test venv's: ``python make_models.py KIND FOLDER [TEXT ...]``. It writes one model into FOLDER
the way a user would save it for Azure ML, and prints one JSON line: the framework's version and, for the
Hugging Face classifier, the predictions the model itself gives on the TEXTs (the oracle score.py's
pipeline is held to). Nothing is downloaded: every model and tokenizer is built here from a config.

- ``torchscript``: ``torch.jit.save`` of a scripted ``nn.Linear(3, 1)`` as ``model.pt``;
- ``keras``: a Keras 3 ``Sequential`` of one ``Dense(1)``, ``model.save("model.keras")``;
- ``savedmodel``: a ``tf.Module`` saved with ``tf.saved_model.save`` and a ``serving_default``
  signature (one ``[None, 3]`` float32 input, one output), in ``saved/``;
- ``distilbert``: a one-layer DistilBERT sequence classifier (labels ok/default) and its WordPiece
  tokenizer, ``save_pretrained`` into FOLDER; the seed is the first whose predictions differ between
  the first two texts, so a row mix-up shows;
- ``gpt2``: a one-layer GPT-2 language model and a word-level tokenizer of the TEXTs' words, greedy
  generation of at most 4 new tokens; the oracle is the model's own ``generate`` on each text.

The linear models share the weights below with tests/test_azureml_scoring_frameworks.py (WEIGHT, BIAS).
"""

from __future__ import annotations

import json
import sys
import warnings
from pathlib import Path
from typing import Any

WEIGHT = [[0.5, -2.0, 0.25]]
BIAS = [0.1]
VOCAB = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "a", "short", "one", "longer", "text", "here"]
LABELS = {0: "ok", 1: "default"}


def torchscript(folder: Path) -> dict[str, Any]:
    import torch

    layer = torch.nn.Linear(3, 1)
    with torch.no_grad():
        layer.weight.copy_(torch.tensor(WEIGHT))
        layer.bias.copy_(torch.tensor(BIAS))
    with warnings.catch_warnings():  # torch 2.13 deprecates TorchScript in favour of torch.export
        warnings.simplefilter("ignore", DeprecationWarning)
        torch.jit.save(torch.jit.script(layer), str(folder / "model.pt"))
    return {"version": torch.__version__}


def keras(folder: Path) -> dict[str, Any]:
    import numpy as np
    import tensorflow as tf

    model = tf.keras.Sequential([tf.keras.Input(shape=(3,)), tf.keras.layers.Dense(1)])
    model.layers[-1].set_weights([np.asarray(WEIGHT, dtype="float32").T, np.asarray(BIAS, dtype="float32")])
    model.save(str(folder / "model.keras"))
    return {"version": tf.__version__}


def savedmodel(folder: Path) -> dict[str, Any]:
    import tensorflow as tf

    class Linear(tf.Module):
        def __init__(self) -> None:
            super().__init__()
            self.w = tf.Variable(tf.transpose(tf.constant(WEIGHT)))
            self.b = tf.Variable(BIAS)

        @tf.function(input_signature=[tf.TensorSpec([None, 3], tf.float32, name="features")])
        def __call__(self, x: Any) -> Any:
            return {"score": tf.matmul(x, self.w) + self.b}

    module = Linear()
    tf.saved_model.save(module, str(folder / "saved"), signatures={"serving_default": module.__call__})
    return {"version": tf.__version__}


def distilbert(folder: Path, texts: list[str]) -> dict[str, Any]:
    import torch
    import transformers

    (folder / "vocab.txt").write_text("\n".join(VOCAB) + "\n", encoding="utf-8")
    tokenizer = transformers.DistilBertTokenizer(str(folder / "vocab.txt"))
    batch = tokenizer(texts, padding=True, return_tensors="pt")
    for seed in range(100):
        torch.manual_seed(seed)
        config = transformers.DistilBertConfig(
            vocab_size=len(VOCAB), dim=8, hidden_dim=16, n_layers=1, n_heads=2, initializer_range=1.0, id2label=LABELS
        )
        model = transformers.DistilBertForSequenceClassification(config).eval()
        with torch.no_grad():
            probabilities = torch.softmax(model(**batch).logits, dim=-1)
        best = probabilities.max(dim=-1)
        if len(set(best.indices[:2].tolist())) == 2:
            break
    else:
        raise SystemExit("no seed below 100 gives two labels")
    model.save_pretrained(str(folder))
    tokenizer.save_pretrained(str(folder))
    expected = [{"label": LABELS[int(i)], "score": float(s)} for i, s in zip(best.indices, best.values, strict=True)]
    return {"version": transformers.__version__, "seed": seed, "expected": expected}


def gpt2(folder: Path, texts: list[str]) -> dict[str, Any]:
    """A one-layer GPT-2 with a word-level tokenizer; generation is greedy, 4 new tokens at most (its
    generation_config.json), and the expected texts are the model's own ``generate`` on each text."""
    import tokenizers
    import torch
    import transformers

    # GPT-2's byte-level pieces (a word carries its leading space, "Ġtext"), one id per piece of the texts
    split = tokenizers.pre_tokenizers.ByteLevel(add_prefix_space=False)
    pieces = [piece for text in texts for piece, _ in split.pre_tokenize_str(text)]
    words = ["<unk>", "<eos>", *dict.fromkeys(pieces)]
    core = tokenizers.Tokenizer(tokenizers.models.WordLevel({w: i for i, w in enumerate(words)}, unk_token="<unk>"))
    core.pre_tokenizer = split
    core.decoder = tokenizers.decoders.ByteLevel()
    tokenizer = transformers.PreTrainedTokenizerFast(
        tokenizer_object=core, unk_token="<unk>", eos_token="<eos>", pad_token="<eos>"
    )
    torch.manual_seed(0)
    config = transformers.GPT2Config(
        vocab_size=len(words),
        n_embd=8,
        n_layer=1,
        n_head=2,
        n_positions=32,
        initializer_range=1.0,
        bos_token_id=1,
        eos_token_id=1,
        pad_token_id=1,
    )
    model = transformers.GPT2LMHeadModel(config).eval()
    model.generation_config.max_new_tokens = 4
    model.generation_config.do_sample = False
    model.save_pretrained(str(folder))
    tokenizer.save_pretrained(str(folder))
    expected = []
    with torch.no_grad():
        for text in texts:
            out = model.generate(**tokenizer(text, return_tensors="pt"))
            expected.append({"generated_text": tokenizer.decode(out[0], skip_special_tokens=True)})
    return {"version": transformers.__version__, "expected": expected}


def main(argv: list[str]) -> None:
    kind, folder, texts = argv[0], Path(argv[1]), argv[2:]
    folder.mkdir(parents=True, exist_ok=True)
    if kind in ("distilbert", "gpt2"):
        made = {"distilbert": distilbert, "gpt2": gpt2}[kind](folder, texts)
    else:
        made = {"torchscript": torchscript, "keras": keras, "savedmodel": savedmodel}[kind](folder)
    print(json.dumps(made))


if __name__ == "__main__":
    main(sys.argv[1:])
