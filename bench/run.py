"""mlopsc benchmark: pre-commit latency, compile throughput, check, and the PyYAML C floor.

    .venv/bin/python bench/run.py                 # 1,000 and 5,000 specs, 3 repeats (about 10 minutes)
    .venv/bin/python bench/run.py --quick         # 200 specs, 1 repeat (a smoke run)
    .venv/bin/python bench/run.py --markdown docs/performance.md   # also write the results page

Everything runs on this machine in a temporary folder: N specs are generated from the repository's
mlops.yaml, varied across the vocabulary (framework, serving mode, strategy, level, risk, scale, drift
features), each configuring all four platforms and two environments. Whole processes are timed
(interpreter start included), as a user or CI sees them; medians of the repeats are reported.
Not a test: nothing fails when a goal is missed; the page says by how much.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
MLOPSC = str(BIN / "mlopsc")
GOALS = {"pre-commit": 0.250, "compile-1000": 10.0, "rss-1000": 500.0, "check-1000": 10.0, "floor-multiple": 3.0}


# --- specs ---------------------------------------------------------------------------------------------


def generate(folder: Path, n: int, seed: int = 8) -> list[Path]:
    """N spec folders `m<i>/mlops.yaml`, varied from the root mlops.yaml (online serving: a batch job needs
    storage every platform can read, which one spec cannot give for all four)."""
    base = yaml.safe_load((ROOT / "mlops.yaml").read_text(encoding="utf-8"))
    rollback = base["rollout"].get("rollback", {})
    if True in rollback:  # PyYAML reads the key `on` as the boolean true (YAML 1.1)
        rollback["on"] = rollback.pop(True)
    rng = random.Random(seed)
    paths = []
    subject = _production_subject()
    for i in range(n):
        spec = copy.deepcopy(base)
        name = f"model-{i:05d}"
        spec["metadata"]["name"] = name
        # the approval binds the deployment subject, which names the model: re-bound for each copy
        spec["governance"]["approvals"][0]["digest"] = _digest_of({**subject, "metadata.name": name})
        spec["model"]["type"] = rng.choice(["classification", "regression", "ranking"])
        spec["model"]["version"] = f"{rng.randint(1, 9)}.{rng.randint(0, 20)}.{rng.randint(0, 9)}"
        spec["serving"]["scale"]["rps"] = rng.choice([20, 200, 800, 2500])
        spec["serving"]["scale"]["latency_ms"] = rng.choice([100, 150, 400])
        spec["rollout"]["strategy"] = rng.choice(["canary", "blue-green", "ab"])
        spec["governance"]["risk"] = rng.choice(["low", "medium", "high"])
        inputs = [f["name"] for f in spec["model"]["signature"]["inputs"]]
        spec["monitoring"]["drift"]["features"] = rng.sample(inputs, rng.randint(1, len(inputs)))
        path = folder / f"m{i:05d}" / "mlops.yaml"
        path.parent.mkdir(parents=True)
        path.write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
        paths.append(path)
    return paths


def _production_subject() -> dict[str, object]:
    """The root spec's deployment subject in `production` (policies/subject.py); the variants change none
    of its fields but the model's name."""
    from mlopsc.compiler.ir import Options, Validated
    from mlopsc.compiler.passes import run
    from mlopsc.policies.subject import deployment_subject

    ir = run("mlops.yaml", (ROOT / "mlops.yaml").read_bytes(), Options(environments=("production",)), until="validate")
    assert isinstance(ir, Validated)
    return deployment_subject(ir.environments[0].spec, "production")


def _digest_of(subject: dict[str, object]) -> str:
    from mlopsc.policies.subject import digest_of

    return digest_of(subject)


# --- measuring -----------------------------------------------------------------------------------------


class PeakRss:
    """Peak resident memory of this process and all its descendants together, sampled from /proc."""

    def __init__(self) -> None:
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, _tree_rss(os.getpid()))
            self._stop.wait(0.05)


def _tree_rss(pid: int) -> int:
    total = 0
    pending = [pid]
    while pending:
        current = pending.pop()
        try:
            with open(f"/proc/{current}/statm") as handle:
                total += int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
            with open(f"/proc/{current}/task/{current}/children") as handle:
                pending += [int(c) for c in handle.read().split()]
        except (OSError, ValueError):
            continue
    return total


FASTEST = [0.0]  # the fastest run of the last `timed` call


def timed(fn: Callable[[], object], repeat: int) -> tuple[float, float]:
    """(median seconds, peak MB of the process tree during the runs); the fastest run in FASTEST."""
    times = []
    with PeakRss() as rss:
        for _ in range(repeat):
            started = time.perf_counter()
            fn()
            times.append(time.perf_counter() - started)
    FASTEST[0] = min(times)
    return statistics.median(times), rss.peak / 2**20


def fastest_ms() -> str:
    """The fastest run of the last timed function: on a shared VM the median carries its neighbours' load."""
    return f"fastest {FASTEST[0] * 1000:.0f} ms"


def sh(*args: str, cwd: Path, ok: tuple[int, ...] = (0,)) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(list(args), cwd=cwd, capture_output=True, text=True, check=False)
    if result.returncode not in ok:
        raise SystemExit(f"{' '.join(args)} exited {result.returncode}:\n{result.stderr[-3000:]}")
    return result


def installed(work: Path) -> tuple[str, str]:
    """mlopsc as pre-commit installs it (`pip install` of the repository into a fresh venv: no editable
    finder, bytecode compiled at install); the development venv's when that install fails."""
    venv = work / "installed"
    try:
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, capture_output=True, timeout=120)
        subprocess.run(
            [str(venv / "bin" / "pip"), "install", "-q", str(ROOT)], check=True, capture_output=True, timeout=600
        )
    except (subprocess.SubprocessError, OSError) as exc:
        print(f"installing into a fresh venv failed ({exc}); timing the development venv", file=sys.stderr)
        return MLOPSC, "development venv (editable install)"
    return str(venv / "bin" / "mlopsc"), "`pip install .` into a fresh venv"


def floor(specs: list[Path], out: Path) -> float:
    """PyYAML's C loader composing every input (with marks) + its C dumper / json dumping every output."""
    rendered = [p for p in sorted(out.rglob("*")) if p.is_file()]
    bodies = []
    for p in rendered:
        text = p.read_text(encoding="utf-8")
        if p.suffix == ".json":
            bodies.append(("json", json.loads(text)))
        elif p.suffix == ".yaml":
            bodies.append(("yaml", yaml.load(text, Loader=yaml.CSafeLoader)))
    texts = [p.read_text(encoding="utf-8") for p in specs]
    started = time.perf_counter()
    for text in texts:
        yaml.compose(text, Loader=yaml.CSafeLoader)
    for kind, body in bodies:
        if kind == "json":
            json.dumps(body, indent=2, sort_keys=True)
        else:
            yaml.dump(body, Dumper=yaml.CSafeDumper, sort_keys=True, default_flow_style=False, width=1_000_000)
    return time.perf_counter() - started


# --- the run -------------------------------------------------------------------------------------------


def machine() -> str:
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (
        f"{os.cpu_count()} CPUs ({model}), Python {platform.python_version()}, {platform.system()} {platform.release()}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--specs", type=int, default=1000)
    parser.add_argument("--large", type=int, default=5000, help="the linearity run (0 to skip)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--large-repeat", type=int, default=1, help="repeats of the linearity run")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--markdown", type=Path, help="write the results page here")
    args = parser.parse_args()
    if args.quick:
        args.specs, args.large, args.repeat = 200, 0, 1
    rows: list[tuple[str, str, str, str]] = []

    def row(what: str, value: str, goal: str = "", verdict: str = "") -> None:
        rows.append((what, value, goal, verdict))
        print(f"{what:<62} {value:>16} {goal:>10} {verdict}", flush=True)

    with tempfile.TemporaryDirectory(prefix="mlopsc-bench-") as tmp:
        work = Path(tmp)
        one = work / "one"
        (one / "m").mkdir(parents=True)
        shutil.copy(ROOT / "mlops.yaml", one / "m" / "mlops.yaml")
        spec = "m/mlops.yaml"
        hook, hook_label = installed(work)
        probe = sh(hook, "validate", spec, cwd=one, ok=(0, 1))
        renders = probe.returncode == 0
        schema = one / "schema.json"
        schema.write_text(sh(hook, "schema", cwd=one).stdout)

        def verdict(value: float, goal: float) -> str:
            return "meets" if value <= goal else f"misses by {value / goal:.1f}x"

        n = max(args.repeat * 5, 10)
        t, _ = timed(lambda: sh(sys.executable, "-c", "pass", cwd=one), n)
        row(f"python -c pass (interpreter start, the floor of any hook; {fastest_ms()})", f"{t * 1000:.0f} ms")
        t_validate, _ = timed(lambda: sh(hook, "validate", spec, cwd=one, ok=(0, 1)), n)
        note = "" if renders else " (some targets refuse: exit 1)"
        row(
            f"pre-commit: mlopsc validate, one spec{note}; mlopsc from {hook_label} ({fastest_ms()})",
            f"{t_validate * 1000:.0f} ms",
            "250 ms",
            verdict(t_validate, GOALS["pre-commit"]),
        )
        t_policy, _ = timed(lambda: sh(hook, "policy", spec, cwd=one, ok=(0, 1)), n)
        row(
            f"pre-commit: mlopsc policy (validate + policy rules), one spec ({fastest_ms()})",
            f"{t_policy * 1000:.0f} ms",
            "250 ms",
            verdict(t_policy, GOALS["pre-commit"]),
        )
        cj = BIN / "check-jsonschema"
        if cj.exists():
            t_cj, _ = timed(lambda: sh(str(cj), "--schemafile", str(schema), spec, cwd=one, ok=(0, 1)), n)
            row(
                f"check-jsonschema --schemafile <(mlopsc schema), same spec (validation only; {fastest_ms()})",
                f"{t_cj * 1000:.0f} ms",
            )
        else:
            row("check-jsonschema (not installed: skipped)", "-")
        t_dev, _ = timed(lambda: sh(MLOPSC, "validate", spec, cwd=one, ok=(0, 1)), n)
        row("mlopsc validate, one spec, development venv (editable install)", f"{t_dev * 1000:.0f} ms")

        linear: dict[int, dict[str, float]] = {}
        cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
        fresh = iter(range(1_000_000))
        # The large run first: the runs that delete a tree (compile into an existing one) come last.
        # On this VM's disk (ext4 mounted with `discard`) creating files right after deleting many costs
        # ~1 ms of system time per file for a while; each fresh compile gets a never-used folder.
        for count in [c for c in (args.large, args.specs) if c]:
            folder = work / f"n{count}"
            folder.mkdir()
            specs = generate(folder, count)
            goal = count == args.specs
            repeat = args.repeat if goal else args.large_repeat
            per_spec: dict[str, float] = {}
            t_one = 0.0
            out = folder / "out"
            for jobs in (0, 1):
                label = f"{cpus} processes (default --jobs)" if jobs == 0 else "1 process (--jobs 1)"

                def cli_compile(folder: Path = folder, jobs: int = jobs) -> None:
                    nonlocal out
                    out = folder / f"out{next(fresh)}"
                    sh(hook, "compile", ".", "--out", out.name, "--jobs", str(jobs), cwd=folder)  # exit 0 or stop

                t_cli, rss_cli = timed(cli_compile, repeat)
                per_spec[label] = t_cli / count
                files = sum(1 for p in out.rglob("*") if p.is_file())
                row(
                    f"compile {count} specs, `mlopsc compile`, {label}: {files} files",
                    f"{t_cli:.2f} s",
                    "10 s" if goal and jobs == 0 else "",
                    verdict(t_cli, GOALS["compile-1000"] * count / 1000) if jobs == 0 else "",
                )
                row(
                    f"  peak memory (process tree), {count} specs, {label}",
                    f"{rss_cli:.0f} MB",
                    "500 MB" if goal else "",
                    verdict(rss_cli, GOALS["rss-1000"]) if goal else "",
                )
                if jobs == 1:
                    t_one = t_cli
            linear[count] = per_spec
            t_validate_n, _ = timed(lambda folder=folder: sh(hook, "validate", ".", cwd=folder, ok=(0, 1)), repeat)
            row(f"validate {count} specs (the compile without writing), {cpus} processes", f"{t_validate_n:.2f} s")
            t_floor = statistics.median(floor(specs, out) for _ in range(repeat))
            row(f"floor: PyYAML C compose of {count} specs + C dump of their outputs", f"{t_floor:.2f} s")
            row(
                f"  compile (1 process) / floor, {count} specs",
                f"{t_one / t_floor:.1f}x",
                "3x" if goal else "",
                verdict(t_one / t_floor, GOALS["floor-multiple"]),
            )
            if goal:
                name = out.name
                t_check, _ = timed(
                    lambda folder=folder, name=name: sh(hook, "check", ".", "--out", name, cwd=folder, ok=(0, 1)),
                    repeat,
                )
                row(
                    f"check {count} specs against an up-to-date tree ({cpus} processes)",
                    f"{t_check:.2f} s",
                    "10 s",
                    verdict(t_check, GOALS["check-1000"]),
                )
                t_again, _ = timed(
                    lambda folder=folder, name=name: sh(hook, "compile", ".", "--out", name, cwd=folder, ok=(0, 1)),
                    repeat,
                )
                row(
                    f"compile {count} specs into the existing tree (atomic swap, old tree deleted; {cpus} processes)",
                    f"{t_again:.2f} s",
                )
        if len(linear) == 2:
            small, large = sorted(linear)
            for label in linear[small]:
                ratio = linear[large][label] / linear[small][label]
                row(
                    f"linearity, {label}: time per spec at {large} / at {small} specs",
                    f"{ratio:.2f}",
                    "1.0 (linear)",
                    "linear" if ratio <= 1.15 else f"grows {ratio:.2f}x per spec",
                )

    header = f"Machine: {machine()}. Command: `{' '.join([Path(sys.executable).name, *sys.argv])}`."
    print(header)
    if args.markdown:
        table = ["| measurement | median | goal | |", "|---|---:|---:|---|"]
        table += [f"| {w} | {v} | {g} | {d} |" for w, v, g, d in rows]
        page = args.markdown.read_text(encoding="utf-8") if args.markdown.exists() else ""
        start, end = "<!-- bench:start -->", "<!-- bench:end -->"
        block = f"{start}\n{header}\n\n" + "\n".join(table) + f"\n{end}"
        if start in page and end in page:
            page = page[: page.index(start)] + block + page[page.index(end) + len(end) :]
        else:
            page += "\n" + block + "\n"
        args.markdown.write_text(page, encoding="utf-8")


if __name__ == "__main__":
    main()
