"""Online scoring for fraud-scorer 3.2.0 (xgboost), rendered by mlopsc; edit the spec, not this file."""

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


CAPTURE = True  # monitoring.capture: collect model_inputs/model_outputs for Azure ML monitoring
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
    """{"input_data": [rows]} or {"data": [rows]} or [rows] -> {"predictions": [...]}."""
    payload = json.loads(raw)
    if isinstance(payload, dict):
        payload = payload.get("input_data", payload.get("data"))
    if not isinstance(payload, list):
        raise ValueError("expected a JSON list of rows, or an object with input_data or data")
    frame = _frame(payload)
    context = collectors[0].collect(frame) if collectors else None
    predictions = _predict(frame)
    if collectors:
        collectors[1].collect(pd.DataFrame({"prediction": list(predictions)}), context)
    return {"predictions": [p.item() if hasattr(p, "item") else p for p in predictions]}
