"""The batch client for a runtime run as a sidecar (batch_runtime.py): a stdlib script that scores rows over HTTP.

It runs in `kserve/storage-initializer:v0.20.0` (python/storage-initializer.Dockerfile at v0.20.0: a Python 3.11
virtualenv first on PATH with kserve-storage and its dependencies boto3 and google-cloud-storage,
python/storage/pyproject.toml), started as `python /scorer/score.py` (the image's entrypoint is the initializer's
script, so the command is explicit). It downloads INPUT_URI with `Storage.download`, reads the rows as the in-image
scorer does (batch_scorer.ROWS_CODE: the same text), waits until the runtime answers its readiness path (v1
`GET /v1/models/<name>`, v2 `GET /v2/models/<name>/ready`) with 200, for at most READY_TIMEOUT_S seconds (else it
exits non-zero: batch_runtime.py says why the pod has no startupProbe), and sends the rows, BATCH_ROWS at a time,
to RUNTIME_URL:

- v1 (TensorFlow Serving, TorchServe's KServe wrapper): `POST /v1/models/<name>:predict` with
  `{"instances": [[...], ...]}`, answer `{"predictions": [...]}` (one per row).
- v2, the Open Inference Protocol (Triton, huggingfaceserver): the model's metadata `GET /v2/models/<name>` gives
  its inputs (name, datatype, shape); one input takes the rows as one tensor `[rows, columns]` (rank 1: `[rows]`,
  one column), several inputs are matched to columns by name; no declared input (huggingfaceserver) is one tensor
  `input-0` whose datatype follows the values (BYTES for text: KServe's model server hands BYTES string data to
  the model as a list of texts, `get_predict_input` in python/kserve/kserve/utils/utils.py at v0.20.0, and its
  metadata lists the model's `get_input_types()`, empty by default, protocol/dataplane.py `model_metadata`).
  `POST /v2/models/<name>/infer`; each output's
  first dimension must be the row count; a row's prediction is its slice of the one output, or an object of every
  output's slice.

It writes one JSON line per input row (`file`, `row`, `prediction`) and uploads `predictions-<MODEL_VERSION>.jsonl`
under OUTPUT_URI. Any HTTP error, a wrong prediction count or a missing column exits non-zero, before anything is
uploaded. The text is the same for every spec: every value comes from the environment.
"""

from __future__ import annotations

from typing import Final

from mlopsc.targets.kserve.batch_scorer import ROWS_CODE, UPLOAD_CODE

_HEAD: Final = '''"""Batch scoring through the KServe runtime beside this container, rendered by mlopsc: edit the spec.

Inputs, model and output come from the environment: INPUT_URI, OUTPUT_URI, MODEL_NAME, MODEL_VERSION,
FEATURES (a JSON list of column names; [] keeps each file's column order), RUNTIME_URL, PROTOCOL (v1 or v2),
BATCH_ROWS (rows per request) and READY_TIMEOUT_S (how long the runtime may take to load the model).
"""

import csv
import json
import os
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request

from kserve_storage import Storage

'''

_CLIENT: Final = """TIMEOUT = 600
CASTS = {"BOOL": bool, "BYTES": str}


def _call(url, body=None):
    data = None if body is None else json.dumps(body).encode("utf-8")
    request = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
            return json.loads(response.read().decode("utf-8"))
    except urllib.error.HTTPError as error:
        detail = error.read().decode("utf-8", "replace")[:1000]
        raise RuntimeError(f"{url}: HTTP {error.code}: {detail}") from None


def _wait(url, timeout):
    # until the runtime answers `url` with 200 (it is loading the model until then)
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=10) as response:
                if response.status == 200:
                    return
        except OSError:  # refused while the server starts, 503/404 while the model loads
            pass
        if time.monotonic() >= deadline:
            raise RuntimeError(f"the runtime was not ready at {url} within {timeout:g} s")
        time.sleep(1)


def _cast(datatype):
    if datatype in CASTS:
        return CASTS[datatype]
    return float if datatype.startswith("FP") else int


def _guess(values):
    if all(isinstance(v, bool) for v in values):
        return "BOOL"
    if all(isinstance(v, int) and not isinstance(v, bool) for v in values):
        return "INT64"
    if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
        return "FP64"
    return "BYTES"


def _raw(rows, features):
    columns = features or list(rows[0])
    return [[row[c] for c in columns] for row in rows]


def _nest(flat, dims):
    if not dims:
        return flat[0]
    if len(dims) == 1:
        return list(flat)
    size = len(flat) // dims[0]
    return [_nest(flat[i * size:(i + 1) * size], dims[1:]) for i in range(dims[0])]


class V1:
    def __init__(self, base, name):
        self.ready = f"{base}/v1/models/{urllib.parse.quote(name, safe='')}"
        self.url = f"{base}/v1/models/{urllib.parse.quote(name, safe='')}:predict"

    def load(self):
        pass

    def predict(self, rows, features):
        return _call(self.url, {"instances": _instances(rows, features)})["predictions"]


class V2:
    def __init__(self, base, name):
        self.model = f"{base}/v2/models/{urllib.parse.quote(name, safe='')}"
        self.ready = self.model + "/ready"
        self.url = self.model + "/infer"
        self.inputs = []

    def load(self):
        self.inputs = _call(self.model).get("inputs") or []

    def _tensors(self, rows, features):
        columns = features or list(rows[0])
        values = _instances(rows, features)
        if len(self.inputs) > 1:
            unknown = [i["name"] for i in self.inputs if i["name"] not in columns]
            if unknown:
                raise ValueError(f"model inputs {unknown} are not input columns {columns}")
            tensors = []
            for spec in self.inputs:
                cast = _cast(spec["datatype"])
                if spec["datatype"] == "BYTES":
                    data = [cast(row[spec["name"]]) for row in rows]
                else:
                    data = [cast(value[columns.index(spec["name"])]) for value in values]
                shape = [len(rows), 1] if len(spec.get("shape") or [-1, 1]) > 1 else [len(rows)]
                tensors.append({"name": spec["name"], "datatype": spec["datatype"], "shape": shape, "data": data})
            return tensors
        spec = self.inputs[0] if self.inputs else {}
        if spec.get("datatype") == "BYTES" or (not spec and _guess([v for r in values for v in r]) == "BYTES"):
            values = _raw(rows, features)
        datatype = spec.get("datatype") or _guess([v for r in values for v in r])
        cast = _cast(datatype)
        rank = len(spec["shape"]) if spec.get("shape") else (1 if len(columns) == 1 else 2)
        if rank == 1:
            if len(columns) != 1:
                raise ValueError(f"the model takes one value per row, the input has columns {columns}")
            data, shape = [cast(r[0]) for r in values], [len(rows)]
        else:
            data, shape = [cast(v) for r in values for v in r], [len(rows), len(columns)]
        return [{"name": spec.get("name", "input-0"), "datatype": datatype, "shape": shape, "data": data}]

    def predict(self, rows, features):
        answer = _call(self.url, {"inputs": self._tensors(rows, features)})
        outputs = answer.get("outputs") or []
        if not outputs:
            raise RuntimeError(f"no outputs in the answer of {self.url}")
        per_row = {}
        for output in outputs:
            shape = output["shape"]
            if not shape or shape[0] != len(rows):
                raise RuntimeError(f"output {output['name']} has shape {shape} for {len(rows)} rows")
            per_row[output["name"]] = _nest(output["data"], shape)
        if len(per_row) == 1:
            return next(iter(per_row.values()))
        return [{name: values[i] for name, values in per_row.items()} for i in range(len(rows))]


def main():
    env = os.environ
    features = json.loads(env.get("FEATURES", "[]"))
    size = max(1, int(env.get("BATCH_ROWS", "64")))
    base = env["RUNTIME_URL"].rstrip("/")
    model = V2(base, env["MODEL_NAME"]) if env["PROTOCOL"] == "v2" else V1(base, env["MODEL_NAME"])
    _wait(model.ready, float(env.get("READY_TIMEOUT_S", "600")))
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
            name = os.path.relpath(path, source)
            for start in range(0, len(rows), size):
                chunk = rows[start:start + size]
                predictions = model.predict(chunk, features)
                if len(predictions) != len(chunk):
                    raise RuntimeError(f"{len(predictions)} predictions for {len(chunk)} rows of {path}")
                for index, prediction in enumerate(predictions, start):
                    out.write(json.dumps({"file": name, "row": index, "prediction": prediction}) + "\\n")
                    count += 1
    target = env["OUTPUT_URI"].rstrip("/") + "/predictions-" + env["MODEL_VERSION"] + ".jsonl"
    _upload(output, target)
    print(f"scored {count} rows from {len(files)} files into {target}", file=sys.stderr)


if __name__ == "__main__":
    try:
        main()
    except (RuntimeError, ValueError, OSError, KeyError) as error:
        sys.exit(f"batch scoring failed: {error}")
"""

IMAGE: Final = "kserve/storage-initializer:v0.20.0"
RUNTIME_URL: Final = "http://127.0.0.1:8080"
BATCH_ROWS: Final = 64


def score_py() -> str:
    """The client: the same text for every spec and runtime (PROTOCOL picks v1 or v2)."""
    return _HEAD + ROWS_CODE + UPLOAD_CODE + _CLIENT
