"""The predictor's runtime on KServe: the catalog's format version, KServe's selection, the artifact layout.

1. ``runtimecatalog.choose`` finds the catalog entry serving the spec's framework version under the
   compatibility policy; its ``format_version`` (the major a v0.20.0 runtime declares in
   ``supportedModelFormats``) is what ``modelFormat.version`` must say, since KServe matches
   ``mt:<name>:<version>`` exactly (``RuntimeSupportsModel``).
2. ``runtimes.select`` reproduces KServe's choice among the runtimes for that format and the protocol.
3. The artifact URI is checked against what the selected runtime loads (``artifact_problem``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from mlopsc.targets import runtimecatalog
from mlopsc.targets.kserve import runtimes
from mlopsc.targets.runtimecatalog import ArtifactLayout

# The protocolVersion asked for each framework (REST, gRPC), as mlopsc has rendered it: v2 (Open
# Inference Protocol) where the runtime speaks it; TensorFlow Serving speaks v1 / grpc-v1 only, and
# TorchServe's KServe handler defaults to v1 for REST.
PROTOCOLS: Mapping[str, tuple[str, str | None]] = {
    "sklearn": ("v2", "grpc-v2"),
    "xgboost": ("v2", "grpc-v2"),
    "lightgbm": ("v2", "grpc-v2"),
    "tensorflow": ("v1", "grpc-v1"),
    "pytorch": ("v1", "grpc-v2"),
    "onnx": ("v2", "grpc-v2"),
    "huggingface": ("v2", None),
}


@dataclass(frozen=True)
class RuntimeChoice:
    runtime: str
    format_name: str
    format_version: str
    protocol: str
    artifact: ArtifactLayout
    note: str


class NoKServeRuntime(Exception):
    def __init__(self, message: str, hint: str, field: str) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.field = field  # "name", "version" (of model.framework) or "protocol"


def choose(
    framework: str,
    version: str,
    compatibility: str | None,
    grpc: bool,
    gpu: bool,
    cluster: tuple[runtimes.ServingRuntime, ...] | None = None,
) -> RuntimeChoice:
    """The runtime KServe selects for the spec, or ``NoKServeRuntime`` naming the runtimes and formats."""
    available = cluster if cluster is not None else runtimes.default_runtimes()
    if not runtimecatalog.entries("kserve", framework):
        raise NoKServeRuntime(
            f"KServe has no serving runtime for framework `{framework}`",
            "set `serving.image_mirrors.kserve` (or `serving.image`) to a container that serves the model; "
            "runtimes: " + _formats(available, framework),
            "name",
        )
    try:
        picked = runtimecatalog.choose("kserve", framework, version, compatibility, processor="gpu" if gpu else "cpu")
    except runtimecatalog.NoRuntime as exc:
        raise NoKServeRuntime(
            exc.message,
            "set `serving.image_mirrors.kserve` (a container that serves the model) or "
            "`model.framework.compatibility`; runtimes: " + _formats(available, framework),
            "version",
        ) from None
    format_name = str(picked.entry.details.get("format", framework))
    format_version = str(picked.entry.details.get("format_version", ""))
    rest, grpc_protocol = PROTOCOLS.get(framework, ("v2", "grpc-v2"))
    protocol = grpc_protocol if grpc else rest
    if protocol is None:
        raise NoKServeRuntime(
            f"no KServe v0.20.0 runtime serves {framework} over gRPC",
            "use `protocol: rest`, or a custom container in `serving.image_mirrors.kserve`",
            "protocol",
        )
    selected = runtimes.select(available, format_name, format_version or None, protocol)
    if selected is None:
        raise NoKServeRuntime(
            f"no serving runtime supports modelFormat {format_name}:{format_version} over {protocol}",
            f"runtimes and the formats they support: {_formats(available, framework)}; install one "
            "(or pass the cluster's with --kserve-runtimes), or set `serving.image_mirrors.kserve`",
            "framework",
        )
    entry = next(
        (e for e in runtimecatalog.entries("kserve", framework) if e.runtime == selected.name),
        picked.entry,
    )
    note = (
        f"KServe selects {entry.label} for modelFormat {format_name}:{format_version} over {protocol} "
        f"(RuntimeSupportsModel, GetSupportingRuntimes: kserve v0.20.0); {picked.rule}"
    )
    return RuntimeChoice(selected.name, format_name, format_version, protocol, entry.artifact, note)


def _formats(available: tuple[runtimes.ServingRuntime, ...], framework: str) -> str:
    relevant = [r for r in available if any(f.name == framework for f in r.formats)]
    return "; ".join(r.describe() for r in relevant or available) or "none"


_ARCHIVES = (".tar.gz", ".tgz", ".zip", ".tar")
# Endings that make a URI's last segment a model file rather than a folder ("2.0.0" is a folder).
_FILES = (
    *_ARCHIVES,
    ".joblib",
    ".pkl",
    ".pickle",
    ".bst",
    ".json",
    ".ubj",
    ".txt",
    ".onnx",
    ".pt",
    ".pth",
    ".mar",
    ".pb",
    ".h5",
    ".keras",
    ".safetensors",
    ".bin",
    ".model",
    ".cbm",
    ".plan",
)


def _leaf(uri: str) -> str:
    path = uri.split("://", 1)[-1]
    return "" if path.endswith("/") else path.rsplit("/", 1)[-1]


def archive_note(uri: str, layout: ArtifactLayout, runtime: str) -> str | None:
    """For an archive URI: what it must hold. KServe's storage initializer unpacks ``.tar``, ``.tar.gz``,
    ``.tgz`` and ``.zip`` files into /mnt/models (python/storage/kserve_storage/kserve_storage.py at
    v0.20.0, ``Storage._unpack_archive_file`` for the mimetypes application/x-tar and application/zip),
    so whether the model loads depends on the archive's content, unknown at compile time."""
    leaf = _leaf(uri)
    if not leaf.lower().endswith(_ARCHIVES):
        return None
    return (
        f"KServe unpacks `{leaf}` into /mnt/models; {runtime} loads {layout.describe()} from there, so the "
        "archive must hold exactly that (a SageMaker XGBoost archive holds `xgboost-model`, which no KServe "
        "runtime loads)"
    )


def artifact_problem(uri: str, layout: ArtifactLayout, runtime: str) -> str | None:
    """Why ``uri`` cannot be what ``runtime`` loads, or None. A URI whose last segment ends in a model
    file's extension names a file (the storage initializer downloads it under its name); anything else
    names a folder, whose content is not known at compile time. Archives: ``archive_note``."""
    if uri.startswith("hf://"):
        return None if layout.kind == "folder" else f"{runtime} does not load a Hugging Face Hub model id"
    leaf = _leaf(uri)
    is_file = leaf.lower().endswith(_FILES)
    if is_file and leaf.lower().endswith(_ARCHIVES):
        return None
    if layout.kind == "file":
        if not is_file:
            return None  # a folder holding the model file: its content is not known at compile time
        if layout.files and leaf not in layout.files:
            return f"{runtime} loads {layout.describe()}, not `{leaf}`"
        if layout.extensions and not leaf.lower().endswith(tuple(layout.extensions)):
            return f"{runtime} loads {layout.describe()}, not `{leaf}`"
        return None
    if is_file:
        return f"{runtime} loads {layout.describe()}, not the single file `{leaf}`"
    return None
