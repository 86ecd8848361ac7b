"""The registry folder of the rendered tree: `<env>/<model>/registry/` with `registry.json`, its
`GENERATED.txt` sidecar and `MODEL_CARD.md`.

The emit pass attaches each environment's `RegistryEntry` to its plan (`plan.registry`) before the
targets emit, so every platform translates the same entry, then adds these files. The folder is written,
checked and pruned like a platform folder (`writer.write_tree` swaps `<env>/<model>/<folder>/` whole;
`gitops/tree.py` recognises the Markdown header and the sidecar).
"""

from __future__ import annotations

from dataclasses import replace

from mlopsc.compiler.ir import Document, Finding, Options, Plan, RenderedFile, Unit
from mlopsc.compiler.registry import CARD_FILE, ENTRY_FILE, FOLDER, RegistryEntry, build
from mlopsc.compiler.serialize import header_line, render, sidecar


def attach(unit: Unit, plans: tuple[Plan, ...], options: Options) -> tuple[tuple[Plan, ...], list[tuple[Finding, str]]]:
    """Each plan with its registry entry, and the entries' findings (with their environment)."""
    from mlopsc.policies import RULE_IDS
    from mlopsc.policies.context import PolicyContext
    from mlopsc.policies.orgpolicy import DEFAULT, find_policy, load_policy

    loaded = load_policy(options.policy_file or find_policy(unit.source.path), RULE_IDS, options.today)
    # a malformed policy file fails the policy pass; the stage is then read with the default policy
    ctx = PolicyContext(unit, options, loaded if loaded.usable else DEFAULT)
    out: list[Plan] = []
    findings: list[tuple[Finding, str]] = []
    for plan in plans:
        entry, found = build(plan, ctx)
        out.append(replace(plan, registry=entry))
        findings.extend((f, plan.environment) for f in found)
    return tuple(out), findings


def files(plan: Plan, entry: RegistryEntry) -> list[RenderedFile]:
    from mlopsc.compiler.modelcard import render as card

    folder = f"{plan.environment}/{plan.model_name}/{FOLDER}"
    header = header_line(plan.model_name, plan.environment, plan.document)
    body = entry.to_json()
    entry_text = render(Document(ENTRY_FILE, "ModelRegistryMetadata", "json", body), header)
    card_text = render(Document(CARD_FILE, "ModelCard", "text", card(entry)), header)

    def file(name: str, content: str, kind: str, data: object = None) -> RenderedFile:
        return RenderedFile(
            f"{folder}/{name}", content, FOLDER, plan.environment, plan.model_name, kind, body if data else None
        )

    return [
        file(ENTRY_FILE, entry_text, "ModelRegistryMetadata", body),
        file("GENERATED.txt", sidecar({ENTRY_FILE: entry_text}, header), "Sidecar"),
        file(CARD_FILE, card_text, "ModelCard"),
    ]
