"""Rebuild ``targets/<platform>/runtimes.json`` from the vendors' own material (never run at compile time).

    python -m mlopsc.targets.refresh_runtimes kserve --from ../shared/runtimes/kserve-v0.20.0
    python -m mlopsc.targets.refresh_runtimes sagemaker --from <sagemaker-python-sdk checkout> --tag v3.20.0
    python -m mlopsc.targets.refresh_runtimes vertex          # the installed google-cloud-aiplatform
    python -m mlopsc.targets.refresh_runtimes azureml --from <azureml-assets checkout> --tag <commit>

One function per platform returns the catalog as a plain dict; ``write`` lays it out with sorted keys,
so a refresh from the same material is byte-identical, and the tests call the same functions on the
installed vendor packages (and ../shared) to check the committed files are current.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import yaml

from mlopsc.targets.runtimecatalog import catalog_path

Json = dict[str, object]

SPEC_FRAMEWORKS = ("sklearn", "xgboost", "lightgbm", "pytorch", "tensorflow", "onnx", "huggingface")


def write(platform: str, data: Mapping[str, object], path: Path | None = None) -> Path:
    target = path or catalog_path(platform)
    target.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return target


def _sorted_entries(entries: list[Json]) -> list[Json]:
    def key(entry: Json) -> tuple[str, tuple[int, ...], str]:
        digits = tuple(int(p) if p.isdigit() else -1 for p in str(entry["version"]).replace("-", ".").split("."))
        return (str(entry["framework"]), digits, str(entry["runtime"]))

    return sorted(entries, key=key)


# --- KServe ------------------------------------------------------------------------------------------

# What each KServe model server loads from the storage initializer's /mnt/models, from its own code at
# v0.20.0: python/sklearnserver/sklearnserver/model.py MODEL_EXTENSIONS, python/xgbserver/xgbserver/
# model.py BOOSTER_FILE_EXTENSIONS, python/lgbserver/lgbserver/model.py MODEL_EXTENSIONS (each refuses
# a folder with more than one such file); Triton a model repository (<model>/<version>/model.onnx,
# https://github.com/triton-inference-server/server/blob/main/docs/user_guide/model_repository.md);
# TorchServe a model store with config/config.properties and model-store/*.mar (docs/samples/
# v1beta1/torchserve/README.md); TensorFlow Serving a SavedModel under a numeric version folder;
# huggingfaceserver a model folder (config.json + weights) or an hf:// id; MLServer model-settings
# with a model.joblib / model.bst (https://mlserver.readthedocs.io/en/stable/runtimes/).
KSERVE_LAYOUTS: Mapping[str, Json] = {
    "kserve-sklearnserver": {"kind": "file", "extensions": [".joblib", ".pkl", ".pickle"]},
    "kserve-xgbserver": {"kind": "file", "extensions": [".bst", ".json", ".ubj"]},
    "kserve-lgbserver": {"kind": "file", "extensions": [".bst"]},
    "kserve-mlserver": {"kind": "file", "extensions": [".joblib", ".pkl", ".bst", ".json", ".ubj", ".txt"]},
    "kserve-tritonserver": {"kind": "model-repository", "files": ["<model>/<version>/model.onnx"]},
    "kserve-torchserve": {"kind": "folder", "files": ["config/config.properties", "model-store/<model>.mar"]},
    "kserve-tensorflow-serving": {"kind": "folder", "files": ["<version>/saved_model.pb"]},
    "kserve-huggingfaceserver": {"kind": "folder", "files": ["config.json"]},
}


# Where KServe's declared format version is not the library version the spec names: the framework
# versions the runtime's image loads, with the source. TorchServe's image pytorch/torchserve-kfs:0.9.0
# (kustomization.yaml) is TorchServe 0.9.0, built on PyTorch 2.1 (TorchServe v0.9.0 release notes),
# while kserve-torchserve.yaml declares format pytorch "1"; huggingfaceserver declares format
# huggingface "1" and its image installs transformers>=5.5.3 (python/huggingfaceserver/pyproject.toml
# at v0.20.0), which loads model folders saved by transformers 4 and 5.
KSERVE_SERVES: Mapping[tuple[str, str], list[str]] = {
    ("kserve-torchserve", "pytorch"): ["2"],
    ("kserve-huggingfaceserver", "huggingface"): ["4", "5"],
}


def kserve(source: Path, tag: str = "v0.20.0") -> Json:
    """The ClusterServingRuntimes a default install creates (``kustomization.yaml`` resources) with the
    image each resolves to (its ``images:`` pins), one entry per supported spec framework format."""
    kustomization = yaml.safe_load((source / "kustomization.yaml").read_text(encoding="utf-8"))
    pins = {
        pin["name"]: f"{pin.get('newName', pin['name'])}:{pin.get('newTag', 'latest')}"
        for pin in kustomization["images"]
    }
    entries: list[Json] = []
    for resource in kustomization["resources"]:
        doc = yaml.safe_load((source / resource).read_text(encoding="utf-8"))
        name = doc["metadata"]["name"]
        spec = doc["spec"]
        if spec.get("multiModel") or spec.get("workerSpec") or name not in KSERVE_LAYOUTS:
            continue
        image = spec["containers"][0]["image"].split(":")[0]
        for fmt in spec.get("supportedModelFormats", []):
            if fmt["name"] not in SPEC_FRAMEWORKS:
                continue
            entries.append(
                {
                    "framework": fmt["name"],
                    "version": str(fmt.get("version", "")),
                    "serves": KSERVE_SERVES.get((name, fmt["name"]), [str(fmt.get("version", ""))]),
                    "runtime": name,
                    "image": pins.get(image, image),
                    "protocols": list(spec.get("protocolVersions", [])),
                    "processors": ["cpu", "gpu"],
                    "artifact": dict(KSERVE_LAYOUTS[name]),
                    "source": f"kserve/kserve config/runtimes/{resource} at {tag}",
                    "details": {
                        "autoSelect": bool(fmt.get("autoSelect", False)),
                        "priority": fmt.get("priority"),
                        "format": fmt["name"],
                        "format_version": str(fmt.get("version", "")),
                    },
                }
            )
    return {
        "platform": "kserve",
        "source": f"kserve/kserve config/runtimes at {tag} (kustomization.yaml resources and images)",
        "entries": _sorted_entries(entries),
    }


# --- SageMaker ---------------------------------------------------------------------------------------

# The SDK's image_uri_config/<name>.json (scope ``inference``) for each spec framework; ONNX is served by
# NVIDIA Triton (sagemaker-tritonserver.json), whose ONNX Runtime backend loads ONNX models of format
# major 1 (the same declaration KServe's kserve-tritonserver makes: onnx "1").
SAGEMAKER_CONFIGS: Mapping[str, str] = {
    "sklearn": "sklearn",
    "xgboost": "xgboost",
    "pytorch": "pytorch",
    "tensorflow": "tensorflow",
    "huggingface": "huggingface",
    "onnx": "sagemaker-tritonserver",
}

# SageMaker's hosting loads ``ModelDataUrl``, a model.tar.gz it unpacks into /opt/ml/model
# (https://docs.aws.amazon.com/sagemaker/latest/dg/realtime-endpoints-deploy-models.html); what the
# archive must hold is each container's rule: the scikit-learn and XGBoost containers load a model
# file, the PyTorch / Hugging Face DLCs a model folder (inference toolkit), TensorFlow Serving a
# SavedModel under a numeric version folder, Triton a model repository.
SAGEMAKER_LAYOUTS: Mapping[str, Json] = {
    "sklearn": {"kind": "archive", "extensions": [".tar.gz"], "files": ["model.tar.gz"]},
    "xgboost": {"kind": "archive", "extensions": [".tar.gz"], "files": ["model.tar.gz"]},
    "pytorch": {"kind": "archive", "extensions": [".tar.gz"], "files": ["model.tar.gz"]},
    "tensorflow": {"kind": "archive", "extensions": [".tar.gz"], "files": ["model.tar.gz"]},
    "huggingface": {"kind": "archive", "extensions": [".tar.gz"], "files": ["model.tar.gz"]},
    "onnx": {"kind": "archive", "extensions": [".tar.gz"], "files": ["model.tar.gz"]},
}

_SERVES = re.compile(r"^(\d+)\.(\d+)")


def _sagemaker_entry(framework: str, version: str, config: Mapping[str, object], tag: str, file: str) -> Json | None:
    """One inference image version, its tags built as the SDK's ``image_uris._format_tag`` does."""
    repository = str(config["repository"])
    registries = config["registries"]
    assert isinstance(registries, dict)
    py_versions = [str(p) for p in config.get("py_versions", [])]  # type: ignore[attr-defined]
    python = py_versions[-1] if py_versions else ""
    container = config.get("container_version", {})
    assert isinstance(container, dict)
    processors = [str(p) for p in config.get("processors", ["cpu", "gpu"])]  # type: ignore[attr-defined]
    prefix = str(config.get("tag_prefix", version))
    served = version
    extra: Json = {}
    if framework == "huggingface":
        prefix = f"{config['_base']}-transformers{version}"
        extra["base"] = config["_base"]
    if framework == "onnx":
        served_versions = ["1"]
    else:
        match = _SERVES.match(served)
        if match is None:
            return None
        served_versions = [f"{int(match.group(1))}.{int(match.group(2))}"]
    if framework == "xgboost":  # one image serves CPU and GPU; the tag is the version alone
        tags = {"cpu": prefix, "gpu": prefix}
    elif framework in ("tensorflow", "onnx"):  # TensorFlow Serving and Triton tags carry no Python
        tags = {p: "-".join(x for x in (prefix, p if framework == "tensorflow" else "") if x) for p in processors}
    else:
        tags = {p: "-".join(x for x in (prefix, p, python, str(container.get(p, ""))) if x) for p in processors}
    return {
        "framework": framework,
        "version": version,
        "serves": served_versions,
        "runtime": repository,
        "image": f"{repository}:{tags.get('cpu', next(iter(tags.values())))}",
        "protocols": ["rest"],
        "processors": sorted(tags),
        "artifact": dict(SAGEMAKER_LAYOUTS[framework]),
        "source": f"aws/sagemaker-python-sdk sagemaker-core/src/sagemaker/core/image_uri_config/{file}.json at {tag}",
        "details": {
            **extra,
            "tags": tags,
            "regions": sorted(registries),
            "accounts": sorted(set(map(str, registries.values()))),
        },
    }


def sagemaker(source: Path, tag: str) -> Json:
    """Every inference image version of the spec frameworks, from a checkout (or installed copy) of
    the SDK's ``image_uri_config`` folder (``source`` is that folder)."""
    entries: list[Json] = []
    for framework, file in SAGEMAKER_CONFIGS.items():
        data = json.loads((source / f"{file}.json").read_text(encoding="utf-8"))
        scope = data.get("inference", data)
        for version, raw in scope["versions"].items():
            config = raw
            if framework == "huggingface":  # keyed by transformers version, then by base framework
                bases = sorted(k for k in raw if k.startswith("pytorch") and k[7:8].isdigit())
                if not bases:
                    continue
                config = {**raw[bases[-1]], "_base": bases[-1]}
            config = {"processors": scope.get("processors", data.get("processors", ["cpu", "gpu"])), **config}
            entry = _sagemaker_entry(framework, version, config, tag, file)
            if entry is not None:
                entries.append(entry)
    return {
        "platform": "sagemaker",
        "source": f"aws/sagemaker-python-sdk sagemaker-core/src/sagemaker/core/image_uri_config at {tag}",
        "entries": _sorted_entries(entries),
    }


# --- command line ------------------------------------------------------------------------------------

REFRESHERS: Mapping[str, Callable[[Path, str], Json]] = {"kserve": kserve, "sagemaker": sagemaker}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m mlopsc.targets.refresh_runtimes")
    parser.add_argument("platform", choices=sorted(REFRESHERS))
    parser.add_argument("--from", dest="source", type=Path, required=True, help="the vendor material")
    parser.add_argument("--tag", required=True, help="the vendor tag or commit the material is at")
    args = parser.parse_args(argv)
    path = write(args.platform, REFRESHERS[args.platform](args.source, args.tag))
    sys.stdout.write(f"wrote {path}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
