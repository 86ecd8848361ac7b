"""emit: each resolved stack -> documents -> files under <env>/<model>/<platform>/, with headers."""

from __future__ import annotations

from dataclasses import replace

from mlopsc.compiler.diagnostics import Diagnostic
from mlopsc.compiler.ir import Emitted, Plan, RenderedFile, Resolved, Stack
from mlopsc.compiler.serialize import header_line, render, sidecar


def emit(resolved: Resolved, options: object = None) -> Emitted:
    from mlopsc.compiler import registryfiles
    from mlopsc.targets.registry import TARGETS

    unit = resolved.unit
    files: list[RenderedFile] = []
    diagnostics: list[Diagnostic] = list(resolved.diagnostics)
    with_entries, found = registryfiles.attach(unit, resolved.plans, resolved.options)  # before the targets
    diagnostics.extend(unit.diagnostic(f, env) for f, env in found)
    plans = {p.environment: p for p in with_entries}
    stacks: list[Stack] = []
    for stack in resolved.stacks:
        plan: Plan = plans[stack.environment]
        target = TARGETS[stack.target]
        try:
            emission = target.emit(plan, stack)
            checks = target.check(emission.documents, resolved.options)
        except Exception as exc:
            diagnostics.append(unit.crash(f"target {stack.target} (emitting)", exc))
            continue
        diagnostics.extend(unit.diagnostic(f, plan.environment) for f in (*emission.findings, *checks))
        stacks.append(replace(stack, decisions=stack.decisions + emission.decisions))
        folder = f"{plan.environment}/{plan.model_name}/{stack.target}"
        json_files: dict[str, str] = {}
        header = header_line(plan.model_name, plan.environment, plan.document)
        for document in emission.documents:
            content = render(document, header)
            if document.format == "json":
                json_files[document.name] = content
            files.append(
                RenderedFile(
                    f"{folder}/{document.name}",
                    content,
                    stack.target,
                    plan.environment,
                    plan.model_name,
                    document.kind,
                    document.body,
                )
            )
        if json_files:
            files.append(
                RenderedFile(
                    f"{folder}/GENERATED.txt",
                    sidecar(json_files, header),
                    stack.target,
                    plan.environment,
                    plan.model_name,
                    "Sidecar",
                )
            )
    for plan in with_entries:
        if plan.registry is not None:
            files.extend(registryfiles.files(plan, plan.registry))
    files.sort(key=lambda f: f.path)
    return Emitted(unit, with_entries, tuple(stacks), tuple(files), resolved.options, tuple(diagnostics))
