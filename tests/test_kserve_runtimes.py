"""KServe runtime selection: the behaviour model (tests/behaviour/kserve_runtime.py) on KServe's own
samples, mlopsc's selection (targets/kserve/runtimes.py) held to the model, the catalog held to
../shared/runtimes/kserve-v0.20.0, the artifact layout rules and --kserve-runtimes."""

from __future__ import annotations

import json
from itertools import product
from pathlib import Path
from typing import Any

import pytest
import yaml

from mlopsc.targets import refresh_runtimes, runtimecatalog
from mlopsc.targets.kserve import runtimes
from mlopsc.targets.kserve.choose import NoKServeRuntime, archive_note, artifact_problem, choose
from tests.behaviour.kserve_runtime import installed_runtimes, predictor_model, selected_runtime
from tests.conftest import shared_path


def _runtimes() -> list[dict[str, Any]]:
    return installed_runtimes(shared_path("runtimes", "kserve-v0.20.0"))


def _samples() -> list[tuple[str, dict[str, Any]]]:
    found = []
    for path in sorted(shared_path("samples", "kserve-v0.20.0").glob("*.yaml")):
        try:
            docs = list(yaml.safe_load_all(path.read_text(encoding="utf-8")))
        except yaml.YAMLError:
            continue  # a few samples carry {placeholders} and are not YAML
        found += [(path.name, d) for d in docs if isinstance(d, dict) and d.get("kind") == "InferenceService"]
    return found


def test_model_on_kserve_samples_89_of_90_are_served() -> None:
    """The test of the test: KServe's own samples, 90 InferenceServices; the 11 custom-container ones
    need no runtime; of the 79 naming a model format, all but fluid-isvc (whose named runtime
    custom-kserve-huggingfaceserver a default install lacks) select a runtime."""
    samples = _samples()
    assert len(samples) == 90
    unserved = [
        name
        for name, isvc in samples
        if predictor_model(isvc) is not None and selected_runtime(isvc, _runtimes()) is None
    ]
    assert unserved == ["fluid_fluid-isvc.yaml"]
    assert sum(predictor_model(isvc) is None for _, isvc in samples) == 11


def _isvc(name: str, version: str | None, protocol: str | None = None, runtime: str | None = None) -> dict[str, Any]:
    model: dict[str, Any] = {"modelFormat": {"name": name} if version is None else {"name": name, "version": version}}
    if protocol:
        model["protocolVersion"] = protocol
    if runtime:
        model["runtime"] = runtime
    return {"kind": "InferenceService", "spec": {"predictor": {"model": model}}}


def test_model_reproduces_kserve_rules() -> None:
    rts = _runtimes()
    # the defect of issue #13: the spec's full version matches no runtime (runtimes declare majors)
    assert selected_runtime(_isvc("sklearn", "1.5"), rts) is None
    assert selected_runtime(_isvc("xgboost", "1.7", "v2"), rts) is None
    # v1 is the default protocol; sklearnserver speaks v1, MLServer does not
    assert selected_runtime(_isvc("sklearn", "1"), rts) == "kserve-sklearnserver"
    # over v2 both qualify and MLServer's priority 2 beats sklearnserver's 1
    assert selected_runtime(_isvc("sklearn", "1", "v2"), rts) == "kserve-mlserver"
    # no version: the label mt:<name> of any autoSelect format
    assert selected_runtime(_isvc("lightgbm", None), rts) == "kserve-lgbserver"
    # pytorch on Triton is not autoSelect: only when named
    assert selected_runtime(_isvc("pytorch", "1", "grpc-v2"), rts) == "kserve-torchserve"
    assert selected_runtime(_isvc("pytorch", "1", "v2", "kserve-tritonserver"), rts) == "kserve-tritonserver"
    assert selected_runtime(_isvc("sklearn", "1", "grpc-v1"), rts) is None
    assert selected_runtime(_isvc("onnx", "1", "v1"), rts) is None  # Triton speaks v2 only


def test_mlopsc_selection_equals_the_model() -> None:
    """targets/kserve/runtimes.select over the catalog agrees with the model over KServe's YAML for every
    spec format, declared version (and none), protocol and named runtime."""
    rts = _runtimes()
    ours = runtimes.default_runtimes()
    # named runtimes: those the catalog holds (multi-node and multi-model ones are left out of it)
    names = [*sorted({r.name for r in ours}), None]
    formats = sorted({(e.details["format"], e.details["format_version"]) for e in runtimecatalog.catalog("kserve")})
    checked = 0
    for (name, version), protocol, runtime in product(formats, ("v1", "v2", "grpc-v1", "grpc-v2"), names):
        for ask in (version, None, "9"):
            expected = selected_runtime(_isvc(str(name), str(ask) if ask else None, protocol, runtime), rts)
            chosen = runtimes.select(ours, str(name), str(ask) if ask else None, protocol, runtime)
            assert (chosen.name if chosen else None) == expected, (name, ask, protocol, runtime)
            checked += 1
    assert checked > 500


def test_catalog_is_rebuilt_from_shared_runtimes() -> None:
    """targets/kserve/runtimes.json is what the refresh script makes from the v0.20.0 runtimes."""
    fresh = refresh_runtimes.kserve(shared_path("runtimes", "kserve-v0.20.0"), "v0.20.0")
    committed = json.loads(runtimecatalog.catalog_path("kserve").read_text(encoding="utf-8"))
    assert committed == json.loads(json.dumps(fresh)), "run python -m mlopsc.targets.refresh_runtimes kserve ..."


def test_user_runtimes_file(tmp_path: Path) -> None:
    """--kserve-runtimes reads `kubectl get clusterservingruntimes -o yaml` (a List) or files."""
    items = [
        yaml.safe_load(p.read_text()) for p in sorted(shared_path("runtimes", "kserve-v0.20.0").glob("kserve-*.yaml"))
    ]
    listed = tmp_path / "runtimes.yaml"
    listed.write_text(yaml.safe_dump({"apiVersion": "v1", "kind": "List", "items": items}), encoding="utf-8")
    loaded = runtimes.load([listed])
    assert {r.name for r in loaded} == {i["metadata"]["name"] for i in items}
    with pytest.raises(ValueError, match="no ClusterServingRuntime"):
        runtimes.load([_empty(tmp_path)])


def _empty(tmp_path: Path) -> Path:
    path = tmp_path / "empty.yaml"
    path.write_text("kind: ConfigMap\n", encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("framework", "version", "grpc", "runtime", "fmt"),
    [
        ("sklearn", "1.5", False, "kserve-mlserver", "1"),
        ("xgboost", "2.0", False, "kserve-mlserver", "2"),
        ("lightgbm", "4.1", False, "kserve-mlserver", "4"),
        ("tensorflow", "2.13", False, "kserve-tensorflow-serving", "2"),
        ("pytorch", "2.1", False, "kserve-torchserve", "1"),
        ("onnx", "1.16", False, "kserve-tritonserver", "1"),
        ("huggingface", "4.44", False, "kserve-huggingfaceserver", "1"),
        ("tensorflow", "2.15", True, "kserve-tensorflow-serving", "2"),
    ],
)
def test_choice_renders_the_declared_format_version(
    framework: str, version: str, grpc: bool, runtime: str, fmt: str
) -> None:
    choice = choose(framework, version, None, grpc, gpu=False)
    assert (choice.runtime, choice.format_version) == (runtime, fmt)
    assert choice.format_version in {f.version for r in runtimes.default_runtimes() for f in r.formats}


def test_no_runtime_names_runtimes_and_formats() -> None:
    with pytest.raises(NoKServeRuntime) as caught:
        choose("huggingface", "4.44", None, True, gpu=False)
    assert caught.value.field == "protocol"
    with pytest.raises(NoKServeRuntime) as caught:
        choose("xgboost", "3.0", None, False, gpu=False)
    assert "versions served: 1, 2" in caught.value.message
    assert "kserve-xgbserver [xgboost:2" in caught.value.hint
    only_sklearnserver = tuple(r for r in runtimes.default_runtimes() if r.name == "kserve-sklearnserver")
    with pytest.raises(NoKServeRuntime) as caught:
        choose("sklearn", "1.5", None, True, gpu=False, cluster=only_sklearnserver)
    assert "kserve-sklearnserver [sklearn:1; protocols v1, v2]" in caught.value.hint


@pytest.mark.parametrize(
    ("uri", "runtime", "bad"),
    [
        ("s3://b/m/model.joblib", "kserve-sklearnserver", False),
        ("s3://b/m/model.pkl", "kserve-sklearnserver", False),
        ("s3://b/m/model.bst", "kserve-sklearnserver", True),
        ("s3://b/m/", "kserve-sklearnserver", False),
        ("s3://b/m/2.0.0", "kserve-sklearnserver", False),
        ("s3://b/m/model.ubj", "kserve-xgbserver", False),
        ("s3://b/m/model.txt", "kserve-lgbserver", True),
        ("s3://b/m/model.joblib", "kserve-mlserver", False),
        ("s3://b/m/clf.joblib", "kserve-mlserver", True),
        ("s3://b/m/model.onnx", "kserve-tritonserver", True),
        ("s3://b/m/repository/", "kserve-tritonserver", False),
        ("s3://b/m/saved_model.pb", "kserve-tensorflow-serving", True),
        ("hf://org/model", "kserve-huggingfaceserver", False),
        ("hf://org/model", "kserve-sklearnserver", True),
        ("s3://b/m/model.tar.gz", "kserve-xgbserver", False),
    ],
)
def test_artifact_layout(uri: str, runtime: str, bad: bool) -> None:
    framework = {
        "kserve-sklearnserver": "sklearn",
        "kserve-mlserver": "sklearn",
        "kserve-xgbserver": "xgboost",
        "kserve-lgbserver": "lightgbm",
        "kserve-tritonserver": "onnx",
        "kserve-tensorflow-serving": "tensorflow",
        "kserve-huggingfaceserver": "huggingface",
    }[runtime]
    entry = next(e for e in runtimecatalog.entries("kserve", framework) if e.runtime == runtime)
    assert (artifact_problem(uri, entry.artifact, runtime) is not None) is bad


def test_archive_is_a_warning_naming_what_it_must_hold() -> None:
    entry = next(e for e in runtimecatalog.entries("kserve", "xgboost") if e.runtime == "kserve-xgbserver")
    note = archive_note("s3://b/m/model.tar.gz", entry.artifact, entry.runtime)
    assert note is not None and ".bst, .json, .ubj" in note
    assert archive_note("s3://b/m/model.bst", entry.artifact, entry.runtime) is None


MINIMAL = Path(__file__).resolve().parents[1] / "golden" / "minimal" / "mlops.yaml"


def test_kserve_runtimes_option_checks_against_the_clusters_runtimes(
    tmp_path: Path, cli_run: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = shared_path("runtimes", "kserve-v0.20.0")
    monkeypatch.chdir(tmp_path)
    (tmp_path / "mlops.yaml").write_text(MINIMAL.read_text(encoding="utf-8"), encoding="utf-8")
    cli_run(["compile", "mlops.yaml", "--out", "out", "--kserve-runtimes", str(folder)], expect=0)
    only_xgb = tmp_path / "cluster.yaml"
    only_xgb.write_text((folder / "kserve-xgbserver.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    result = cli_run(["compile", "mlops.yaml", "--out", "out2", "--kserve-runtimes", str(only_xgb)], expect=1)
    assert "error[KSV013]" in result.stderr
    assert "no runtime of --kserve-runtimes serves modelFormat sklearn:1 over v2" in result.stderr
    assert "kserve-xgbserver [xgboost:2; protocols v1, v2]" in result.stderr
    assert not (tmp_path / "out2").exists()
    empty = tmp_path / "empty.yaml"
    empty.write_text("kind: ConfigMap\n", encoding="utf-8")
    result = cli_run(["compile", "mlops.yaml", "--out", "out3", "--kserve-runtimes", str(empty)], expect=2)
    assert "--kserve-runtimes" in result.stderr
