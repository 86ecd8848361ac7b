"""Rebuild ``targets/<platform>/runtimes.json`` from the vendors' own material (never run at compile time).

    python -m mlopsc.targets.refresh_runtimes kserve --from ../shared/runtimes/kserve-v0.20.0 --tag v0.20.0
    python -m mlopsc.targets.refresh_runtimes sagemaker --tag v3.20.0 \
        --from <aws/sagemaker-python-sdk at that tag>/sagemaker-core/src/sagemaker/core/image_uri_config
    python -m mlopsc.targets.refresh_runtimes vertex --huggingface-tag <commit> \
        --huggingface <huggingface/Google-Cloud-Containers at that commit>/docs/source/containers/available.mdx
        (the prebuilt images come from the installed google-cloud-aiplatform)
    python -m mlopsc.targets.refresh_runtimes azureml --from <Azure/azureml-assets checkout> --tag <commit>

One function per platform returns the catalog as a plain dict; ``write`` lays it out with sorted keys,
so a refresh from the same material is byte-identical, and the tests call the same functions on the
installed vendor packages (and ../shared) to check the committed files are current.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Mapping, Sequence
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
    "kserve-tritonserver": {"kind": "model-repository", "files": ["<model>/<version>/model.onnx"]},
    "kserve-torchserve": {"kind": "folder", "files": ["config/config.properties", "model-store/<model>.mar"]},
    "kserve-tensorflow-serving": {"kind": "folder", "files": ["<version>/saved_model.pb"]},
    "kserve-huggingfaceserver": {"kind": "folder", "files": ["config.json"]},
}
# MLServer's runtimes look for WELLKNOWN_MODEL_FILENAMES (SeldonIO/MLServer runtimes/sklearn,
# runtimes/xgboost, runtimes/lightgbm): model.joblib / model.pickle / model.pkl, model.bst / model.json,
# model.bst.
MLSERVER_LAYOUTS: Mapping[str, Json] = {
    "sklearn": {"kind": "file", "files": ["model.joblib", "model.pickle", "model.pkl"]},
    "xgboost": {"kind": "file", "files": ["model.bst", "model.json"]},
    "lightgbm": {"kind": "file", "files": ["model.bst"]},
}


# Where KServe's declared format version is not the library version the spec names: the framework
# versions the runtime's image loads, with the source. TorchServe's image pytorch/torchserve-kfs:0.9.0
# (kustomization.yaml) is TorchServe 0.9.0, built on PyTorch 2.1 (TorchServe v0.9.0 release notes),
# while kserve-torchserve.yaml declares format pytorch "1" (both majors load); huggingfaceserver declares format
# huggingface "1" and its image installs transformers>=5.5.3 (python/huggingfaceserver/pyproject.toml
# at v0.20.0), which loads model folders saved by transformers 4 and 5.
KSERVE_SERVES: Mapping[tuple[str, str], list[str]] = {
    ("kserve-torchserve", "pytorch"): ["1", "2"],
    ("kserve-huggingfaceserver", "huggingface"): ["4", "5"],
}


# The parts of a runtime's first container (and its pod volumes) that a batch pod running the runtime as a
# sidecar needs (targets/kserve/batch_runtime.py): as written, with KServe's `{{.Name}}` placeholders.
_CONTAINER_FIELDS = ("command", "args", "env", "resources", "securityContext", "volumeMounts")


def _runtime_container(spec: Mapping[str, object]) -> Json:
    containers = spec["containers"]
    assert isinstance(containers, list) and containers and isinstance(containers[0], dict)
    first = containers[0]
    out: Json = {key: first[key] for key in _CONTAINER_FIELDS if key in first}
    if spec.get("volumes"):
        out["volumes"] = spec["volumes"]
    return out


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
        if spec.get("multiModel") or spec.get("workerSpec"):
            continue
        image = spec["containers"][0]["image"].split(":")[0]
        for fmt in spec.get("supportedModelFormats", []):
            layout = MLSERVER_LAYOUTS.get(fmt["name"]) if name == "kserve-mlserver" else KSERVE_LAYOUTS.get(name)
            if fmt["name"] not in SPEC_FRAMEWORKS or layout is None:
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
                    "artifact": dict(layout),
                    "source": f"kserve/kserve config/runtimes/{resource} at {tag}",
                    "details": {
                        "autoSelect": bool(fmt.get("autoSelect", False)),
                        "priority": fmt.get("priority"),
                        "format": fmt["name"],
                        "format_version": str(fmt.get("version", "")),
                        "container": _runtime_container(spec),
                        "server_type": doc["metadata"].get("annotations", {}).get("serving.kserve.io/server-type", ""),
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
        prefix = f"{str(config['_base']).removeprefix('pytorch')}-transformers{version}"
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


# --- Vertex AI ---------------------------------------------------------------------------------------

# What each Vertex AI prebuilt prediction server loads from ``artifactUri`` (a Cloud Storage folder):
# https://cloud.google.com/vertex-ai/docs/model-registry/import-model#pre-built-container (model.joblib
# or model.pkl for scikit-learn; model.bst, model.joblib or model.pkl for XGBoost; a SavedModel for
# TensorFlow; model.mar for PyTorch); the Hugging Face PyTorch DLC loads a model folder (config.json and
# weights) from AIP_STORAGE_URI (huggingface/Google-Cloud-Containers containers/pytorch/inference/README.md).
VERTEX_LAYOUTS: Mapping[str, Json] = {
    "sklearn": {"kind": "folder", "files": ["model.joblib", "model.pkl"]},
    "xgboost": {"kind": "folder", "files": ["model.bst", "model.joblib", "model.pkl"]},
    "tensorflow": {"kind": "folder", "files": ["saved_model.pb"]},
    "pytorch": {"kind": "folder", "files": ["model.mar"]},
    "huggingface": {"kind": "folder", "files": ["config.json"]},
}

_VERTEX_URI = re.compile(
    r"^(?P<region>\w+)-docker\.pkg\.dev/vertex-ai/prediction/(?P<repo>\w+)-(?P<accel>cpu|gpu)\.(?P<version>[\d-]+):latest$"
)
_HF_URI = re.compile(
    r"(?P<uri>us-docker\.pkg\.dev/deeplearning-platform-release/gcr\.io/huggingface-pytorch-inference-"
    r"(?P<accel>cpu|cu\d+)\.(?P<torch>\d+-\d+)\.transformers\.(?P<major>\d+)-(?P<minor>\d+)\.[\w.]+)"
)


def _aiplatform_uris(prediction_py: Path) -> list[str]:
    """The ``*_CONTAINER_URIS`` list literals of aiplatform/constants/prediction.py, read without
    importing google.cloud.aiplatform (heavy)."""
    import ast

    uris: list[str] = []
    for node in ast.parse(prediction_py.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.List):
            names = [t.id for t in node.targets if isinstance(t, ast.Name)]
            if any(name.endswith("_CONTAINER_URIS") for name in names):
                uris.extend(str(ast.literal_eval(item)) for item in node.value.elts)
    return uris


def installed_aiplatform() -> tuple[Path, str]:
    """The installed google-cloud-aiplatform's constants/prediction.py and its version."""
    from importlib import metadata

    dist = metadata.distribution("google-cloud-aiplatform")
    return Path(str(dist.locate_file("google/cloud/aiplatform/constants/prediction.py"))), dist.version


def vertex(source: Path, tag: str, huggingface: Path | None = None, huggingface_tag: str = "") -> Json:
    """Vertex AI's prebuilt prediction images from google-cloud-aiplatform's constants/prediction.py
    (``source``, at package version ``tag``), plus Google's Hugging Face PyTorch inference DLCs from
    huggingface/Google-Cloud-Containers docs/source/containers/available.mdx when given."""
    found: dict[tuple[str, str], dict[str, set[str]]] = {}
    for uri in _aiplatform_uris(source):
        match = _VERTEX_URI.match(uri)
        if match is None:
            continue
        repo = match.group("repo")
        framework = "tensorflow" if repo in ("tf", "tf2") else repo
        version = match.group("version").replace("-", ".")
        slot = found.setdefault((framework, version), {})
        slot.setdefault(match.group("accel"), set()).add(
            f"vertex-ai/prediction/{repo}-{match.group('accel')}.{match.group('version')}:latest"
        )
        slot.setdefault("_regions", set()).add(match.group("region"))
    entries: list[Json] = []
    for (framework, version), slot in found.items():
        if framework not in VERTEX_LAYOUTS:
            continue
        images = {accel: sorted(uris)[0] for accel, uris in slot.items() if not accel.startswith("_")}
        image = images.get("cpu", next(iter(images.values())))
        entries.append(
            {
                "framework": framework,
                "version": version,
                "serves": [version],
                "runtime": image.split("/")[-1].split(".")[0].rsplit("-", 1)[0],
                "image": image,
                "protocols": ["rest"],
                "processors": sorted(images),
                "artifact": dict(VERTEX_LAYOUTS[framework]),
                "source": f"google-cloud-aiplatform {tag} google/cloud/aiplatform/constants/prediction.py",
                "details": {"images": images, "multi_regions": sorted(slot["_regions"])},
            }
        )
    if huggingface is not None:
        hf: dict[str, dict[str, str]] = {}
        for match in _HF_URI.finditer(huggingface.read_text(encoding="utf-8")):
            version = f"{match.group('major')}.{match.group('minor')}"
            # listed untagged, that is `:latest`; tagged explicitly like Vertex AI's own prebuilt images, so the
            # version the repository name carries is what pins it (policies/images.py has_version)
            accel = "cpu" if match.group("accel") == "cpu" else "gpu"
            hf.setdefault(version, {})[accel] = match.group("uri") + ":latest"
        for version, images in hf.items():
            entries.append(
                {
                    "framework": "huggingface",
                    "version": version,
                    "serves": [version],
                    "runtime": "huggingface-pytorch-inference",
                    "image": images.get("cpu", next(iter(images.values()))),
                    "protocols": ["rest"],
                    "processors": sorted(images),
                    "artifact": dict(VERTEX_LAYOUTS["huggingface"]),
                    "source": "huggingface/Google-Cloud-Containers docs/source/containers/available.mdx at "
                    + huggingface_tag,
                    "details": {"images": images, "multi_regions": ["us"]},
                }
            )
    return {
        "platform": "vertex",
        "source": f"google-cloud-aiplatform {tag} constants/prediction.py; huggingface/Google-Cloud-Containers "
        f"{huggingface_tag}",
        "entries": _sorted_entries(entries),
    }


# --- Azure ML --------------------------------------------------------------------------------------

# Python package -> spec framework, for reading curated environments' dependencies.
AZUREML_PACKAGES: Mapping[str, str] = {
    "scikit-learn": "sklearn",
    "xgboost": "xgboost",
    "lightgbm": "lightgbm",
    "torch": "pytorch",
    "tensorflow": "tensorflow",
    "onnxruntime": "onnx",
    "transformers": "huggingface",
}
_REQUIREMENT = re.compile(r"^(?P<name>[A-Za-z0-9_.-]+)(\[[^\]]*\])?\s*(?P<spec>.*)$")
_SPEC_VERSION = re.compile(r"(\d+)\.(\d+)")
_ACPT_TORCH = re.compile(r"^FROM \S*-torch(\d)(\d+?)(\d):", re.MULTILINE)


def _requirements(text: str, conda: bool) -> dict[str, str]:
    """Package name -> version specifier, from a conda_dependencies.yaml or a requirements.txt."""
    lines: list[str] = []
    if conda:
        for dep in (yaml.safe_load(text) or {}).get("dependencies", []):
            if isinstance(dep, dict):
                lines.extend(str(item) for item in dep.get("pip", []))
            else:
                lines.append(str(dep).replace("=", "==", 1) if "=" in str(dep) and "==" not in str(dep) else str(dep))
    else:
        lines = [line.split("#")[0].strip() for line in text.splitlines()]
    packages: dict[str, str] = {}
    for line in lines:
        match = _REQUIREMENT.match(line.strip())
        if match and not line.strip().startswith(("-", "#")):
            packages[match.group("name").lower().replace("_", "-")] = match.group("spec").strip()
    return packages


def azureml(source: Path, tag: str) -> Json:
    """Curated environments of azureml-assets (``source`` is a checkout: assets/**/environments/*), one
    entry per spec framework an environment pins, with every package it installs (``details.packages``,
    so a rule can check for azureml-ai-monitoring or azure-keyvault-secrets)."""
    entries: list[Json] = []
    bases: list[Json] = []
    for folder in sorted(source.glob("assets/*/environments/*")) + sorted(source.glob("assets/*/*/environments/*")):
        context = folder / "context"
        conda = context / "conda_dependencies.yaml"
        requirements = context / "requirements.txt"
        if conda.is_file():
            packages = _requirements(conda.read_text(encoding="utf-8"), conda=True)
        elif requirements.is_file():
            packages = _requirements(requirements.read_text(encoding="utf-8"), conda=False)
        else:
            continue
        name = folder.name
        relative = folder.relative_to(source).as_posix()
        server = "azureml-inference-server-http" in packages or "azureml-defaults" in packages
        found: dict[str, str] = {}
        for package, framework in AZUREML_PACKAGES.items():
            pinned = _SPEC_VERSION.search(packages.get(package, ""))
            if pinned:
                found[framework] = f"{int(pinned.group(1))}.{int(pinned.group(2))}"
        dockerfile = context / "Dockerfile"
        acpt = _ACPT_TORCH.search(dockerfile.read_text(encoding="utf-8")) if dockerfile.is_file() else None
        if acpt and "pytorch" not in found:
            # ACPT environments take torch from their base image, named ...-torch<major><minor><patch>:
            # its FROM line says which (acpt-pytorch-2.2-cuda12.1 is built on torch280 today).
            found["pytorch"] = f"{acpt.group(1)}.{acpt.group(2)}"
        common: Json = {
            "runtime": name,
            "image": f"mcr.microsoft.com/azureml/curated/{name}:latest",
            "protocols": ["rest"],
            # CUDA images also run on CPU-only VMs; the others have no CUDA libraries
            "processors": ["cpu", "gpu"] if "cuda" in name else ["cpu"],
            "source": f"Azure/azureml-assets {relative}/context at {tag}",
        }
        details: Json = {"packages": dict(sorted(packages.items())), "inference_server": server}
        if not found:
            if server and relative.startswith("assets/inference/"):
                bases.append({**common, "details": details})
            continue
        for framework, version in sorted(found.items()):
            entries.append(
                {
                    **common,
                    "framework": framework,
                    "version": version,
                    "serves": [version],
                    # The rendered score/score.py loads the model from AZUREML_MODEL_DIR (a file or folder).
                    "artifact": {"kind": "file" if framework in ("sklearn", "xgboost", "lightgbm") else "folder"},
                    "details": details,
                }
            )
    return {
        "platform": "azureml",
        "source": f"Azure/azureml-assets assets/**/environments at {tag}",
        "entries": _sorted_entries(entries),
        "bases": bases,
    }


# --- command line ------------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m mlopsc.targets.refresh_runtimes", description=__doc__)
    parser.add_argument("platform", choices=("kserve", "sagemaker", "vertex", "azureml"))
    parser.add_argument(
        "--from",
        dest="source",
        type=Path,
        help="the vendor material: KServe's config/runtimes folder, the SDK's image_uri_config folder, an "
        "azureml-assets checkout; for vertex the installed google-cloud-aiplatform is read",
    )
    parser.add_argument("--tag", default="", help="the vendor tag or commit the material is at")
    parser.add_argument("--huggingface", type=Path, help="vertex: Google-Cloud-Containers' available.mdx")
    parser.add_argument("--huggingface-tag", default="", help="vertex: the commit of that file")
    args = parser.parse_args(argv)
    if args.platform == "vertex":
        prediction, version = installed_aiplatform()
        data = vertex(prediction, version, args.huggingface, args.huggingface_tag)
    else:
        if args.source is None or not args.tag:
            parser.error(f"{args.platform} needs --from and --tag")
        data = {"kserve": kserve, "sagemaker": sagemaker, "azureml": azureml}[args.platform](args.source, args.tag)
    sys.stdout.write(f"wrote {write(args.platform, data)}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
