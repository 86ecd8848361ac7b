"""Batch scoring for price-elasticity 1.0.0 (xgboost), rendered by mlopsc; edit the spec, not this file."""

import glob
import json
import logging
import os

import pandas as pd

FEATURES = []  # model.signature.inputs, in order ([] when the spec has none)
MODEL_FILES = ["*.json", "*.ubj", "*.bst", "*.model"]

model = None


def _model_file():
    root = os.environ.get("AZUREML_MODEL_DIR", ".")
    for pattern in MODEL_FILES:
        found = sorted(glob.glob(os.path.join(root, "**", pattern), recursive=True))
        if found:
            return found[0]
    raise FileNotFoundError(f"no model file ({', '.join(MODEL_FILES)}) under {root}")


def _load(path):
    import xgboost

    booster = xgboost.Booster()
    booster.load_model(path)
    return booster


def _categorical(frame):
    """String columns as pandas categories, the form the booster's categorical features expect."""
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object:
            out[column] = out[column].astype("category")
    return out


def _predict(frame):
    import xgboost

    return model.predict(xgboost.DMatrix(_categorical(frame), enable_categorical=True))


def _frame(rows):
    """Rows (objects, or lists in signature order) as a DataFrame with the signature's column order."""
    if rows and not isinstance(rows[0], dict):
        return pd.DataFrame(rows, columns=FEATURES or None)
    frame = pd.DataFrame(rows)
    if FEATURES:
        missing = [name for name in FEATURES if name not in frame.columns]
        if missing:
            raise ValueError(f"missing input columns: {missing}")
        frame = frame[FEATURES]
    return frame


def _resolve_secrets():
    """<VAR>_SECRET_URL holds a Key Vault secret URL: read it with the managed identity into <VAR>."""
    urls = {k[: -len("_SECRET_URL")]: v for k, v in os.environ.items() if k.endswith("_SECRET_URL")}
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
        scored = pd.DataFrame({"prediction": list(_predict(frame))})
        scored.insert(0, "file", os.path.basename(path))
        results.append(scored)
    return pd.concat(results) if results else pd.DataFrame(columns=["file", "prediction"])
