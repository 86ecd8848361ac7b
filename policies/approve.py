"""`mlopsc approve`: append an approval record to mlops.yaml, keeping the user's comments and layout.

The record binds the approval to the environment's deployment subject digest (policies/subject.py: the
artifact digest and every image, URI and command of the environment's effective spec; any change needs a
new approval); `at` is the current time in UTC, the only clock mlopsc reads. `expires` is written (90
days by default) unless the caller asks for none (`--no-expires`: the approval then stands until its
subject changes, as the org policy allows). The file is edited with
ruamel.yaml's round-trip mode (comments, quotes, flow maps and key order survive; the indentation of
the file is detected), and only the new record is added.

Where it goes: into `environments.<env>.governance.approvals` when that environment overrides the
list (lists replace on merge, so a base record would not reach it), else into the base
`governance.approvals` (created after the other governance keys when absent).
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

from mlopsc.compiler.diagnostics import Diagnostic

DEFAULT_DAYS = 90


class ApproveError(Exception):
    """The record cannot be written; the message says why (the file is unchanged)."""


@dataclass(frozen=True)
class Approved:
    path: Path
    environment: str
    digest: str
    location: str  # dotted path of the list the record was appended to
    signed: bool


def effective(path: Path, environment: str) -> tuple[str, str, list[Diagnostic]]:
    """(model name, deployment subject digest) of one environment, or the diagnostics that stop it."""
    from mlopsc.compiler.discover import display
    from mlopsc.compiler.ir import Options, Validated
    from mlopsc.compiler.passes import run

    ir = run(display(path), path.read_bytes(), Options(environments=(environment,)), until="validate")
    errors = [d for d in ir.diagnostics if d.is_error]
    if errors or not isinstance(ir, Validated) or not ir.environments:
        return "", "", errors
    from mlopsc.policies.subject import subject_digest

    spec = ir.environments[0].spec
    if spec.model.artifact.digest is None:
        raise ApproveError(
            f"environment `{environment}` has no artifact digest (model.artifact.digest): an approval binds to one"
        )
    return spec.metadata.name, subject_digest(spec, environment), []


def approve(
    path: Path,
    environment: str,
    by: str,
    role: str,
    *,
    ticket: str | None = None,
    expires: dt.date | None = None,
    no_expires: bool = False,
    sign_key: Path | None = None,
    now: dt.datetime | None = None,
) -> Approved | list[Diagnostic]:
    """Write the record; return what was written, or the spec's diagnostics when it does not validate."""
    from mlopsc.compiler.spec.patterns import EMAIL

    if not re.match(EMAIL, by):
        raise ApproveError(f"--by must be an email address, not `{by}`")
    if not role.strip():
        raise ApproveError("--role must not be empty")
    model, digest, errors = effective(path, environment)
    if errors:
        return errors
    if now is None:
        from mlopsc.compiler.clock import now as clock_now

        now = clock_now()
    moment = now.astimezone(dt.UTC).replace(microsecond=0)
    if no_expires and expires is not None:
        raise ApproveError("--expires and --no-expires exclude each other")
    until = None if no_expires else expires or moment.date() + dt.timedelta(days=DEFAULT_DAYS)
    if until is not None and until < moment.date():
        raise ApproveError(f"--expires {until.isoformat()} is in the past")
    signature = None
    if sign_key is not None:
        from mlopsc.policies.signatures import SignatureError, Subject, sign

        try:
            signature = sign(Subject(model, environment, digest, role, by, moment, until), sign_key)
        except SignatureError as exc:
            raise ApproveError(str(exc)) from None
    text = path.read_text(encoding="utf-8")
    new_text, location = _append(
        text, environment, _record(environment, by, role, moment, until, ticket, digest, signature)
    )
    _write(path, new_text)
    return Approved(path, environment, digest, location, signature is not None)


def _record(
    environment: str,
    by: str,
    role: str,
    at: dt.datetime,
    expires: dt.date | None,
    ticket: str | None,
    digest: str,
    signature: str | None,
) -> object:
    from ruamel.yaml.comments import CommentedMap
    from ruamel.yaml.timestamp import TimeStamp

    stamp = TimeStamp(
        at.year, at.month, at.day, at.hour, at.minute, at.second, tzinfo=dt.timezone(dt.timedelta(0), "Z")
    )
    stamp._yaml.update({"t": True, "tz": "Z", "delta": 0})
    record = CommentedMap()
    record["environment"] = environment
    record["by"] = by
    record["role"] = role
    record["at"] = stamp
    if expires is not None:
        record["expires"] = expires
    if ticket:
        record["ticket"] = ticket
    record["digest"] = digest
    if signature:
        record["signature"] = signature
    return record


def _append(text: str, environment: str, record: object) -> tuple[str, str]:
    from ruamel.yaml import YAML
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    yaml = YAML()
    yaml.preserve_quotes = True
    yaml.width = 4096
    mapping, sequence, offset = _indentation(text)
    yaml.indent(mapping=mapping, sequence=sequence, offset=offset)
    document = yaml.load(text)
    if not isinstance(document, CommentedMap):
        raise ApproveError("the spec is not a mapping")
    envs = document.get("environments")
    override = envs.get(environment) if isinstance(envs, CommentedMap) else None
    env_governance = override.get("governance") if isinstance(override, CommentedMap) else None
    base_governance = document.get("governance")
    if isinstance(env_governance, CommentedMap) and "approvals" in env_governance:
        target, location = env_governance, f"environments.{environment}.governance.approvals"
    elif isinstance(base_governance, CommentedMap):
        target, location = base_governance, "governance.approvals"
    elif isinstance(env_governance, CommentedMap):
        target, location = env_governance, f"environments.{environment}.governance.approvals"
    else:
        raise ApproveError("the spec has no `governance` section to add the approval to")
    approvals = target.get("approvals")
    if approvals is None:
        approvals = CommentedSeq()
        target["approvals"] = approvals
    if not isinstance(approvals, list):
        raise ApproveError(f"`{location}` is not a list")
    approvals.append(record)
    out = io.StringIO()
    yaml.dump(document, out)
    return out.getvalue(), location


def _indentation(text: str) -> tuple[int, int, int]:
    """(mapping indent, sequence indent, dash offset) as the file writes them; 2/4/2 when it has no example."""
    mapping = 2
    for line in text.splitlines():
        stripped = line.lstrip(" ")
        if stripped and not stripped.startswith("#") and line != stripped:
            mapping = len(line) - len(stripped)
            break
    lines = text.splitlines()
    for i, line in enumerate(lines[1:], start=1):
        stripped = line.lstrip(" ")
        if stripped.startswith("- ") and lines[i - 1].rstrip().endswith(":"):
            parent = lines[i - 1]
            offset = (len(line) - len(stripped)) - (len(parent) - len(parent.lstrip(" ")))
            return mapping, offset + 2, max(offset, 0)
    return mapping, mapping + 2, mapping


def _write(path: Path, text: str) -> None:
    """Replace the file atomically, keeping its permissions."""
    mode = path.stat().st_mode & 0o7777
    fd, tmp = tempfile.mkstemp(prefix=".mlopsc-approve-", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
        Path(tmp).chmod(mode)
        Path(tmp).replace(path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
