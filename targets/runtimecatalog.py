"""The serving-runtime catalogs of the four platforms, as data, and the one compatibility policy.

Each platform ships ``targets/<platform>/runtimes.json`` (rebuilt from the vendor's own material by
``tools/refresh_runtimes.py``; each entry names its ``source``). This module is platform neutral:

- ``RuntimeEntry`` / ``ArtifactLayout``: one catalog entry, typed.
- ``catalog(platform)``: the entries, read from the JSON the first time a target resolves a runtime
  (never at import: ``mlopsc validate`` does not pay for it) and cached for the process.
- ``choose(platform, framework, version, compatibility)``: the entry that serves a framework version
  under the compatibility policy below, with a note for ``mlopsc explain``; ``NoRuntime`` otherwise,
  naming what exists and what the user can do.

Compatibility policy (``model.framework.compatibility`` overrides the framework's default):

- ``exact``: a runtime of the same major.minor. The default for pickled formats, which do not load
  across minor versions (scikit-learn: "Pickled models are not guaranteed to load across versions",
  https://scikit-learn.org/stable/model_persistence.html; xgboost and lightgbm models pickled with the
  Python package likewise): sklearn, xgboost, lightgbm.
- ``minor``: the nearest runtime at or above the spec's major.minor within the same major. The
  default where a newer library loads an older artifact (TorchScript / .mar, TensorFlow SavedModel,
  ONNX opsets, Hugging Face model folders): pytorch, tensorflow, onnx, huggingface.
- ``major``: any runtime of the same major, the nearest newer first, else the newest older one:
  only when the spec opts in.

A runtime that declares a bare major (KServe's ``supportedModelFormats`` say ``sklearn`` ``"1"``) serves
every version of that major under every policy: the vendor declares the format version it loads, and
that is what KServe itself matches (``RuntimeSupportsModel``, pkg/apis/serving/v1beta1/predictor_model.go).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Final

from mlopsc.compiler.spec.vocabulary import Compatibility

PLATFORMS: Final[tuple[str, ...]] = ("kserve", "sagemaker", "vertex", "azureml")

DEFAULT_COMPATIBILITY: Final[Mapping[str, Compatibility]] = {
    "sklearn": Compatibility.EXACT,
    "xgboost": Compatibility.EXACT,
    "lightgbm": Compatibility.EXACT,
    "pytorch": Compatibility.MINOR,
    "tensorflow": Compatibility.MINOR,
    "onnx": Compatibility.MINOR,
    "huggingface": Compatibility.MINOR,
}
"""The framework's default policy (see the module docstring for why)."""

LAYOUTS: Final[tuple[str, ...]] = ("file", "folder", "model-repository", "archive")


@dataclass(frozen=True)
class ArtifactLayout:
    """What a runtime loads from the artifact location.

    ``kind``: ``file`` (a single model file: the URI names it, or a folder holding one),
    ``folder`` (a model directory: SavedModel, Hugging Face), ``model-repository`` (Triton's
    ``<model>/<version>/model.onnx`` tree), ``archive`` (a ``model.tar.gz`` unpacked by the platform).
    ``extensions``: the file endings the runtime loads (``.joblib``, ``.bst``...), ``files``: exact
    file names it looks for when the vendor documents them.
    """

    kind: str
    extensions: tuple[str, ...] = ()
    files: tuple[str, ...] = ()

    def describe(self) -> str:
        what = {"file": "a model file", "folder": "a model folder", "model-repository": "a Triton model repository"}
        text = what.get(self.kind, "a model.tar.gz archive")
        loads = self.files or self.extensions
        return f"{text} ({', '.join(loads)})" if loads else text


@dataclass(frozen=True)
class RuntimeEntry:
    """One way a platform serves a framework: a runtime, prebuilt image or curated environment."""

    platform: str
    framework: str
    version: str
    """The platform's own label for this entry: SageMaker ``1.7-1``, Vertex ``1.7``, KServe ``1``."""
    serves: tuple[str, ...]
    """Framework versions it loads: a major (``"1"``) or major.minor (``"1.7"``)."""
    runtime: str
    """What it resolves to: ClusterServingRuntime, image repository or curated environment name."""
    image: str
    """The image (repository:tag); a per-region registry host is added by the target's code."""
    protocols: tuple[str, ...]
    processors: tuple[str, ...]
    artifact: ArtifactLayout
    source: str
    """The vendor file (at a tag) or doc page this entry comes from."""
    details: Mapping[str, object]
    """Platform-specific facts (GPU tag, autoSelect and priority, conda packages...)."""

    @property
    def label(self) -> str:
        """How ``explain`` and ``mlopsc runtimes`` name it."""
        return self.runtime if self.runtime == self.image or not self.image else f"{self.runtime} ({self.image})"


@dataclass(frozen=True)
class Choice:
    """The entry chosen for a spec's framework version, and why."""

    entry: RuntimeEntry
    compatibility: Compatibility
    requested: str
    """The spec's framework version."""
    served: str
    """The entry's version that matched (``1``, ``2.1``)."""
    how: str
    """``serves this version``, ``nearest newer runtime in the same major``..."""

    @property
    def rule(self) -> str:
        """The policy's reasoning, for ``explain``."""
        return (
            f"{self.entry.framework} {self.served} {self.how} {self.requested} "
            f"(compatibility `{self.compatibility.value}`; source: {self.entry.source})"
        )

    @property
    def note(self) -> str:
        """For ``explain``: the runtime chosen, the rule applied and the entry's source."""
        return f"{self.entry.label}: {self.rule}"


class NoRuntime(Exception):
    """No catalog entry serves the request; ``alternatives`` are what would (versions, fields)."""

    def __init__(self, message: str, alternatives: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.alternatives = alternatives


# --- loading ---------------------------------------------------------------------------------------


def catalog_path(platform: str) -> Path:
    return Path(__file__).parent / platform / "runtimes.json"


def _entry(platform: str, raw: Mapping[str, object]) -> RuntimeEntry:
    layout = raw["artifact"]
    assert isinstance(layout, dict)
    details = raw.get("details", {})
    assert isinstance(details, dict)
    return RuntimeEntry(
        platform=platform,
        framework=str(raw["framework"]),
        version=str(raw["version"]),
        serves=tuple(str(v) for v in raw["serves"]),  # type: ignore[attr-defined]
        runtime=str(raw["runtime"]),
        image=str(raw.get("image", "")),
        protocols=tuple(str(p) for p in raw["protocols"]),  # type: ignore[attr-defined]
        processors=tuple(str(p) for p in raw["processors"]),  # type: ignore[attr-defined]
        artifact=ArtifactLayout(
            kind=str(layout["kind"]),
            extensions=tuple(str(e) for e in layout.get("extensions", ())),
            files=tuple(str(f) for f in layout.get("files", ())),
        ),
        source=str(raw["source"]),
        details=details,
    )


@cache
def catalog(platform: str) -> tuple[RuntimeEntry, ...]:
    """The platform's entries in file order (framework, then ascending version)."""
    data = json.loads(catalog_path(platform).read_text(encoding="utf-8"))
    return tuple(_entry(platform, raw) for raw in data["entries"])


@cache
def catalog_source(platform: str) -> str:
    """Where the platform's catalog was rebuilt from (the refresh script's record)."""
    data = json.loads(catalog_path(platform).read_text(encoding="utf-8"))
    return str(data["source"])


def entries(platform: str, framework: str) -> tuple[RuntimeEntry, ...]:
    return tuple(entry for entry in catalog(platform) if entry.framework == framework)


# --- versions --------------------------------------------------------------------------------------


def version_key(version: str) -> tuple[int, ...] | None:
    """``"1.7"`` -> (1, 7), ``"1.7.6"`` -> (1, 7), ``"1"`` -> (1,); None when not numeric."""
    parts: list[int] = []
    for piece in version.strip().split(".")[:2]:
        digits = ""
        for char in piece:
            if not char.isdigit():
                break
            digits += char
        if not digits:
            return None if not parts else tuple(parts)
        parts.append(int(digits))
        if len(digits) != len(piece):
            break
    return tuple(parts) or None


def _rank(served: tuple[int, ...], wanted: tuple[int, ...], policy: Compatibility) -> tuple[int, int] | None:
    """How good a served version is for ``wanted`` under ``policy``: lower is better, None = not allowed."""
    if served[0] != wanted[0]:
        return None
    if len(served) == 1:  # a runtime declaring a bare major serves every version of it
        return (0, 0)
    if len(wanted) == 1:  # a spec naming a bare major says too little for a major.minor runtime
        return None
    distance = served[1] - wanted[1]
    if distance == 0:
        return (0, 0)
    if distance > 0 and policy is not Compatibility.EXACT:
        return (1, distance)
    if distance < 0 and policy is Compatibility.MAJOR:
        return (2, -distance)
    return None


def policy_for(framework: str, compatibility: str | None) -> Compatibility:
    if compatibility is not None:
        return Compatibility(compatibility)
    return DEFAULT_COMPATIBILITY.get(framework, Compatibility.EXACT)


def choose(
    platform: str,
    framework: str,
    version: str,
    compatibility: str | None = None,
    *,
    processor: str = "cpu",
    protocol: str | None = None,
) -> Choice:
    """The entry serving ``framework`` ``version`` on ``platform``, or ``NoRuntime``.

    Among the entries for the processor (and protocol, when given), the best rank wins; among equal
    ranks the last entry of the file (the newest build of that version) wins.
    """
    policy = policy_for(framework, compatibility)
    candidates = entries(platform, framework)
    if not candidates:
        raise NoRuntime(f"no vendor-published {framework} server on {platform}", (f"serving.image_mirrors.{platform}",))
    wanted = version_key(version)
    if wanted is None:
        raise NoRuntime(f"{framework} version {version!r} is not major.minor[.patch]")
    usable = [e for e in candidates if processor in e.processors and (protocol is None or protocol in e.protocols)]
    best: tuple[tuple[int, int], RuntimeEntry, str] | None = None
    for entry in usable:
        for served in entry.serves:
            key = version_key(served)
            rank = _rank(key, wanted, policy) if key is not None else None
            if rank is not None and (best is None or rank <= best[0]):
                best = (rank, entry, served)
    if best is None:
        served_all = tuple(dict.fromkeys(v for e in usable for v in e.serves))
        keys = [k for k in map(version_key, served_all) if k is not None]
        looser = next(
            (
                c
                for c in (Compatibility.MINOR, Compatibility.MAJOR)
                if _looser(c, policy) and any(_rank(k, wanted, c) is not None for k in keys)
            ),
            None,
        )
        on = f" on {processor.upper()}" + (f" over {protocol}" if protocol else "")
        hint = f"; `model.framework.compatibility: {looser.value}` would accept one" if looser else ""
        raise NoRuntime(
            f"no {platform} server for {framework} {version}{on} under compatibility `{policy.value}` "
            f"(versions served: {', '.join(served_all) or 'none'}){hint}",
            (*served_all, f"serving.image_mirrors.{platform}"),
        )
    rank, entry, served = best
    if rank == (0, 0):
        how = "serves"
    elif rank[0] == 1:
        how = "is the nearest newer version in the same major for"
    else:
        how = "is the nearest older version in the same major (opted in) for"
    return Choice(entry, policy, version, served, how)


def _looser(candidate: Compatibility, than: Compatibility) -> bool:
    order = (Compatibility.EXACT, Compatibility.MINOR, Compatibility.MAJOR)
    return order.index(candidate) > order.index(than)
