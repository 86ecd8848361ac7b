"""Scoring scripts for models that Azure ML serves from a curated environment.

A custom (non-MLflow) model on a curated environment needs ``code_configuration``: Azure's inference
server (azureml-inference-server-http) imports ``score.py`` and calls ``init()`` once and ``run(raw)``
per request; a batch deployment calls ``init()`` and ``run(mini_batch)`` with a list of files.
mlopsc renders both scripts for the tabular frameworks it can load without guessing:

- sklearn: ``joblib.load`` of the first ``*.joblib`` / ``*.pkl`` / ``*.pickle`` file;
- xgboost: ``xgboost.Booster().load_model`` of the first ``*.json`` / ``*.ubj`` / ``*.bst`` /
  ``*.model`` file, predicting on a ``DMatrix`` (string columns as pandas categories);
- lightgbm: ``lightgbm.Booster(model_file=...)`` of the first ``*.txt`` / ``*.model`` file.

Files are searched under ``AZUREML_MODEL_DIR`` (where Azure mounts the registered model), sorted,
so the choice is stable. Rows are JSON objects (or lists in signature order); columns are put in
``model.signature.inputs`` order when the spec gives a signature. Secrets arrive as
``<VAR>_SECRET_URL`` (a Key Vault secret URL, never a value): ``init()`` reads each one with the
deployment's managed identity into ``<VAR>`` when azure-identity and azure-keyvault-secrets are
installed, and logs a warning otherwise.
"""

from __future__ import annotations

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
}
_PREDICT: Final[dict[str, str]] = {
    "sklearn": "    return model.predict(frame)\n",
    "xgboost": (
        "    import xgboost\n\n"
        "    return model.predict(xgboost.DMatrix(_categorical(frame), enable_categorical=True))\n"
    ),
    "lightgbm": "    return model.predict(_categorical(frame))\n",
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
    """<VAR>_SECRET_URL holds a Key Vault secret URL: read it with the managed identity into <VAR>."""
    urls = {{k[: -len("_SECRET_URL")]: v for k, v in os.environ.items() if k.endswith("_SECRET_URL")}}
    if not urls:
        return
    try:
        from azure.identity import ManagedIdentityCredential
        from azure.keyvault.secrets import SecretClient
    except ImportError:
        logging.warning("azure-identity/azure-keyvault-secrets missing: %s not resolved", sorted(urls))
        return
    credential = ManagedIdentityCredential(client_id=os.environ.get("AZURE_CLIENT_ID"))
    for name, url in sorted(urls.items()):
        vault, _, rest = url.partition("/secrets/")
        secret, _, version = rest.partition("/")
        os.environ[name] = SecretClient(vault, credential).get_secret(secret, version or None).value
'''

_ONLINE = '''

CAPTURE = {capture}  # monitoring.capture: collect model_inputs/model_outputs for Azure ML monitoring
collectors = None


def _collectors():
    """Azure ML data collection (model_inputs/model_outputs) when azureml-ai-monitoring is installed."""
    if not CAPTURE:
        return None
    try:
        from azureml.ai.monitoring import Collector
    except ImportError:
        logging.warning("azureml-ai-monitoring missing: model inputs and outputs are not collected")
        return None
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
    predictions = _predict(frame)
    if collectors:
        collectors[1].collect(pd.DataFrame({{"prediction": list(predictions)}}), context)
    return {{"predictions": [p.item() if hasattr(p, "item") else p for p in predictions]}}
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
        scored = pd.DataFrame({{"prediction": list(_predict(frame))}})
        scored.insert(0, "file", os.path.basename(path))
        results.append(scored)
    return pd.concat(results) if results else pd.DataFrame(columns=["file", "prediction"])
'''


def _common(title: str, model: str, version: str, framework: str, features: list[str]) -> str:
    patterns, load = _LOADERS[framework]
    return _COMMON.format(
        docstring=py(f"{title} for {model} {version} ({framework}), rendered by mlopsc; edit the spec, not this file."),
        features=py(features),
        patterns=py(patterns),
        load=load,
        predict=_PREDICT[framework],
    )


def score_py(model: str, version: str, framework: str, features: list[str], capture: bool) -> str:
    """The online scoring script (init/run) for ``framework``; ``capture`` turns on data collection."""
    return _common("Online scoring", model, version, framework, features) + _ONLINE.format(capture=capture)


def batch_score_py(model: str, version: str, framework: str, features: list[str]) -> str:
    """The batch scoring script (init/run over a mini-batch of files) for ``framework``."""
    return _common("Batch scoring", model, version, framework, features) + _BATCH.format()
