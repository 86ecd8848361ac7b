"""The serving matrix: framework x version x platform, what each cell resolves to or why it cannot.

Each platform's cell asks the same catalog function its target's resolve step asks, for the smallest
online spec (CPU, REST, default compatibility), so ``mlopsc runtimes``, docs/runtimes.md and the
targets agree; tests/test_runtime_matrix.py compiles every cell to hold that to the rendered files.
Rows: every framework version a platform catalog serves (major.minor; KServe's runtimes declare majors,
so their rows come from the other platforms), plus the versions of issue #17's table.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Final

from mlopsc.targets import runtimecatalog

FRAMEWORKS: Final[tuple[str, ...]] = ("sklearn", "xgboost", "lightgbm", "pytorch", "tensorflow", "onnx", "huggingface")
PLATFORMS: Final[tuple[str, ...]] = runtimecatalog.PLATFORMS
EXTRA_VERSIONS: Final[Mapping[str, tuple[str, ...]]] = {
    "sklearn": ("1.2", "1.3", "1.5"),
    "xgboost": ("1.7", "2.0"),
    "lightgbm": ("4.1",),
    "pytorch": ("2.1",),
    "tensorflow": ("2.13", "2.15"),
    "onnx": ("1.16",),
    "huggingface": ("4.44", "4.48"),
}
"""The versions of issue #17's table, kept as rows whatever the catalogs hold."""


@dataclass(frozen=True)
class Cell:
    platform: str
    framework: str
    version: str
    resolves_to: str | None
    """The runtime, image or environment; None when the platform cannot serve the cell."""
    detail: str
    """For a served cell: the policy's reasoning; otherwise the reason and what the user can do."""

    @property
    def ok(self) -> bool:
        return self.resolves_to is not None


def _kserve(framework: str, version: str) -> Cell:
    from mlopsc.targets.kserve.choose import NoKServeRuntime, choose

    try:
        choice = choose(framework, version, None, grpc=False, gpu=False)
    except NoKServeRuntime as exc:
        return Cell("kserve", framework, version, None, f"{exc.message}; {exc.hint}")
    return Cell(
        "kserve",
        framework,
        version,
        f"{choice.runtime} ({choice.format_name}:{choice.format_version}, {choice.protocol})",
        choice.note,
    )


def _sagemaker(framework: str, version: str) -> Cell:
    from mlopsc.targets.sagemaker import catalog

    try:
        choice = catalog.choose(framework, version)
    except catalog.CatalogError as exc:
        return Cell("sagemaker", framework, version, None, f"{exc.message} (SGM001)")
    return Cell("sagemaker", framework, version, choice.entry.image, choice.rule)


def _vertex(framework: str, version: str) -> Cell:
    from mlopsc.targets.vertex import catalog

    try:
        choice = catalog.prediction_choice(framework, version, gpu=False)
    except catalog.CatalogError as exc:
        fix = "" if "image_mirrors" in exc.message else "; or set serving.image_mirrors.vertex"
        return Cell("vertex", framework, version, None, f"{exc.message}{fix} (VTX001)")
    return Cell("vertex", framework, version, choice.entry.image, choice.rule)


def _azureml(framework: str, version: str) -> Cell:
    from mlopsc.targets.azureml import catalog
    from mlopsc.targets.azureml.scoring import SCORING_FRAMEWORKS

    if framework not in SCORING_FRAMEWORKS:
        return Cell(
            "azureml",
            framework,
            version,
            None,
            f"mlopsc renders Azure ML scoring code for {', '.join(SCORING_FRAMEWORKS)} only; set "
            "serving.image_mirrors.azureml to a container that serves the model (AML001)",
        )
    try:
        env = catalog.curated_environment(framework, version)
    except catalog.CatalogError as exc:
        try:
            conda = catalog.conda_environment(framework, version, capture=False, secrets=False)
        except catalog.CatalogError as conda_exc:
            reason = conda_exc.message if framework in catalog.CONDA_PYTHON_FLOOR else exc.message
            return Cell("azureml", framework, version, None, f"{reason} (AML014)")
        package = catalog.PIP_PACKAGES[framework]
        dependencies = conda["dependencies"]
        assert isinstance(dependencies, list) and isinstance(dependencies[-1], dict)
        pip = dependencies[-1]["pip"]
        assert isinstance(pip, list)
        pin = next(str(p) for p in pip if str(p).startswith(package + "=="))
        return Cell(
            "azureml",
            framework,
            version,
            f"minimal-py311-inference + conda {pin}",
            f"{exc.message}; Azure ML builds the environment from {catalog.conda_base()} and score/conda.yaml",
        )
    return Cell(
        "azureml", framework, version, env.name, f"{framework} {', '.join(env.framework_versions)}: {env.source}"
    )


CELLS: Final[Mapping[str, Callable[[str, str], Cell]]] = {
    "kserve": _kserve,
    "sagemaker": _sagemaker,
    "vertex": _vertex,
    "azureml": _azureml,
}


def versions(framework: str) -> tuple[str, ...]:
    """The rows of a framework: major.minor versions served anywhere, plus the issue's, ascending."""
    found = set(EXTRA_VERSIONS.get(framework, ()))
    for platform in PLATFORMS:
        for entry in runtimecatalog.entries(platform, framework):
            for served in entry.serves:
                key = runtimecatalog.version_key(served)
                if key is not None and len(key) == 2:
                    found.add(f"{key[0]}.{key[1]}")
    return tuple(sorted(found, key=lambda v: runtimecatalog.version_key(v) or ()))


def matrix(frameworks: tuple[str, ...] = FRAMEWORKS, platforms: tuple[str, ...] = PLATFORMS) -> list[list[Cell]]:
    """One row per framework version, one cell per platform, in the order asked."""
    return [
        [CELLS[p](framework, version) for p in platforms] for framework in frameworks for version in versions(framework)
    ]


def markdown(rows: list[list[Cell]], platforms: tuple[str, ...] = PLATFORMS) -> str:
    """The matrix as a Markdown table, then each refusal's reason (numbered) under it."""
    lines = [
        "| framework | version | " + " | ".join(platforms) + " |",
        "|---|---|" + "---|" * len(platforms),
    ]
    reasons: dict[str, int] = {}
    for row in rows:
        cells = []
        for cell in row:
            if cell.ok:
                cells.append(f"`{cell.resolves_to}`")
            else:
                number = reasons.setdefault(cell.detail, len(reasons) + 1)
                cells.append(f"no ({number})")
        lines.append(f"| {row[0].framework} | {row[0].version} | " + " | ".join(cells) + " |")
    lines.append("")
    for reason, number in reasons.items():
        lines.append(f"{number}. {reason}")
    return "\n".join(lines) + "\n"


def text(rows: list[list[Cell]], platforms: tuple[str, ...] = PLATFORMS) -> str:
    """The matrix for a terminal: one block per framework version."""
    out: list[str] = []
    for row in rows:
        out.append(f"{row[0].framework} {row[0].version}")
        for platform, cell in zip(platforms, row, strict=True):
            value = cell.resolves_to if cell.ok else "no: " + cell.detail
            out.append(f"  {platform:<10} {value}")
    return "\n".join(out) + "\n"
