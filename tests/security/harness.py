"""Render a hostile spec, then run every rendered script in a scratch folder with stub CLIs on PATH.

The stubs (`gcloud`, `az`, `curl`, `kubectl`, `aws`) append each call's argv to `$STUB_LOG`, every
argument NUL-terminated (so no argument is re-split or merged) and answer like an empty project would:
nothing exists yet, so every create step runs. `score.py` files are loaded (their module code runs)
with a stand-in `pandas` on PYTHONPATH. A test then asserts that nothing ran that the spec did not
declare: no `PWNED` file anywhere, only the expected programs and verbs in the log, and each spec
value reaching a CLI as exactly one argument.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from mlopsc.compiler.diagnostics import Diagnostic
from mlopsc.compiler.ir import Emitted, Options, RenderedFile
from mlopsc.compiler.passes import run
from tests.fixed_clock import TODAY

ROOT = Path(__file__).resolve().parents[2]
MARK = "PWNED"

# One call: each argument NUL-terminated (no argv byte can be NUL), then the record mark \x01 NUL.
_LOG = 'printf \'%s\\0\' "$(basename "$0")" "$@" >>"$STUB_LOG"; printf \'\\001\\0\' >>"$STUB_LOG"\n'

CURL = (
    "#!/usr/bin/env bash\n"
    + _LOG
    + r"""method=GET out= url=
while (($#)); do
  case "$1" in
    -X) method=$2; shift 2 ;;
    -o) out=$2; shift 2 ;;
    -w|-H) shift 2 ;;
    --data-binary) shift 2 ;;
    -*) shift ;;
    *) url=$1; shift ;;
  esac
done
case "$method $url" in
  "POST "*/models:upload) touch "${STUB_LOG}.uploaded"  # the version exists from now on
    echo '{"name": "projects/p/locations/l/operations/1", "done": true}' >"$out"; printf 200 ;;
  "GET "*/models/*@*) if [[ -e "${STUB_LOG}.uploaded" ]]; then echo '{"versionId": "1"}' >"$out"; printf 200
    else echo '{}' >"$out"; printf 404; fi ;;
  "GET "*/models/*) echo '{}' >"$out"; printf 404 ;;
  "GET "*/endpoints/*) jq -n --argjson ids "${DEPLOYED_IDS:-[]}" '{deployedModels: [$ids[] | {id: .}]}' >"$out"
    printf 200 ;;
  "GET "*) echo '{}' >"$out"; printf 200 ;;
  *) echo '{"name": "projects/p/locations/l/operations/1", "done": true}' >"$out"; printf 200 ;;
esac
"""
)
GCLOUD = (
    "#!/usr/bin/env bash\n"
    + _LOG
    + """case "$1 $2" in
  "auth print-access-token") echo token ;;
  "scheduler jobs") [[ "$3" != describe ]] ;;
esac
"""
)
AZ = (
    "#!/usr/bin/env bash\n"
    + _LOG
    + """# every online deployment exists: a rollout's apply.sh stops when its live deployment is missing
if [[ "$1 $2 $3" == "ml online-deployment show" ]]; then exit 0; fi
for arg in "$@"; do
  if [[ "$arg" == show ]]; then
    if [[ " $* " == *" --query "* ]]; then echo "/subscriptions/0/x"; exit 0; fi
    exit 1
  fi
done
"""
)
PLAIN = "#!/usr/bin/env bash\n" + _LOG
STUBS = {"curl": CURL, "gcloud": GCLOUD, "az": AZ, "kubectl": PLAIN, "aws": PLAIN}
# What each program may be asked to do: its first argument (az: its first two).
VERBS = {
    "gcloud": {"auth", "scheduler"},
    "curl": {"-sS"},
    "az": {"ml", "role", "keyvault", "deployment", "monitor"},
}

PANDAS_STUB = "DataFrame = object\n"


@dataclass(frozen=True)
class Rendered:
    files: tuple[RenderedFile, ...]
    diagnostics: tuple[Diagnostic, ...]

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity.value == "error"]


def render(text: str, path: str = "team/mlops.yaml", targets: tuple[str, ...] = ()) -> Rendered:
    ir = run(path, text.encode("utf-8"), Options(targets=targets, today=TODAY))
    files = tuple(ir.files) if isinstance(ir, Emitted) else ()
    return Rendered(files, tuple(ir.diagnostics))


@dataclass
class Outcome:
    calls: list[list[str]]
    results: list[tuple[str, int, str]]  # script, exit code, stderr
    scratch: Path

    def pwned(self) -> list[Path]:
        return sorted(p for p in self.scratch.rglob("*") if MARK in p.name)


def write_tree(files: tuple[RenderedFile, ...], out: Path) -> None:
    for f in files:
        target = out / f.path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(f.content, encoding="utf-8")


def run_everything(files: tuple[RenderedFile, ...], scratch: Path, deployed: tuple[str, ...] = ()) -> Outcome:
    """Write the files under `scratch/out`, then run every `*.sh` (each of its subcommands) and load every `*.py`."""
    out = scratch / "out"
    write_tree(files, out)
    bin_dir = scratch / "bin"
    bin_dir.mkdir()
    for name, text in STUBS.items():
        (bin_dir / name).write_text(text, encoding="utf-8")
        (bin_dir / name).chmod(stat.S_IRWXU)
    (scratch / "pylib").mkdir()
    (scratch / "pylib" / "pandas.py").write_text(PANDAS_STUB, encoding="utf-8")
    log = scratch / "calls.jsonl"
    log.touch()
    jq = shutil.which("jq")
    assert jq is not None, "the stubs log with jq"
    env = {
        "PATH": f"{bin_dir}:/usr/bin:/bin",
        "STUB_LOG": str(log),
        "HOME": str(scratch),
        "DEPLOYED_IDS": json.dumps(list(deployed)),
        "PYTHONPATH": str(scratch / "pylib"),
        "LANG": "C.UTF-8",
    }
    results: list[tuple[str, int, str]] = []
    work = scratch / "cwd"
    work.mkdir()
    for f in sorted(files, key=lambda f: f.path):
        path = out / f.path
        if f.path.endswith(".sh"):
            for args in _subcommands(f.content):
                done = subprocess.run(
                    ["bash", str(path), *args],
                    cwd=work,
                    env=env,
                    capture_output=True,
                    text=True,
                    timeout=60,
                    check=False,
                )
                results.append((f"{f.path} {' '.join(args)}".strip(), done.returncode, done.stderr))
        elif f.path.endswith(".py"):
            done = subprocess.run(
                [sys.executable, "-c", "import runpy, sys; runpy.run_path(sys.argv[1])", str(path)],
                cwd=work,
                env={**env, "PATH": os.environ["PATH"]},
                capture_output=True,
                text=True,
                timeout=60,
                check=False,
            )
            results.append((f.path, done.returncode, done.stderr))
    calls = read_calls(log)
    return Outcome(calls, results, scratch)


def read_calls(log: Path) -> list[list[str]]:
    calls: list[list[str]] = [[]]
    for field in log.read_bytes().decode("utf-8").split("\0")[:-1]:
        if field == "\x01":
            calls.append([])
        else:
            calls[-1].append(field)
    return calls[:-1]


def _subcommands(script: str) -> list[list[str]]:
    runs: list[list[str]] = [[]]
    if "batch-now)" in script:
        runs.append(["batch-now"])
    if "traffic)" in script:
        runs.append(["traffic", "50"])
    if '"invoke-batch"' in script:
        runs.append(["invoke-batch"])
    return runs


def unexpected_calls(calls: list[list[str]]) -> list[list[str]]:
    """Calls of a program the scripts do not use, or a verb it is never asked for."""
    bad = []
    for call in calls:
        prog, args = call[0], call[1:]
        allowed = VERBS.get(prog)
        if allowed is None or not args or args[0] not in allowed:
            bad.append(call)
    return bad
