"""Run the pipeline over every spec of a command and gather what it produced.

The click commands only fill arguments and call these functions; output formatting lives in
`report.py`. Nothing here prints or exits.

With `jobs` > 1 and several specs, the specs are compiled in worker processes. A worker sends back
only what the commands read of each spec (`_Compiled`: source, diagnostics, rendered files, a
summary of the plans), not the IR; the parent gathers the outcomes in discovery order with the same
code as an in-process run, so the result is the same, E115 (two specs defining one model) included.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from mlopsc.compiler.collisions import Owner, claim
from mlopsc.compiler.diagnostics import INTERNAL_ERROR, Diagnostic, Severity, has_errors, sort_diagnostics
from mlopsc.compiler.discover import display, find, kind_of
from mlopsc.compiler.ir import Derived, Emitted, Options, RenderedFile
from mlopsc.compiler.passes import IR, run
from mlopsc.compiler.passes.parse import MAX_BYTES, too_large
from mlopsc.compiler.source import SourceFile

if TYPE_CHECKING:
    from multiprocessing.context import BaseContext


@dataclass(frozen=True)
class PlanSummary:
    """What the commands read of a plan (`mlopsc diff`: each environment's traffic), without the spec."""

    environment: str
    model_name: str
    derived: Derived


@dataclass
class RunResult:
    diagnostics: list[Diagnostic] = field(default_factory=list)
    sources: dict[str, SourceFile] = field(default_factory=dict)
    files: list[RenderedFile] = field(default_factory=list)
    units: list[IR] = field(default_factory=list)  # each spec's IR: in-process runs only (see compile_paths)
    plans: list[PlanSummary] = field(default_factory=list)  # every spec's plans, in discovery order
    excluded: list[str] = field(default_factory=list)  # folders --exclude kept from discovery (the CLI says so)
    secrets: dict[str, frozenset[str]] = field(default_factory=dict)  # per spec with diagnostics: for redaction

    @property
    def failed(self) -> bool:
        return has_errors(self.diagnostics)


def usable_cpus() -> int:
    """The CPUs this process may run on (its affinity mask: taskset, a container's cpuset)."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return os.cpu_count() or 1


def compile_paths(
    paths: tuple[str, ...],
    options: object,
    until: str = "policy",
    exclude: Path | None = None,
    between: Callable[[str, IR], None] | None = None,
    jobs: int = 1,
    bodies: bool = True,
    units: bool = True,
) -> RunResult:
    """Compile every spec under `paths`.

    `jobs`: processes to compile in, 0 for one per usable CPU. With 1, a single spec or a `between`
    callback everything runs in this process, and only then is `units` filled (unless `units=False`:
    callers that read only files, diagnostics and plans let each spec's IR go, which bounds memory).
    `bodies=False` drops each rendered file's `body` (the data before serialisation) for callers that
    only need its text.
    """
    assert isinstance(options, Options)
    result = RunResult()
    owners: dict[str, str] = {}
    names: dict[str, Owner] = {}
    read: list[tuple[str, bytes] | tuple[str, Diagnostic, SourceFile | None]] = []
    found = find(paths, exclude, options.exclude)
    result.excluded = found.excluded
    for refused in found.refused:
        name = display(refused.path)
        read.append((name, Diagnostic(name, 0, 0, "E001", Severity.ERROR, f"not read: {refused.reason}"), None))
    for path in found.specs:
        name = display(path)
        try:
            read.append((name, read_bounded(path)))
        except NotRegular as exc:
            read.append((name, Diagnostic(name, 0, 0, "E001", Severity.ERROR, f"not read: {exc}", _NOT_REGULAR), None))
        except OSError as exc:
            read.append((name, Diagnostic(name, 0, 0, "E001", Severity.ERROR, f"cannot read: {exc.strerror}"), None))
        except TooLarge as exc:
            read.append((name, too_large(name, exc.size), SourceFile.from_text(name, "", b"")))
    specs = [(i, entry[0], entry[1]) for i, entry in enumerate(read) if len(entry) == 2]
    workers = min(jobs if jobs > 0 else usable_cpus(), len(specs) - 1)
    pooled = workers > 1 and between is None
    outcomes: dict[int, _Outcome] = {}
    if pooled:
        # The first spec in this process: it imports what the passes import on first use and fills
        # their caches, which forked workers then share instead of each repeating the work.
        first, name, raw = specs[0]
        outcomes[first] = _summarise(run(name, raw, options, until=until), bodies)
        outcomes.update(_compile_in_pool(specs[1:], options, until, bodies, workers))
    for i, entry in enumerate(read):
        if len(entry) == 3:
            name, diagnostic, source = entry
            result.diagnostics.append(diagnostic)
            if source is not None:
                result.sources[name] = source
            continue
        name, raw = entry
        outcome = outcomes.get(i)
        if isinstance(outcome, _Died):
            result.diagnostics.append(_died(name, outcome))
            result.sources[name] = SourceFile.from_text(name, raw.decode("utf-8", errors="replace"), raw)
            continue
        if not isinstance(outcome, _Compiled):
            # In-process; or the pipeline raised in a worker: compiled again here, so the exception
            # (and MLOPSC_DEBUG's traceback) is exactly the one of a run without workers.
            try:
                ir = run(name, raw, options, until=until, between=between)
            except Exception as exc:
                if os.environ.get("MLOPSC_DEBUG"):
                    raise
                # a bug, not the input's fault: reported on this spec, and the other specs' outcomes kept
                result.diagnostics.append(_crashed(name, exc))
                result.sources[name] = SourceFile.from_text(name, raw.decode("utf-8", errors="replace"), raw)
                continue
            if units and not pooled:
                result.units.append(ir)
            outcome = _summarise(ir, bodies)
        _gather(result, owners, names, name, outcome)
    result.diagnostics = sort_diagnostics(result.diagnostics)
    return result


@dataclass(frozen=True)
class _Compiled:
    """One spec's outcome as the commands read it: what a worker sends back instead of the IR."""

    source: SourceFile
    diagnostics: tuple[Diagnostic, ...]
    plans: tuple[PlanSummary, ...]
    emitted: bool  # the pipeline got through emit: `model`, `name_pos` and `files` are set
    model: str | None
    name_pos: tuple[int, int]
    files: tuple[RenderedFile, ...]
    secrets: frozenset[str] | None = None  # what the redaction point masks (None: not gathered)


@dataclass(frozen=True)
class _Raised:
    """The pipeline raised in a worker (rules, targets and policies report E900 themselves: a bug elsewhere)."""


@dataclass(frozen=True)
class _Died:
    """The worker process compiling the spec died (killed, out of memory, a crash in a C extension)."""

    reason: str


def _summarise(ir: IR, bodies: bool) -> _Compiled:
    plans = tuple(PlanSummary(p.environment, p.model_name, p.derived) for p in getattr(ir, "plans", ()))
    secrets = _secrets(ir)
    if not isinstance(ir, Emitted):
        return _Compiled(ir.unit.source, ir.diagnostics, plans, False, None, (1, 1), (), secrets)
    files = ir.files if bodies else tuple(replace(f, body=None) for f in ir.files)
    model = ir.plans[0].model_name if ir.plans else None
    return _Compiled(ir.unit.source, ir.diagnostics, plans, True, model, _name_pos(ir), files, secrets)


def _secrets(ir: IR) -> frozenset[str] | None:
    """The spec's secrets for the redaction point, gathered here (in the worker, from the parsed document,
    with the scanner's memo warm from the policy pass) when the spec has diagnostics to print."""
    if not ir.diagnostics or ir.unit.document is None:
        return None
    from mlopsc.compiler.formats.redact import secrets_in_document

    return secrets_in_document(ir.unit.document)


def _gather(result: RunResult, owners: dict[str, str], names: dict[str, Owner], name: str, outcome: _Compiled) -> None:
    """Add one spec's outcome. Called in discovery order: the first spec defining a model owns it, the
    first model/environment pair to render a cloud resource name owns that name (E116)."""
    result.sources[name] = outcome.source
    result.diagnostics.extend(outcome.diagnostics)
    if outcome.secrets is not None:
        result.secrets[name] = outcome.secrets
    result.plans.extend(outcome.plans)
    if not outcome.emitted:
        return
    model = outcome.model
    if model is not None and model in owners:
        result.diagnostics.append(
            Diagnostic(
                name,
                *outcome.name_pos,
                "E115",
                Severity.ERROR,
                f"model `{model}` is also defined by {owners[model]}: both would render into the same folders",
                "give each model its own metadata.name",
            )
        )
        return
    clashes = claim(names, name, outcome.files, outcome.name_pos)
    if clashes:
        result.diagnostics.extend(clashes)
        return
    if model is not None:
        owners[model] = name
    result.files.extend(outcome.files)


def _crashed(name: str, exc: Exception) -> Diagnostic:
    return Diagnostic(
        name,
        0,
        0,
        INTERNAL_ERROR,
        Severity.ERROR,
        f"internal error while compiling this spec: {type(exc).__name__}: {exc}",
        "please report this with the spec that caused it (MLOPSC_DEBUG=1 shows the traceback); "
        "the other specs were compiled",
    )


def _died(name: str, outcome: _Died) -> Diagnostic:
    return Diagnostic(
        name,
        0,
        0,
        INTERNAL_ERROR,
        Severity.ERROR,
        f"internal error: the process compiling this spec died ({outcome.reason})",
        "please report this with the spec that caused it (`--jobs 1` compiles in one process)",
    )


# --- worker processes ----------------------------------------------------------------------------------

_Outcome = _Compiled | _Raised | _Died
_Task = tuple[int, str, bytes]  # index in discovery order, display name, bytes
_worker: dict[str, tuple[Options, str, bool]] = {}  # each worker's (options, until, bodies)


def _init_worker(options: Options, until: str, bodies: bool, parent: int) -> None:
    _worker["run"] = (options, until, bodies)
    _exit_with(parent)


def _exit_with(parent: int) -> None:
    """End this worker when the parent process dies (killed, say, by a CI timeout): an idle worker
    waits for tasks on a pipe it holds both ends of, and would otherwise wait forever."""
    if not sys.platform.startswith("linux"):
        return
    import ctypes
    import signal

    pr_set_pdeathsig = 1
    try:
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGKILL)
    except (OSError, AttributeError):  # no prctl in this libc: the worker may outlive a killed parent
        return
    if os.getppid() != parent:  # the parent died before prctl
        os._exit(1)


def _work(chunk: Sequence[_Task]) -> list[_Compiled | _Raised]:
    """Compile a chunk of specs in a worker. A spec whose pipeline raised is only marked: the parent
    compiles it again in-process, where the exception surfaces as it would without workers."""
    options, until, bodies = _worker["run"]
    out: list[_Compiled | _Raised] = []
    for _, name, raw in chunk:
        try:
            out.append(_summarise(run(name, raw, options, until=until), bodies))
        except Exception:
            out.append(_Raised())
    return out


def _compile_in_pool(
    specs: list[_Task], options: Options, until: str, bodies: bool, workers: int
) -> dict[int, _Outcome]:
    """Compile `specs` in `workers` processes: the outcome of each, by index.

    The specs of a chunk whose worker died (or whose result did not come back) are compiled again one
    at a time in a fresh single worker, so only a spec that kills its process is reported (E900).
    """
    # Imported here: the one-spec path (pre-commit) never pays for them.
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    # "fork" on Linux: workers start as copies of this process with every module (the pipeline, the
    # spec model, the targets) already imported, where "spawn" or "forkserver" would import them again
    # in each worker (~0.5 s each). It is safe here: the CLI (jobs > 1 comes from its --jobs) runs no
    # threads and holds no locks at this point, ProcessPoolExecutor forks all its workers before it
    # starts its own management thread, and workers only compute and send results back (they print
    # nothing, write no files). Elsewhere (macOS, where fork is unsafe with system frameworks; Windows)
    # the platform's default.
    context = multiprocessing.get_context("fork" if sys.platform.startswith("linux") else None)
    # Chunks of up to 8 specs: a spec takes ~0.1 s, which dwarfs the IPC of its task, and with at
    # least 4 chunks per worker the last ones still balance (1,000 specs: 125 chunks).
    size = max(1, min(8, len(specs) // (workers * 4)))
    chunks = [specs[i : i + size] for i in range(0, len(specs), size)]
    outcomes: dict[int, _Outcome] = {}
    lost: list[_Task] = []
    pool = ProcessPoolExecutor(
        workers, mp_context=context, initializer=_init_worker, initargs=(options, until, bodies, os.getpid())
    )
    try:
        futures = [pool.submit(_work, chunk) for chunk in chunks]
        for chunk, future in zip(chunks, futures, strict=True):
            try:
                done = future.result()
            except Exception:  # BrokenProcessPool (a worker died), or a result that did not pickle
                lost.extend(chunk)
                continue
            outcomes.update(zip((i for i, _, _ in chunk), done, strict=True))
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    if lost:
        outcomes.update(_isolate(lost, context, options, until, bodies))
    return outcomes


def _isolate(
    specs: list[_Task], context: BaseContext, options: Options, until: str, bodies: bool
) -> dict[int, _Outcome]:
    """Compile each spec alone in one worker process; a spec whose worker dies is `_Died`."""
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    outcomes: dict[int, _Outcome] = {}
    pool: ProcessPoolExecutor | None = None
    try:
        for task in specs:
            if pool is None:
                pool = ProcessPoolExecutor(
                    1, mp_context=context, initializer=_init_worker, initargs=(options, until, bodies, os.getpid())
                )
            try:
                outcomes[task[0]] = pool.submit(_work, [task]).result()[0]
            except BrokenProcessPool as exc:
                # With a cause, the worker lived but its result did not unpickle here: compiled again
                # in-process. Without one, the process died.
                outcomes[task[0]] = _Raised() if exc.__cause__ is not None else _Died("it exited abruptly")
                pool.shutdown(wait=True)
                pool = None
            except Exception:  # the result did not pickle in the worker: compiled again in-process
                outcomes[task[0]] = _Raised()
    finally:
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
    return outcomes


class TooLarge(Exception):
    def __init__(self, size: int) -> None:
        super().__init__(size)
        self.size = size


class NotRegular(Exception):
    """The path is a FIFO, a device, a socket or a folder: never opened for reading."""


_NOT_REGULAR = "a spec is a regular file; reading a FIFO or a device would wait forever or never end"


def read_bounded(path: Path) -> bytes:
    """The file's bytes, read only when it is within the size limit: a 100 MB (or endless) file is
    refused after one stat (and one bounded read, should it grow in between), never read whole. Only a
    regular file is opened (a FIFO would block the open, a device could be endless); it is opened
    non-blocking and checked again on the open descriptor, so a swap in between cannot hang the run."""
    info = path.stat()
    kind = kind_of(info.st_mode)
    if kind is not None:
        raise NotRegular(f"{kind}, not a regular file")
    if info.st_size > MAX_BYTES:
        raise TooLarge(info.st_size)
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    with os.fdopen(fd, "rb") as handle:
        kind = kind_of(os.fstat(fd).st_mode)
        if kind is not None:
            raise NotRegular(f"{kind}, not a regular file")
        raw = handle.read(MAX_BYTES + 1)
    if len(raw) > MAX_BYTES:
        raise TooLarge(max(info.st_size, len(raw)))
    return raw


def _name_pos(ir: IR) -> tuple[int, int]:
    pos = ir.unit.positions.value(("metadata", "name"))
    return (pos.line, pos.col) if pos else (1, 1)
