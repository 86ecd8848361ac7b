"""Batch scoring without a user image: a generated scorer that runs in the KServe runtime image of the framework.

For sklearn, xgboost and lightgbm, KServe's own server image holds everything a batch job needs: the model class
the runtime serves with (`sklearnserver.SKLearnModel(name, model_dir)`, `xgbserver.XGBoostModel(name, model_dir,
nthread)`, `lgbserver.LightGBMModel(name, model_dir, nthread)`, python/<server>/<server>/model.py at v0.20.0),
whose `load()` fetches the model with KServe's storage library (`kserve_storage.Storage.download`, the code of the
storage initializer) and loads exactly the files the runtime loads, and whose `predict({"instances": rows})`
is the v1 protocol's (`get_predict_input`/`get_predict_response`, python/kserve/kserve/utils/utils.py). The image
also carries `boto3` and `google-cloud-storage` (dependencies of kserve-storage, python/storage/pyproject.toml).

So the CronJob runs that image with `score.py` from a ConfigMap: it downloads `INPUT_URI` with
`Storage.download`, reads every `.csv`, `.jsonl` and `.json` file (rows in `FEATURES` order when the spec has a
signature, else the file's column order), scores them through the model class, writes one JSON line per input
row (`file`, `row`, `prediction`) and uploads `predictions-<MODEL_VERSION>.jsonl` under `OUTPUT_URI` (s3:// with
boto3, gs:// with google-cloud-storage). The script is the same for every spec of a framework: every spec value
(URIs, model name, features) reaches it through the environment, never as code. A pvc:// model is mounted at
/mnt/models as KServe mounts it (batch_runtime.model_source) and MODEL_URI names that folder: `Storage.download`
reads local paths but no pvc:// URI; an oci:// model is refused (KSV009).
"""

from __future__ import annotations

from typing import Final

# framework -> (image, model class import, constructor arguments after (name, model_dir))
# Images: the `images` of config/runtimes/kustomization.yaml (kserve/sklearnserver, kserve/xgbserver,
# kserve/lgbserver), at the release tag of the KServe version this target renders for.
KSERVE_VERSION: Final = "v0.20.0"
SCORERS: Final[dict[str, tuple[str, str, str]]] = {
    "sklearn": (f"kserve/sklearnserver:{KSERVE_VERSION}", "from sklearnserver import SKLearnModel as ModelClass", ""),
    "xgboost": (f"kserve/xgbserver:{KSERVE_VERSION}", "from xgbserver import XGBoostModel as ModelClass", ", 1"),
    "lightgbm": (f"kserve/lgbserver:{KSERVE_VERSION}", "from lgbserver import LightGBMModel as ModelClass", ", 1"),
}
INPUT_SCHEMES: Final = ("s3://", "gs://", "https://", "http://")
OUTPUT_SCHEMES: Final = ("s3://", "gs://")
MOUNT: Final = "/scorer"

# The code every generated batch script shares (this scorer and batch_client.py's): reading rows, uploading.
ROWS_CODE: Final = '''READERS = (".csv", ".jsonl", ".json")


def _rows(path):
    """A file's rows as dicts (CSV with a header, JSON lines, or a JSON list of objects)."""
    with open(path, encoding="utf-8", newline="") as handle:
        if path.endswith(".csv"):
            return list(csv.DictReader(handle))
        if path.endswith(".jsonl"):
            return [json.loads(line) for line in handle if line.strip()]
        data = json.load(handle)
        return data if isinstance(data, list) else [data]


def _number(value):
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return value
    return value


def _instances(rows, features):
    """Rows as lists in `features` order (the v1 protocol's `instances`)."""
    if not rows:
        return []
    columns = features or list(rows[0])
    missing = sorted({c for row in rows for c in columns if c not in row})
    if missing:
        raise ValueError(f"missing input columns: {missing}")
    return [[_number(row[c]) for c in columns] for row in rows]


def _inputs(root):
    found = []
    for folder, _dirs, files in os.walk(root):
        found += [os.path.join(folder, f) for f in files if f.endswith(READERS)]
    return sorted(found)


'''
UPLOAD_CODE: Final = """def _upload(path, uri):
    scheme, _, rest = uri.partition("://")
    bucket, _, key = rest.partition("/")
    if scheme == "s3":
        import boto3

        boto3.client("s3").upload_file(path, bucket, key)
    elif scheme == "gs":
        from google.cloud import storage

        storage.Client().bucket(bucket).blob(key).upload_from_filename(path)
    else:
        raise ValueError(f"cannot upload to {uri}")


"""
_HEAD: Final = '''"""Batch scoring with the {framework} runtime's model class, rendered by mlopsc: edit the spec.

Inputs, model and output come from the environment: INPUT_URI, MODEL_URI, OUTPUT_URI, MODEL_NAME,
MODEL_VERSION and FEATURES (a JSON list of column names; [] keeps each file's column order).
"""

import csv
import json
import os
import sys
import tempfile

from kserve_storage import Storage

{model_import}

'''
_MAIN: Final = """def main():
    env = os.environ
    features = json.loads(env.get("FEATURES", "[]"))
    model = ModelClass(env["MODEL_NAME"], env["MODEL_URI"]@MODEL_ARGS@)
    model.load()
    work = tempfile.mkdtemp()
    source = Storage.download(env["INPUT_URI"], os.path.join(work, "input"))
    files = _inputs(source)
    if not files:
        raise FileNotFoundError(f"no {', '.join(READERS)} file under INPUT_URI")
    output = os.path.join(work, "predictions.jsonl")
    count = 0
    with open(output, "w", encoding="utf-8") as out:
        for path in files:
            rows = _rows(path)
            if not rows:
                continue
            predictions = model.predict({"instances": _instances(rows, features)})["predictions"]
            if len(predictions) != len(rows):
                raise RuntimeError(f"{len(predictions)} predictions for {len(rows)} rows of {path}")
            name = os.path.relpath(path, source)
            for index, prediction in enumerate(predictions):
                out.write(json.dumps({"file": name, "row": index, "prediction": prediction}) + "\\n")
                count += 1
    target = env["OUTPUT_URI"].rstrip("/") + "/predictions-" + env["MODEL_VERSION"] + ".jsonl"
    _upload(output, target)
    print(f"scored {count} rows from {len(files)} files into {target}", file=sys.stderr)


if __name__ == "__main__":
    main()
"""


def score_py(framework: str) -> str:
    """The batch scorer for `framework` (one of SCORERS): the same text for every spec of that framework."""
    _image, model_import, args = SCORERS[framework]
    head = _HEAD.format(framework=framework, model_import=model_import)
    return head + ROWS_CODE + UPLOAD_CODE + _MAIN.replace("@MODEL_ARGS@", args)


def runtime(framework: str) -> str:
    """The ClusterServingRuntime whose image and model class the scorer uses (its artifact layout applies)."""
    return {"sklearn": "kserve-sklearnserver", "xgboost": "kserve-xgbserver", "lightgbm": "kserve-lgbserver"}[framework]


def image(framework: str) -> str | None:
    scorer = SCORERS.get(framework)
    return scorer[0] if scorer else None
