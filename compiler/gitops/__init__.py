"""GitOps workflow around the compiler: the rendered tree as the source of truth.

- `render.py`: render specs in memory, exactly as `mlopsc compile` would write them.
- `tree.py`: which files under --out mlopsc generated (its header, or the JSON sidecar).
- `check.py`: `mlopsc check`: compare a rendered tree with the specs, print a unified diff, `--fix` it.
- `gitbase.py` and `semdiff.py`: `mlopsc diff --base REF`: what changed, per environment, model and
  platform, in words a reviewer cares about.
- `rollout.py`: `mlopsc rollout next|promote|abort`: move `rollout.traffic` in mlops.yaml, in place.
- `annotations.py`, `summary.py` and `action.py`: the GitHub Action (annotations, job summary, outputs).
"""
