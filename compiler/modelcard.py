"""`MODEL_CARD.md`: the registry entry as a model card a reviewer reads.

The sections follow Google's Model Cards (Mitchell et al., "Model Cards for Model Reporting", FAT* 2019,
arXiv:1810.03993, section 4: Model Details, Intended Use, Factors, Metrics, Evaluation Data, Training
Data, Quantitative Analyses, Ethical Considerations, Caveats and Recommendations) as the Model Card
Toolkit groups them (tensorflow/model-card-toolkit, `model_card_toolkit/schema/v0.0.2/model_card.schema.json`:
`model_details`, `model_parameters`, `quantitative_analysis`, `considerations` with `use_cases`,
`limitations` and `ethical_considerations`), narrowed to what the spec declares and extended with the
governance record: provenance and approvals.

Every value from the spec is escaped for Markdown (`md`): a description cannot open a heading, a link,
an HTML tag or a table cell.
"""

from __future__ import annotations

import re

from mlopsc.compiler.registry import RegistryEntry

SECTIONS = (
    "Model details",
    "Intended use",
    "Limitations",
    "Metrics and baseline",
    "Fairness",
    "Provenance",
    "Approvals",
)
_SPECIAL = set("\\`*_[]|~")  # inline emphasis, code, links, table cells, strike-through
_BLOCK_START = re.compile(r"^(?:[#>+=-]|\d+[.)])")  # what opens a heading, quote, list or rule at a line start
_HTML = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}


def md(text: str) -> str:
    """Free text as literal Markdown on one line: specials backslash-escaped, HTML as entities, newlines as spaces."""
    out: list[str] = []
    for ch in " ".join(text.split()):
        if ch in _HTML:
            out.append(_HTML[ch])
        elif ch in _SPECIAL:
            out.append("\\" + ch)
        else:
            out.append(ch)
    text = "".join(out)
    opening = _BLOCK_START.match(text)
    if opening:
        end = opening.end()
        text = text[: end - 1] + "\\" + text[end - 1 :]
    return text


def code(text: str) -> str:
    """A value shown as code: a backtick fence longer than any run of backticks inside."""
    longest = run = 0
    for ch in text:
        run = run + 1 if ch == "`" else 0
        longest = max(longest, run)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text.replace(chr(10), ' ').replace('|', chr(92) + '|')}{pad}{fence}"


def render(entry: RegistryEntry) -> str:
    lines: list[str] = [f"# Model card: {md(entry.model_name)} {md(entry.version)} ({md(entry.environment)})", ""]

    def section(title: str, body: list[str]) -> None:
        lines.extend([f"## {title}", "", *body, ""])

    def none(what: str) -> list[str]:
        return [f"_Not declared in the spec ({what})._"]

    rows = [
        ("Name", code(entry.model_name)),
        ("Version", code(entry.version)),
        ("Type", md(entry.model_type)),
        ("Framework", f"{md(entry.framework)} {md(entry.framework_version)}"),
        ("Artifact", code(entry.artifact_uri)),
        ("Digest", code(entry.digest) if entry.digest else "_none_"),
        ("Owner", md(entry.owner)),
        ("Team", md(entry.team) if entry.team else "_none_"),
        ("Environment", code(entry.environment)),
        ("Governance", f"level {md(entry.level)}, risk {md(entry.risk)}"),
        ("Stage", f"**{entry.stage.value}** ({md(entry.stage_reason)})"),
    ]
    if entry.replaces:
        rows.append(("Replaces", code(entry.replaces)))
    details = ["| | |", "|---|---|", *(f"| {k} | {v} |" for k, v in rows)]
    if entry.inputs or entry.outputs:
        details += ["", "| signature | name | type |", "|---|---|---|"]
        details += [f"| input | {code(f.name)} | {md(f.type)} |" for f in entry.inputs]
        details += [f"| output | {code(f.name)} | {md(f.type)} |" for f in entry.outputs]
    section(SECTIONS[0], details)
    section(SECTIONS[1], [md(entry.intended_use)] if entry.intended_use else none("governance.model_card.intended_use"))
    section(SECTIONS[2], [md(entry.limitations)] if entry.limitations else none("governance.model_card.limitations"))
    if entry.baseline_metric is not None:
        metrics = [f"Baseline {md(entry.baseline_metric)}: {entry.baseline_value} (monitoring.quality.baseline)."]
    else:
        metrics = none("monitoring.quality")
    section(SECTIONS[3], metrics)
    section(SECTIONS[4], [md(entry.fairness)] if entry.fairness else none("governance.model_card.fairness"))
    provenance = [
        f"- {label}: {code(value) if value else '_not recorded_'}"
        for label, value in (
            ("Code (git commit)", entry.git_commit),
            ("Dataset snapshot", entry.dataset_snapshot_uri),
            ("Environment lockfile", entry.environment_lockfile_uri),
            ("Training run", entry.training_run),
        )
    ]
    section(SECTIONS[5], provenance)
    if entry.approvals:
        approvals = ["| by | role | at | expires | ticket | signed | counts |", "|---|---|---|---|---|---|---|"]
        approvals += [
            f"| {md(a.by)} | {md(a.role)} | {md(a.at)} | {md(a.expires) if a.expires else '_none_'} | "
            f"{md(a.ticket) if a.ticket else '_none_'} | {'yes' if a.signed else 'no'} | "
            f"{'yes' if a.counts else 'no'} |"
            for a in entry.approvals
        ]
    else:
        approvals = [f"_No approval recorded for {code(entry.environment)}._"]
    section(SECTIONS[6], approvals)
    return "\n".join(lines).rstrip("\n") + "\n"
