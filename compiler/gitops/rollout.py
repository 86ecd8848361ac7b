"""`mlopsc rollout next|promote|abort`: move `rollout.traffic` in mlops.yaml, in place, in Git.

Each move is the decided rollout state's (`Derived.rollout`, compiler/rolloutstate.py), so what is
written is what every platform renders:

- `next`: the next of the environment's `rollout.steps` above where it stands now;
- `promote`: 100 (all traffic on the new version; refused for shadow, whose new version answers
  nobody however much is mirrored to it: promoting it is a strategy change);
- `abort`: 0. All traffic goes back to `rollout.previous`, and the new version stays deployed without
  traffic so it can be looked at; going back to the first step would keep sending users to a version
  that was just judged bad. Ship a fixed version (or remove the rollout) to go on.

Where it writes, for environment E (the first rule that applies):

1. `environments.E.rollout.traffic` when the environment sets it: that value is edited;
2. `environments.E.rollout` when the environment sets other rollout fields: `traffic` is added there;
3. the base `rollout.traffic` when no other environment inherits it from the base (there are no
   environments, or every other one sets its own `rollout.traffic`);
4. otherwise `environments.E.rollout: {traffic: N}` is added, so moving E never moves another environment.

An existing number is replaced in the text at the position ruamel.yaml reports for it, so the file
changes on that one line and nowhere else; an added key goes through a ruamel.yaml round trip with the
file's own indentation (refused when the file does not survive a plain round trip unchanged). The
result is compiled before it is written: the environment must derive the new traffic and every other
environment must be unchanged.
"""

from __future__ import annotations

import io
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from mlopsc.compiler.diagnostics import Diagnostic
from mlopsc.compiler.ir import Decided, Options
from mlopsc.compiler.passes import run
from mlopsc.compiler.rolloutstate import RolloutRefused, RolloutState

Action = Literal["next", "promote", "abort"]
INDENTS = ((2, 4, 2), (2, 2, 0), (4, 4, 2), (4, 6, 4), (4, 4, 0), (2, 4, 0))


class RolloutError(Exception):
    """The move cannot be made; `diagnostics` holds the spec's errors when it does not compile."""

    def __init__(self, message: str, diagnostics: tuple[Diagnostic, ...] = ()) -> None:
        super().__init__(message)
        self.diagnostics = diagnostics


class RolloutUsageError(RolloutError):
    """`--env` is missing where the spec has several environments, or names none of them (exit 2)."""


@dataclass(frozen=True)
class RolloutEdit:
    path: Path
    environment: str
    strategy: str
    old: int
    new: int
    where: str  # dotted path written, e.g. "environments.production.rollout.traffic"
    text: str  # the whole new file

    @property
    def changed(self) -> bool:
        return self.old != self.new


def plan_move(path: Path, action: Action, environment: str | None, name: str) -> RolloutEdit:
    """Work out the edit (nothing is written); `name` is how the spec is shown in diagnostics."""
    raw = path.read_bytes()
    plans = _traffic(name, raw)
    if environment is None:
        if len(plans) != 1:
            raise RolloutUsageError(f"{name} has environments {', '.join(sorted(plans))}: choose one with --env")
        environment = next(iter(plans))
    if environment not in plans:
        raise RolloutUsageError(f"{name} has no environment `{environment}`: choose one of {', '.join(sorted(plans))}")
    state = plans[environment]
    try:
        moved = {"next": state.next, "promote": state.promote, "abort": state.abort}[action]()
    except RolloutRefused as exc:
        raise RolloutError(f"`{environment}` {exc}") from None
    strategy, current, target = str(state.strategy), state.traffic, moved.traffic
    text = raw.decode("utf-8-sig")
    bom = raw.startswith(b"\xef\xbb\xbf")
    if target == current:
        return RolloutEdit(path, environment, strategy, current, target, "", text)
    new_text, where = _edit(text, environment, target, name)
    after = _traffic(name, (("\ufeff" if bom else "") + new_text).encode())
    if after[environment] != moved:
        raise RolloutError(f"internal: the edit at {where} did not move `{environment}` to {target}%")
    others = [env for env in plans if env != environment and plans[env] != after[env]]
    if others:
        raise RolloutError(f"internal: the edit at {where} would also move {', '.join(others)}")
    return RolloutEdit(path, environment, strategy, current, target, where, ("\ufeff" if bom else "") + new_text)


def write(edit: RolloutEdit) -> None:
    """Replace the file atomically, keeping its permissions."""
    fd, tmp = tempfile.mkstemp(prefix=".mlopsc-", dir=edit.path.parent)
    with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
        handle.write(edit.text)
    os.chmod(tmp, edit.path.stat().st_mode & 0o7777)
    os.replace(tmp, edit.path)


def _traffic(name: str, raw: bytes) -> dict[str, RolloutState]:
    """Per environment: the decided rollout state (Derived.rollout)."""
    ir = run(name, raw, Options(), until="decide")
    errors = tuple(d for d in ir.diagnostics if d.is_error)
    if errors or not isinstance(ir, Decided):
        raise RolloutError(f"{name} does not compile", errors)
    return {p.environment: p.derived.rollout for p in ir.plans}


def _yaml(indent: tuple[int, int, int]) -> Any:
    from ruamel.yaml import YAML

    yaml = YAML()
    yaml.preserve_quotes = True
    yaml.width = 1_000_000
    yaml.indent(mapping=indent[0], sequence=indent[1], offset=indent[2])
    return yaml


def _dump(yaml: Any, data: Any) -> str:
    stream = io.StringIO()
    yaml.dump(data, stream)
    return stream.getvalue()


def _edit(text: str, environment: str, value: int, name: str) -> tuple[str, str]:
    from ruamel.yaml.comments import CommentedMap

    doc = _yaml(INDENTS[0]).load(text)
    envs = doc.get("environments") if isinstance(doc, CommentedMap) else None
    envs = envs if isinstance(envs, CommentedMap) else CommentedMap()
    own = envs.get(environment)
    own_rollout = own.get("rollout") if isinstance(own, CommentedMap) else None
    if isinstance(own_rollout, CommentedMap) and "traffic" in own_rollout:
        where = f"environments.{environment}.rollout.traffic"
        return _replace_number(text, own_rollout, value, where, name), where
    if isinstance(own_rollout, CommentedMap):
        where = f"environments.{environment}.rollout.traffic"
        return _insert(text, ("environments", environment, "rollout"), "traffic", value, name), where
    others_inherit = any(
        not (isinstance(v, CommentedMap) and isinstance(v.get("rollout"), CommentedMap) and "traffic" in v["rollout"])
        for k, v in envs.items()
        if k != environment
    )
    base = doc.get("rollout")
    if not others_inherit and isinstance(base, CommentedMap):
        where = "rollout.traffic"
        if "traffic" in base:
            return _replace_number(text, base, value, where, name), where
        return _insert(text, ("rollout",), "traffic", value, name), where
    if environment not in envs:
        raise RolloutError(f"{name}: environment `{environment}` is not declared under `environments`")
    where = f"environments.{environment}.rollout.traffic"
    return _insert(text, ("environments", environment), "rollout", {"traffic": value}, name), where


def _replace_number(text: str, mapping: Any, value: int, where: str, name: str) -> str:
    line, col = mapping.lc.value("traffic")
    lines = text.splitlines(keepends=True)
    match = re.match(r"[0-9]+", lines[line][col:])
    if match is None:
        raise RolloutError(f"{name}:{line + 1}:{col + 1}: `{where}` is not written as a plain number: edit it by hand")
    lines[line] = lines[line][:col] + str(value) + lines[line][col + match.end() :]
    return "".join(lines)


def _insert(text: str, parent: tuple[str, ...], key: str, value: int | dict[str, int], name: str) -> str:
    from ruamel.yaml.comments import CommentedMap

    for indent in INDENTS:
        yaml = _yaml(indent)
        doc = yaml.load(text)
        if _dump(yaml, doc) != text:
            continue
        node = doc
        for part in parent:
            if not isinstance(node.get(part), CommentedMap):
                node[part] = CommentedMap()
            node = node[part]
        flow = node.fa.flow_style() or (not node and _written_as_flow(text, doc, parent))
        if isinstance(value, dict):
            child = CommentedMap(value)
            if flow:
                child.fa.set_flow_style()
            node[key] = child
        else:
            node[key] = value
        if flow:
            node.fa.set_flow_style()
        return _dump(yaml, doc)
    raise RolloutError(
        f"{name}: the file's layout does not survive a YAML round trip, so mlopsc will not add "
        f"`{'.'.join((*parent, key))}`: add it by hand"
    )


def _written_as_flow(text: str, doc: Any, parent: tuple[str, ...]) -> bool:
    """An empty mapping written `{}` (ruamel does not record a flow style for it)."""
    holder = doc
    for part in parent[:-1]:
        holder = holder[part]
    line, col = holder.lc.value(parent[-1])
    return bool(text.splitlines()[line][col:].lstrip().startswith("{"))
