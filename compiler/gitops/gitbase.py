"""`mlopsc diff --base REF`: render the specs as they were at REF (read with git, no checkout) and now.

Specs at REF are those under the same PATHs (found with `git ls-tree`, skipping the folders discovery
skips); a spec that did not exist at REF renders nothing there (its platforms show as new), one that
no longer exists renders nothing now (removed). Both sides are rendered by *this* mlopsc, so the diff
shows what the spec change does, not what a compiler upgrade does. A spec with errors at REF renders
nothing and is named in a note.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from mlopsc.compiler.diagnostics import Diagnostic
from mlopsc.compiler.discover import SPEC_NAMES, display, excluded_by, skipped_by_default
from mlopsc.compiler.driver import PlanSummary
from mlopsc.compiler.gitops.semdiff import SemanticDiff, Traffic, semantic_diff
from mlopsc.compiler.ir import Emitted, Options, Plan, RenderedFile
from mlopsc.compiler.passes import IR, run


class GitError(Exception):
    """git is missing, the folder is not a repository, or REF does not name a commit."""


def git(args: list[str], cwd: Path) -> bytes:
    try:
        done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, check=False)
    except OSError as exc:
        raise GitError(f"cannot run git: {exc.strerror}") from None
    if done.returncode != 0:
        raise GitError(done.stderr.decode("utf-8", errors="replace").strip() or f"git {' '.join(args)} failed")
    return done.stdout


def toplevel(cwd: Path) -> Path:
    return Path(git(["rev-parse", "--show-toplevel"], cwd).decode().strip()).resolve()


def specs_at(
    ref: str, paths: tuple[str, ...], cwd: Path | None = None, patterns: tuple[str, ...] = ()
) -> dict[str, bytes]:
    """The spec files under `paths` as they were at `ref`: display name -> bytes."""
    here = (cwd or Path.cwd()).resolve()
    first = (here / paths[0]).resolve() if paths else here
    top = toplevel(first if first.is_dir() else first.parent)
    try:
        git(["rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"], top)
    except GitError:
        raise GitError(
            f"{ref} does not name a commit in {top} (fetch it first, e.g. checkout with fetch-depth: 0)"
        ) from None
    prefixes: list[str] = []
    for given in paths:
        absolute = (here / given).resolve()
        try:
            rel = absolute.relative_to(top).as_posix()
        except ValueError:
            raise GitError(f"{given} is outside the git repository {top}") from None
        prefixes.append("" if rel == "." else rel)
    names = git(["ls-tree", "-r", "-z", "--name-only", "--full-tree", ref], top).decode("utf-8").split("\0")
    found: dict[str, bytes] = {}
    for name in sorted(n for n in names if n):
        if not any(_under(name, prefix, patterns) for prefix in prefixes):
            continue
        found[display(top / name)] = git(["show", f"{ref}:{name}"], top)
    return found


def _under(name: str, prefix: str, patterns: tuple[str, ...]) -> bool:
    if name == prefix:
        return True
    if prefix and not name.startswith(prefix + "/"):
        return False
    parts = name[len(prefix) :].strip("/").split("/")
    if parts[-1] not in SPEC_NAMES:
        return False
    folders = parts[:-1]
    if any(skipped_by_default(p) for p in folders):
        return False
    return not any(excluded_by("/".join(folders[: i + 1]), patterns) for i in range(len(folders)))


@dataclass(frozen=True)
class Side:
    files: tuple[RenderedFile, ...]
    traffic: dict[tuple[str, str], Traffic]
    diagnostics: tuple[Diagnostic, ...]
    broken: tuple[str, ...]  # specs that did not render (errors)
    secrets: frozenset[str] = frozenset()  # what the specs of this side hold, for the redaction point


def render_specs(specs: dict[str, bytes], options: Options) -> Side:
    files: list[RenderedFile] = []
    diagnostics: list[Diagnostic] = []
    broken: list[str] = []
    units: list[IR] = []
    secrets: set[str] = set()
    for name, raw in sorted(specs.items()):
        ir = run(name, raw, options)
        diagnostics.extend(ir.diagnostics)
        if ir.diagnostics and ir.unit.document is not None:  # the old values a diff shows: masked too
            from mlopsc.compiler.formats.redact import secrets_in_document

            secrets.update(secrets_in_document(ir.unit.document))
        if isinstance(ir, Emitted) and not any(d.is_error for d in ir.diagnostics):
            files.extend(ir.files)
            units.append(ir)
        else:
            broken.append(name)
    return Side(tuple(files), traffic_of(units), tuple(diagnostics), tuple(broken), frozenset(secrets))


def traffic_of(units: list[IR]) -> dict[tuple[str, str], Traffic]:
    return traffic_of_plans(plan for ir in units if isinstance(ir, Emitted) for plan in ir.plans)


def traffic_of_plans(plans: Iterable[Plan | PlanSummary]) -> dict[tuple[str, str], Traffic]:
    """Each (environment, model)'s strategy and traffic; a later plan wins, as in discovery order."""
    return {(p.environment, p.model_name): Traffic.of(p.derived.rollout) for p in plans}


def diff_against(
    ref: str, paths: tuple[str, ...], options: Options, head: Side, label: str = ""
) -> tuple[SemanticDiff, Side]:
    """The semantic diff from the specs at `ref` to `head` (the specs as they are now), and the base."""
    base = render_specs(specs_at(ref, paths, patterns=options.exclude), options)
    notes = tuple(f"{name} has errors at {label or ref}: it is shown as new" for name in base.broken)
    notes += transition_notes(base.files, head.files)
    return semantic_diff(base.files, head.files, base.traffic, head.traffic, label or ref, notes), base


def transition_notes(base: Iterable[RenderedFile], head: Iterable[RenderedFile]) -> tuple[str, ...]:
    """What each platform says cannot be applied in one step from a base file to its head version."""
    from mlopsc.targets.registry import TARGETS

    before = {f.path: f for f in base}
    out: list[str] = []
    for f in head:
        old = before.get(f.path)
        if old is None or old.body == f.body or f.platform not in TARGETS:
            continue
        out.extend(f"{f.path}: {note}" for note in TARGETS[f.platform].transition(old.body, f.body))
    return tuple(out)
