"""CloudFormation validators for tests: cfn-lint and Checkov used as libraries.

cfn-lint: building a ``cfnlint.runner.Runner`` loads every rule and costs about 0.5 s; validating a
decoded template with an existing runner costs 30-70 ms. ``lint_template`` therefore keeps one
runner per region set for the whole test session (``functools.cache``) and only decodes and
validates per call. The runner's config is immutable between calls: cfn-lint re-reads the
template's own ``Metadata.cfn-lint.config`` for every template (``ConfigMixIn.set_template_args``
replaces it, it does not accumulate).

Checkov: its CloudFormation ``Runner`` keeps the parsed definitions of the first run on the
instance, so a new runner is built per call (about 30 ms once the module is imported; the CLI
costs about 4 s and tries to reach the network, which is why the library is used).
"""

from __future__ import annotations

import functools
import json
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from cfnlint.config import ConfigMixIn  # type: ignore[import-untyped]
from cfnlint.decode.decode import decode_str  # type: ignore[import-untyped]
from cfnlint.runner import Runner  # type: ignore[import-untyped]

if TYPE_CHECKING:
    from mlopsc.compiler.ir import RenderedFile

DEFAULT_REGIONS: tuple[str, ...] = ("us-east-1",)

ALLOWED_WARNINGS: MappingProxyType[str, str] = MappingProxyType({})
"""cfn-lint warning rule id -> why rendered templates may carry it. Empty: every warning fails
``check_rendered`` until it is fixed in the renderer or listed here with its reason."""


@dataclass(frozen=True)
class CfnFinding:
    """One cfn-lint match: rule id (E3002...), level (error|warning|informational), path, message."""

    rule_id: str
    level: str
    path: str
    message: str
    line: int = 0


@dataclass(frozen=True)
class CheckovResult:
    """One Checkov check evaluated on one resource (``AWS::SageMaker::Model.Model``)."""

    check_id: str
    resource: str
    passed: bool


@functools.cache
def _runner(regions: tuple[str, ...]) -> Runner:
    """One cfn-lint runner per region set, shared by every call in the process."""
    return Runner(ConfigMixIn(regions=list(regions)))


def lint_template(text: str, regions: Sequence[str] = DEFAULT_REGIONS) -> list[CfnFinding]:
    """Lint a CloudFormation template (YAML or JSON text) and return every finding.

    Parse errors come back as findings too (rule E0000), so a caller asserting "no errors"
    also catches a template that does not decode.
    """
    template, parse_errors = decode_str(text)
    matches: list[Any] = list(parse_errors)
    if not parse_errors and template is not None:
        matches = list(_runner(tuple(regions)).validate_template(template))
    return [_finding(match) for match in matches]


def errors(findings: Sequence[CfnFinding]) -> list[CfnFinding]:
    """The findings of level ``error`` (cfn-lint's E rules)."""
    return [finding for finding in findings if finding.level == "error"]


def check_rendered(file: RenderedFile) -> list[str]:
    """Problems of one rendered CloudFormation template, for ``tests.validators.rendered``.

    Lints the exact text that will be deployed (``file.content``). Errors always count; warnings
    count unless their rule id is in ``ALLOWED_WARNINGS``. Informational findings are ignored.
    """
    problems = [
        f"{finding.rule_id} {finding.path or '<template>'} (line {finding.line}): {finding.message}"
        for finding in lint_template(file.content)
        if finding.level == "error" or (finding.level == "warning" and finding.rule_id not in ALLOWED_WARNINGS)
    ]
    return problems + pipeline_problems(file.body)


PIPELINE_STEPS: MappingProxyType[str, tuple[str, str]] = MappingProxyType(
    {"Training": ("CreateTrainingJob", "TrainingJobName"), "Transform": ("CreateTransformJob", "TransformJobName")}
)
"""Pipeline step type -> (SageMaker API operation, the job-name member the step leaves out): a step's
`Arguments` are that request without the job name (SageMaker Python SDK `workflow/steps.py`)."""


@functools.cache
def _sagemaker_model() -> Any:
    import botocore.session  # type: ignore[import-untyped]

    return botocore.session.get_session().get_service_model("sagemaker")


def pipeline_problems(body: object) -> list[str]:
    """Validate every `AWS::SageMaker::Pipeline` definition body of a template (cfn-lint sees only a
    string there): JSON, Version 2020-12-01, and each Training/Transform step's `Arguments` against
    botocore's CreateTrainingJob / CreateTransformJob request shapes (required members, types, enums
    are not checked by botocore's validator: ranges, lengths and types are)."""
    from botocore.validate import ParamValidator  # type: ignore[import-untyped]

    if not isinstance(body, dict):
        return []
    problems: list[str] = []
    resources = body.get("Resources", {})
    assert isinstance(resources, dict)
    for logical, resource in sorted(resources.items()):
        if not isinstance(resource, dict) or resource.get("Type") != "AWS::SageMaker::Pipeline":
            continue
        text = resource["Properties"]["PipelineDefinition"]["PipelineDefinitionBody"]
        try:
            definition = json.loads(text)
        except (TypeError, ValueError) as exc:
            problems.append(f"{logical}: PipelineDefinitionBody is not JSON: {exc}")
            continue
        if definition.get("Version") != "2020-12-01":
            problems.append(f"{logical}: pipeline definition Version must be 2020-12-01")
        steps = definition.get("Steps") or []
        if not steps:
            problems.append(f"{logical}: pipeline has no steps")
        for step in steps:
            kind = step.get("Type")
            if kind not in PIPELINE_STEPS:
                problems.append(f"{logical}: step {step.get('Name')}: unsupported step type {kind!r}")
                continue
            operation, job_name = PIPELINE_STEPS[kind]
            shape = _sagemaker_model().operation_model(operation).input_shape
            report = ParamValidator().validate({**step.get("Arguments", {}), job_name: "mlopsc-check"}, shape)
            if report.has_errors():
                problems.append(f"{logical}: step {step.get('Name')}: {report.generate_report()}")
    return problems


def _finding(match: Any) -> CfnFinding:
    path = getattr(match, "path", None)
    return CfnFinding(
        rule_id=str(match.rule.id),
        level=str(match.rule.severity),
        path="/".join(str(part) for part in path) if path else "",
        message=str(match.message),
        line=int(match.linenumber),
    )


def _import_checkov() -> tuple[Any, Any, Any]:
    """Import Checkov's CloudFormation runner, silencing the one deprecation warning it triggers.

    checkov imports ``prettytable.SINGLE_BORDER``, which prettytable >= 3.12 deprecates. The import
    is local because it costs 2-3 s: only the tests that run Checkov pay for it.
    """
    with warnings.catch_warnings():
        warnings.filterwarnings(
            "ignore",
            message="the 'SINGLE_BORDER' constant is deprecated",
            category=DeprecationWarning,
        )
        from checkov.cloudformation.checks.resource.registry import cfn_registry
        from checkov.cloudformation.runner import Runner as CheckovRunner
        from checkov.runner_filter import RunnerFilter
    return CheckovRunner, RunnerFilter, cfn_registry


def checkov_template(path: Path, check_ids: Sequence[str]) -> list[CheckovResult]:
    """Run the given Checkov CloudFormation checks on one template file.

    Raises ValueError for a check id Checkov does not know for CloudFormation (a typo would
    otherwise pass silently) and for a template Checkov cannot parse.
    """
    checkov_runner, runner_filter, registry = _import_checkov()
    known = {check.id for checks in registry.checks.values() for check in checks}
    unknown = sorted(set(check_ids) - known)
    if unknown:
        raise ValueError(f"unknown Checkov CloudFormation check ids: {unknown}")
    report = checkov_runner().run(
        root_folder=None,
        files=[str(path)],
        runner_filter=runner_filter(framework=["cloudformation"], checks=list(check_ids), show_progress_bar=False),
    )
    if isinstance(report, list):  # the runner returns one report for one framework
        raise TypeError("expected a single Checkov report")
    if report.parsing_errors:
        raise ValueError(f"Checkov could not parse {path}: {report.parsing_errors}")
    results = [CheckovResult(check.check_id, check.resource, True) for check in report.passed_checks] + [
        CheckovResult(check.check_id, check.resource, False) for check in report.failed_checks
    ]
    return sorted(results, key=lambda result: (result.check_id, result.resource))
