"""Scoring scripts for models that Azure ML serves from a curated environment.

A custom (non-MLflow) model on a curated environment needs ``code_configuration``: Azure's inference
server (azureml-inference-server-http) imports ``score.py`` and calls ``init()`` once and ``run(raw)``
per request; a batch deployment calls ``init()`` and ``run(mini_batch)`` with a list of files.
mlopsc renders both scripts for every framework of the spec but ``custom``:

- sklearn: ``joblib.load`` of the first ``*.joblib`` / ``*.pkl`` / ``*.pickle`` file;
- xgboost: ``xgboost.Booster().load_model`` of the first ``*.json`` / ``*.ubj`` / ``*.bst`` /
  ``*.model`` file, predicting on a ``DMatrix`` (string columns as pandas categories);
- lightgbm: ``lightgbm.Booster(model_file=...)`` of the first ``*.txt`` / ``*.model`` file;
- onnx: an ``onnxruntime.InferenceSession`` of the first ``*.onnx`` file (CPU provider), fed one float32
  tensor ``[rows, features]`` in signature order on the graph's first input; the first output is returned;
- pytorch: TorchScript, ``torch.jit.load`` of the first ``*.pt`` / ``*.pth`` / ``*.torchscript`` file
  (a pickled ``nn.Module`` would need its class: not guessed), called on a float32 tensor under ``no_grad``;
- tensorflow: ``tf.keras.models.load_model`` of a ``*.keras`` / ``*.h5`` file, else ``tf.saved_model.load``
  of the folder holding ``saved_model.pb`` (its ``serving_default`` signature, first output);
- huggingface: a ``transformers.pipeline`` for the model type's task (``HF_TASKS``) on the folder holding
  ``config.json`` (model and tokenizer from that folder, never the hub), given the first input column's
  texts.

Files are searched under ``AZUREML_MODEL_DIR`` (where Azure mounts the registered model), sorted,
so the choice is stable. Rows are JSON objects (or lists in signature order); columns are put in
``model.signature.inputs`` order when the spec gives a signature. Secrets arrive as
``<VAR>_SECRET_URL`` (a Key Vault secret URL, never a value): ``init()`` reads each secret the spec
names (``SECRETS``) with the deployment's managed identity into ``<VAR>``. What the script needs beyond
the curated environment (``packages_needed``: azureml-ai-monitoring when data is collected,
azure-identity and azure-keyvault-secrets when secrets are read) is installed by the rendered
``environment/Dockerfile``; should it still be missing, or a secret URL be absent or unreadable, or
the collectors fail to start, ``init()`` raises: the deployment fails to start, loudly, instead of
serving without its secret or collecting nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from mlopsc.compiler.quoting import py

# framework -> (model file patterns, the lines of _load(path) after `def _load(path):`)
_LOADERS: Final[dict[str, tuple[tuple[str, ...], str]]] = {
    "sklearn": (
        ("*.joblib", "*.pkl", "*.pickle"),
        "    import joblib\n\n    return joblib.load(path)\n",
    ),
    "xgboost": (
        ("*.json", "*.ubj", "*.bst", "*.model"),
        "    import xgboost\n\n    booster = xgboost.Booster()\n    booster.load_model(path)\n    return booster\n",
    ),
    "lightgbm": (
        ("*.txt", "*.model"),
        "    import lightgbm\n\n    return lightgbm.Booster(model_file=path)\n",
    ),
    # onnxruntime.InferenceSession (onnxruntime.ai/docs/api/python/api_summary.html), on the CPU provider
    "onnx": (
        ("*.onnx",),
        '    import onnxruntime\n\n    return onnxruntime.InferenceSession(path, providers=["CPUExecutionProvider"])\n',
    ),
    # TorchScript (pytorch.org/docs/stable/generated/torch.jit.load.html): no model class needed at load
    "pytorch": (
        ("*.pt", "*.pth", "*.torchscript"),
        "    import torch\n\n"
        '    scripted = torch.jit.load(path, map_location="cpu")\n'
        "    scripted.eval()\n"
        "    return scripted\n",
    ),
    # a Keras file (tf.keras.models.load_model) or a SavedModel folder (tf.saved_model.load of the folder
    # holding saved_model.pb; www.tensorflow.org/guide/saved_model)
    "tensorflow": (
        ("*.keras", "*.h5", "saved_model.pb"),
        "    import tensorflow as tf\n\n"
        '    if path.endswith((".keras", ".h5")):\n'
        "        return tf.keras.models.load_model(path)\n"
        "    return tf.saved_model.load(os.path.dirname(path))\n",
    ),
    # a Hugging Face model folder (the one holding config.json) in a transformers pipeline for the task
    # (huggingface.co/docs/transformers/main_classes/pipelines): local files only, never the hub
    "huggingface": (
        ("config.json",),
        "    import transformers\n\n"
        "    folder = os.path.dirname(path)\n"
        "    return transformers.pipeline(TASK, model=folder, tokenizer=folder)\n",
    ),
}
_PREDICT: Final[dict[str, str]] = {
    "sklearn": "    return model.predict(frame)\n",
    "xgboost": (
        "    import xgboost\n\n"
        "    return model.predict(xgboost.DMatrix(_categorical(frame), enable_categorical=True))\n"
    ),
    "lightgbm": "    return model.predict(_categorical(frame))\n",
    # one float32 tensor [rows, features] in signature order, fed to the graph's first input
    "onnx": (
        "    name = model.get_inputs()[0].name\n"
        '    return model.run(None, {name: frame.to_numpy(dtype="float32")})[0]\n'
    ),
    "pytorch": (
        "    import torch\n\n"
        "    with torch.no_grad():\n"
        '        return model(torch.from_numpy(frame.to_numpy(dtype="float32"))).numpy()\n'
    ),
    "tensorflow": (
        "    import tensorflow as tf\n\n"
        '    batch = tf.constant(frame.to_numpy(dtype="float32"))\n'
        '    if hasattr(model, "predict"):\n'
        "        return model.predict(batch, verbose=0)\n"
        '    outputs = model.signatures["serving_default"](batch)\n'
        "    return next(iter(outputs.values())).numpy()\n"
    ),
    # the pipeline takes the texts of the first input column; one result per row
    "huggingface": "    return model([str(text) for text in frame.iloc[:, 0]])\n",
}
# The transformers pipeline task for each model.type (pipelines documentation: task identifiers).
HF_TASKS: Final[dict[str, str]] = {
    "classification": "text-classification",
    "nlp": "text-classification",
    "regression": "text-classification",  # a one-label head: the score is the regression output
    "generative": "text-generation",
}
SCORING_FRAMEWORKS: Final[tuple[str, ...]] = tuple(_LOADERS)

_COMMON = '''{docstring}

import glob
import json
import logging
import os

import pandas as pd

FEATURES = {features}  # model.signature.inputs, in order ([] when the spec has none)
MODEL_FILES = {patterns}
SECRETS = {secrets}  # serving.env variables given as Key Vault secrets: read from <VAR>_SECRET_URL
{task}
model = None


def _model_file():
    root = os.environ.get("AZUREML_MODEL_DIR", ".")
    for pattern in MODEL_FILES:
        found = sorted(glob.glob(os.path.join(root, "**", pattern), recursive=True))
        if found:
            return found[0]
    raise FileNotFoundError(f"no model file ({{', '.join(MODEL_FILES)}}) under {{root}}")


def _load(path):
{load}

def _categorical(frame):
    """String columns as pandas categories, the form the booster's categorical features expect."""
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object:
            out[column] = out[column].astype("category")
    return out


def _predict(frame):
{predict}

def _values(predictions):
    """One JSON value per row: a number for a one-output row (an ONNX/Torch [rows, 1] tensor), else a list."""
    out = []
    for p in predictions:
        p = p.tolist() if hasattr(p, "tolist") else p
        out.append(p[0] if isinstance(p, list) and len(p) == 1 else p)
    return out


def _frame(rows):
    """Rows (objects, or lists in signature order) as a DataFrame with the signature's column order."""
    if rows and not isinstance(rows[0], dict):
        return pd.DataFrame(rows, columns=FEATURES or None)
    frame = pd.DataFrame(rows)
    if FEATURES:
        missing = [name for name in FEATURES if name not in frame.columns]
        if missing:
            raise ValueError(f"missing input columns: {{missing}}")
        frame = frame[FEATURES]
    return frame


def _resolve_secrets():
    """Each <VAR>_SECRET_URL of SECRETS holds a Key Vault secret URL: read it with the managed identity into <VAR>.

    Raises (the deployment does not start) when a URL is missing or malformed, the Key Vault
    libraries are not installed, or a secret cannot be read.
    """
    if not SECRETS:
        return
    missing = [name for name in SECRETS if not os.environ.get(name + "_SECRET_URL")]
    if missing:
        raise RuntimeError(f"secret URL not set: {{', '.join(n + '_SECRET_URL' for n in missing)}}")
    try:
        from azure.identity import ManagedIdentityCredential
        from azure.keyvault.secrets import SecretClient
    except ImportError as exc:
        raise RuntimeError(
            "azure-identity and azure-keyvault-secrets are needed to read " + ", ".join(SECRETS)
        ) from exc
    credential = ManagedIdentityCredential(client_id=os.environ.get("AZURE_CLIENT_ID"))
    for name in SECRETS:
        url = os.environ[name + "_SECRET_URL"]
        vault, _, rest = url.partition("/secrets/")
        secret, _, version = rest.partition("/")
        if not vault.startswith("https://") or not secret:
            raise RuntimeError(f"{{name}}_SECRET_URL is not a Key Vault secret URL")
        value = SecretClient(vault, credential).get_secret(secret, version or None).value
        if not value:
            raise RuntimeError(f"Key Vault secret for {{name}} is empty")
        os.environ[name] = value
'''

_ONLINE = '''

CAPTURE = {capture}  # monitoring.capture: collect model_inputs/model_outputs for Azure ML monitoring
collectors = None


def _collectors():
    """Azure ML data collection (model_inputs/model_outputs); raises when capture is on and it cannot start."""
    if not CAPTURE:
        return None
    try:
        from azureml.ai.monitoring import Collector
    except ImportError as exc:
        raise RuntimeError("data collection is configured but azureml-ai-monitoring is not installed") from exc
    return Collector(name="model_inputs"), Collector(name="model_outputs")


def init():
    global model, collectors
    _resolve_secrets()
    path = _model_file()
    model = _load(path)
    collectors = _collectors()
    logging.info("loaded %s", path)


def run(raw):
    """{{"input_data": [rows]}} or {{"data": [rows]}} or [rows] -> {{"predictions": [...]}}."""
    payload = json.loads(raw)
    if isinstance(payload, dict):
        payload = payload.get("input_data", payload.get("data"))
    if not isinstance(payload, list):
        raise ValueError("expected a JSON list of rows, or an object with input_data or data")
    frame = _frame(payload)
    context = collectors[0].collect(frame) if collectors else None
    predictions = _values(_predict(frame))
    if collectors:
        collectors[1].collect(pd.DataFrame({{"prediction": predictions}}), context)
    return {{"predictions": predictions}}
'''

_BATCH = '''

def init():
    global model
    _resolve_secrets()
    path = _model_file()
    model = _load(path)
    logging.info("loaded %s", path)


def _read(path):
    if path.endswith(".parquet"):
        return pd.read_parquet(path)
    if path.endswith((".json", ".jsonl")):
        return pd.read_json(path, lines=path.endswith(".jsonl"))
    return pd.read_csv(path)


def run(mini_batch):
    """Score each file of the mini-batch; one output row per input row, with the file it came from."""
    results = []
    for path in mini_batch:
        frame = _frame(_read(path).to_dict("records"))
        scored = pd.DataFrame({{"prediction": _values(_predict(frame))}})
        scored.insert(0, "file", os.path.basename(path))
        results.append(scored)
    return pd.concat(results) if results else pd.DataFrame(columns=["file", "prediction"])
'''


# import name -> distribution name, and which script feature needs it
CAPTURE_PACKAGES: Final[tuple[str, ...]] = ("azureml-ai-monitoring",)  # azureml.ai.monitoring.Collector
SECRET_PACKAGES: Final[tuple[str, ...]] = ("azure-identity", "azure-keyvault-secrets")  # credential, SecretClient


def packages_needed(*, capture: bool, secrets: bool) -> tuple[str, ...]:
    """The distributions the scripts import beyond pandas, the framework and the inference server."""
    return (CAPTURE_PACKAGES if capture else ()) + (SECRET_PACKAGES if secrets else ())


def _common(
    title: str, model: str, version: str, framework: str, features: list[str], secrets: list[str], task: str
) -> str:
    patterns, load = _LOADERS[framework]
    return _COMMON.format(
        task=f"TASK = {py(HF_TASKS.get(task, 'text-classification'))}  # the transformers pipeline task\n"
        if framework == "huggingface"
        else "",
        docstring=py(f"{title} for {model} {version} ({framework}), rendered by mlopsc; edit the spec, not this file."),
        features=py(features),
        patterns=py(patterns),
        secrets=py(secrets),
        load=load,
        predict=_PREDICT[framework],
    )


def score_py(
    model: str,
    version: str,
    framework: str,
    features: list[str],
    capture: bool,
    secrets: Sequence[str] = (),
    task: str = "",
) -> str:
    """The online scoring script (init/run) for ``framework``; ``capture`` turns on data collection,
    ``secrets`` are the serving.env variables read from Key Vault at init."""
    return _common("Online scoring", model, version, framework, features, sorted(secrets), task) + _ONLINE.format(
        capture=capture
    )


def batch_score_py(
    model: str, version: str, framework: str, features: list[str], secrets: Sequence[str] = (), task: str = ""
) -> str:
    """The batch scoring script (init/run over a mini-batch of files) for ``framework``."""
    return _common("Batch scoring", model, version, framework, features, sorted(secrets), task) + _BATCH.format()
