"""Which KServe serving runtime serves a predictor: KServe v0.20.0's own selection, reproduced.

The runtimes are the catalog's (``targets/kserve/runtimes.json``, rebuilt from the ClusterServingRuntimes
a default v0.20.0 install creates) or, with ``--kserve-runtimes PATH``, the user's cluster's own
(``kubectl get clusterservingruntimes -o yaml``). Selection follows kserve/kserve at v0.20.0:

- ``RuntimeSupportsModel`` (pkg/apis/serving/v1beta1/predictor_model.go): the label
  ``mt:<name>:<version>`` of the predictor's ``modelFormat`` must equal one of the runtime's
  ``supportedModelFormats`` labels (``mt:<name>`` when the predictor gives no version); only formats
  with ``autoSelect: true`` count unless ``runtime`` names the runtime.
- ``GetSupportingRuntimes`` (same file): a runtime is a candidate when it is not disabled, not
  multi-model, not multi-node (no ``workerSpec``), supports the model and its ``protocolVersions``
  include the predictor's (an empty list supports all: ``IsProtocolVersionSupported`` in
  pkg/apis/serving/v1alpha1/servingruntime_types.go; the predictor's protocol defaults to ``v1``,
  ``GetProtocol``). Candidates are ordered by their lowest protocol version (v1 < v2 < grpc-v1 <
  grpc-v2, ``GetProtocolVersionPriority``), then name, then by the model format's ``priority``,
  highest first (``sortSupportedRuntimeByPriority``; a runtime with a priority before one without).
  The first is selected (pkg/controller/v1beta1/inferenceservice/components/predictor.go).
- A named ``runtime`` must exist, be enabled, support the protocol and the model with any of its
  formats (predictor.go, ``RuntimeSupportsModel`` with ``Runtime`` set).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from mlopsc.targets import runtimecatalog

PROTOCOL_ORDER: Mapping[str, int] = {"v1": 1, "v2": 2, "grpc-v1": 3, "grpc-v2": 4}
UNKNOWN_PROTOCOL = 5


@dataclass(frozen=True)
class ModelFormat:
    name: str
    version: str | None
    auto_select: bool
    priority: int | None

    @property
    def label(self) -> str:
        return f"{self.name}:{self.version}" if self.version is not None else self.name


@dataclass(frozen=True)
class ServingRuntime:
    name: str
    formats: tuple[ModelFormat, ...]
    protocols: tuple[str, ...]
    disabled: bool = False
    multi_model: bool = False
    multi_node: bool = False
    image: str | None = None  # the first container's image (what the runtime's pods run)

    def supports_model(self, name: str, version: str | None, named: bool) -> bool:
        labels: set[str] = set()
        for fmt in self.formats:
            if named or fmt.auto_select:
                labels.add(fmt.name)
                if fmt.version is not None:
                    labels.add(f"{fmt.name}:{fmt.version}")
        return (f"{name}:{version}" if version is not None else name) in labels

    def supports_protocol(self, protocol: str) -> bool:
        return not self.protocols or protocol in self.protocols

    def priority(self, name: str) -> int | None:
        return next((fmt.priority for fmt in self.formats if fmt.name == name), None)

    def describe(self) -> str:
        formats = ", ".join(f.label + ("" if f.auto_select else " (named only)") for f in self.formats)
        return f"{self.name} [{formats}; protocols {', '.join(self.protocols) or 'any'}]"


def default_runtimes() -> tuple[ServingRuntime, ...]:
    """The runtimes of a default KServe v0.20.0 install, from the catalog."""
    formats: dict[str, list[ModelFormat]] = {}
    protocols: dict[str, tuple[str, ...]] = {}
    for entry in runtimecatalog.catalog("kserve"):
        details = entry.details
        priority = details.get("priority")
        formats.setdefault(entry.runtime, []).append(
            ModelFormat(
                str(details["format"]),
                str(details["format_version"]) if details.get("format_version") else None,
                bool(details.get("autoSelect")),
                priority if isinstance(priority, int) else None,
            )
        )
        protocols[entry.runtime] = entry.protocols
    return tuple(ServingRuntime(name, tuple(fmts), protocols[name]) for name, fmts in sorted(formats.items()))


def from_documents(documents: Iterable[object]) -> tuple[ServingRuntime, ...]:
    """ClusterServingRuntime / ServingRuntime documents (parsed YAML) as runtimes."""
    runtimes: list[ServingRuntime] = []
    for doc in documents:
        if not isinstance(doc, dict) or doc.get("kind") not in ("ClusterServingRuntime", "ServingRuntime"):
            continue
        if doc.get("kind") == "List":
            continue
        spec = doc.get("spec") or {}
        formats = tuple(
            ModelFormat(
                str(fmt.get("name", "")),
                str(fmt["version"]) if fmt.get("version") is not None else None,
                fmt.get("autoSelect") is True,
                fmt.get("priority") if isinstance(fmt.get("priority"), int) else None,
            )
            for fmt in spec.get("supportedModelFormats") or []
            if isinstance(fmt, dict)
        )
        runtimes.append(
            ServingRuntime(
                name=str((doc.get("metadata") or {}).get("name", "")),
                formats=formats,
                protocols=tuple(str(p) for p in spec.get("protocolVersions") or []),
                disabled=spec.get("disabled") is True,
                multi_model=spec.get("multiModel") is True,
                multi_node=spec.get("workerSpec") is not None,
                image=_first_image(spec.get("containers")),
            )
        )
    return tuple(runtimes)


def _first_image(containers: object) -> str | None:
    if isinstance(containers, list) and containers and isinstance(containers[0], dict):
        image = containers[0].get("image")
        return str(image) if image else None
    return None


def load(paths: Sequence[Path]) -> tuple[ServingRuntime, ...]:
    """Runtimes from YAML files or folders (``kubectl get clusterservingruntimes -o yaml`` lists too).

    A folder with a ``kustomization.yaml`` is read as ``kustomize build`` would: its ``resources`` files
    only, each container image renamed by its ``images`` pins (``newName``/``newTag``), as KServe's own
    config/runtimes is installed. Raises ``ValueError`` naming the file that is not YAML or holds no runtime."""
    import yaml

    documents: list[object] = []
    pins: dict[str, str] = {}
    for path in paths:
        files = sorted(p for p in path.rglob("*") if p.suffix in (".yaml", ".yml")) if path.is_dir() else [path]
        kustomization = path / "kustomization.yaml"
        if path.is_dir() and kustomization.is_file():
            try:
                layout = yaml.safe_load(kustomization.read_text(encoding="utf-8")) or {}
            except (OSError, yaml.YAMLError) as exc:
                raise ValueError(f"{kustomization}: {exc}") from None
            if isinstance(layout, dict) and isinstance(layout.get("resources"), list):
                files = [path / str(r) for r in layout["resources"] if (path / str(r)).is_file()]
                for pin in layout.get("images") or []:
                    if isinstance(pin, dict) and "name" in pin:
                        pins[str(pin["name"])] = f"{pin.get('newName', pin['name'])}:{pin.get('newTag', 'latest')}"
        for file in files:
            try:
                for doc in yaml.safe_load_all(file.read_text(encoding="utf-8")):
                    if isinstance(doc, dict) and doc.get("kind") == "List":
                        documents.extend(doc.get("items") or [])
                    else:
                        documents.append(doc)
            except (OSError, yaml.YAMLError) as exc:
                raise ValueError(f"{file}: {exc}") from None
    runtimes = tuple(
        replace(r, image=pins.get(r.image.split(":")[0], r.image)) if r.image is not None else r
        for r in from_documents(documents)
    )
    if not runtimes:
        raise ValueError(f"no ClusterServingRuntime or ServingRuntime in {', '.join(map(str, paths))}")
    return runtimes


def select(
    runtimes: Sequence[ServingRuntime], name: str, version: str | None, protocol: str | None, runtime: str | None = None
) -> ServingRuntime | None:
    """The runtime KServe selects for the predictor's modelFormat, protocolVersion and runtime."""
    wanted = protocol or "v1"
    if runtime is not None:
        named = next((r for r in runtimes if r.name == runtime), None)
        if named is None or named.disabled or not named.supports_protocol(wanted):
            return None
        return named if named.supports_model(name, version, named=True) else None
    candidates = [
        r
        for r in runtimes
        if not r.disabled
        and not r.multi_model
        and not r.multi_node
        and r.supports_model(name, version, named=False)
        and r.supports_protocol(wanted)
    ]
    candidates.sort(
        key=lambda r: (
            min((PROTOCOL_ORDER.get(p, UNKNOWN_PROTOCOL) for p in r.protocols), default=UNKNOWN_PROTOCOL),
            r.name,
        )
    )
    candidates.sort(key=lambda r: (r.priority(name) is None, -(r.priority(name) or 0)))
    return candidates[0] if candidates else None


def protocol_version(runtime: ServingRuntime, grpc: bool) -> str | None:
    """The protocolVersion to ask of a runtime: v2 (or grpc-v2) where it speaks it, else v1 (grpc-v1)."""
    order = ("grpc-v2", "grpc-v1") if grpc else ("v2", "v1")
    return next((p for p in order if runtime.supports_protocol(p)), None)
