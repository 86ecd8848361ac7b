"""KServe A/B never takes over the live URL (issue #13).

Before: the new version was written to the InferenceService `<name>` (the one clients call), so every direct
client moved to 100% on the new version while the split existed only at `<name>-ab`. Now:

- serverless: the split is where clients already call, `<name>`, with canaryTrafficPercent (Knative keeps
  the previous ready revision at the rest; kserve pkg/apis/serving/v1beta1/component.go);
- raw (Standard): `<name>` keeps serving the live version unchanged, the new one runs as `<name>-candidate`,
  the InferenceGraph `<name>-ab` splits (pkg/apis/serving/v1alpha1/inference_graph.go), and KSV036 tells the
  clients taking part to call it.
Each rollout move is checked: the declared share, promote (new alone at `<name>`), abort (all on previous).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from mlopsc.compiler.ir import Emitted, Options
from mlopsc.compiler.passes import run
from tests.fixed_clock import TODAY

ROOT = Path(__file__).resolve().parents[1]
AB = (ROOT / "golden/ab-test/mlops.yaml").read_text(encoding="utf-8")


def _render(mode: str, traffic: int) -> tuple[dict[str, Any], set[str]]:
    text = AB.replace("  traffic: 30\n", f"  traffic: {traffic}\n")
    if mode == "raw":
        text = text.replace("    namespace: search\n", "    namespace: search\n    deployment_mode: raw\n")
    ir = run("mlops.yaml", text.encode(), Options(targets=("kserve",), today=TODAY))
    assert isinstance(ir, Emitted), [d.message for d in ir.diagnostics if d.is_error]
    files = {f.path.rsplit("/", 1)[1]: f.body for f in ir.files}
    return files, {d.code for d in ir.diagnostics}


def _storage(isvc: Any) -> str:
    return str(isvc["spec"]["predictor"]["model"]["storageUri"])


NEW, OLD = "s3://acme-models/ranker/5.0.0/", "s3://acme-models/ranker/4.2.0/"


@pytest.mark.parametrize("traffic", [0, 30, 50])
def test_serverless_ab_splits_at_the_live_name(traffic: int) -> None:
    files, codes = _render("serverless", traffic)
    isvc = files["inferenceservice.yaml"]
    assert isvc["metadata"]["name"] == "search-ranker"
    assert _storage(isvc) == NEW and isvc["spec"]["predictor"]["canaryTrafficPercent"] == traffic
    assert "inferencegraph.yaml" not in files and "KSV036" not in codes


@pytest.mark.parametrize("traffic", [0, 30, 50])
def test_raw_ab_keeps_the_live_name_on_the_live_version(traffic: int) -> None:
    files, codes = _render("raw", traffic)
    live, candidate = files["inferenceservice.yaml"], files["inferenceservice-candidate.yaml"]
    assert (live["metadata"]["name"], _storage(live)) == ("search-ranker", OLD)
    assert "canaryTrafficPercent" not in live["spec"]["predictor"]
    assert (candidate["metadata"]["name"], _storage(candidate)) == ("search-ranker-candidate", NEW)
    steps = {s["serviceName"]: s["weight"] for s in files["inferencegraph.yaml"]["spec"]["nodes"]["root"]["steps"]}
    assert steps == {"search-ranker-candidate": traffic, "search-ranker": 100 - traffic}
    assert "KSV036" in codes


@pytest.mark.parametrize("mode", ["serverless", "raw"])
def test_promote_leaves_the_new_version_alone_at_the_live_name(mode: str) -> None:
    files, codes = _render(mode, 100)
    assert _storage(files["inferenceservice.yaml"]) == NEW
    assert "canaryTrafficPercent" not in files["inferenceservice.yaml"]["spec"]["predictor"]
    assert set(files) & {"inferencegraph.yaml", "inferenceservice-candidate.yaml"} == set()
    assert "KSV036" not in codes
