"""Write a rendered tree under --out: only after a clean compile, one platform folder at a time.

Each `<env>/<model>/<platform>/` folder is rendered into a temporary folder beside it and swapped
in with renames, so a reader sees the old folder or the new one; files in it that the new render
does not produce (a platform file dropped from the spec) go with the old folder. Nothing outside
the folders this run renders is touched, except each environment's index `kustomization.yaml`.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path

from mlopsc.compiler import __version__
from mlopsc.compiler.ir import Json, RenderedFile
from mlopsc.compiler.serialize import GENERATED_MARK, dump_yaml


class WriteError(Exception):
    pass


def environment_indexes(files: Iterable[RenderedFile], out: Path | None) -> list[RenderedFile]:
    """`<env>/kustomization.yaml` listing every KServe folder of that environment (and only those).

    Folders rendered by earlier runs into the same --out (other models) are kept in the list when
    their kustomization.yaml carries mlopsc's header.
    """
    folders: dict[str, set[str]] = defaultdict(set)
    for f in files:
        if f.platform == "kserve" and f.path.endswith("/kustomization.yaml"):
            env, model = f.path.split("/")[:2]
            folders[env].add(f"{model}/kserve")
    if out is not None and out.is_dir():
        for env in list(folders):
            for existing in sorted((out / env).glob("*/kserve/kustomization.yaml")):
                if GENERATED_MARK in existing.read_text(encoding="utf-8", errors="replace")[:200]:
                    folders[env].add(f"{existing.parent.parent.name}/kserve")
    out_files = []
    for env, models in sorted(folders.items()):
        resources: list[Json] = sorted(models)
        body: dict[str, Json] = {
            "apiVersion": "kustomize.config.k8s.io/v1beta1",
            "kind": "Kustomization",
            "resources": resources,
        }
        content = (
            f"# {GENERATED_MARK} {__version__}: the KServe folders of environment `{env}`, for Argo CD or "
            "Flux. Do not edit.\n" + dump_yaml(body)
        )
        out_files.append(RenderedFile(f"{env}/kustomization.yaml", content, "kserve", env, "", "Kustomization"))
    return out_files


def write_tree(files: list[RenderedFile], out: Path) -> list[str]:
    """Write the files; return the paths written (relative to out)."""
    out.mkdir(parents=True, exist_ok=True)
    root = out.resolve()
    groups: dict[str, list[RenderedFile]] = defaultdict(list)
    singles: list[RenderedFile] = []
    for f in files:
        parts = f.path.split("/")
        if any(p in ("", ".", "..") for p in parts) or f.path.startswith("/"):
            raise WriteError(f"refusing to write outside --out: {f.path}")
        if len(parts) == 4:
            groups["/".join(parts[:3])].append(f)
        else:
            singles.append(f)
    written: list[str] = []
    for folder, members in sorted(groups.items()):
        target = root / folder
        _no_symlinks(root, target)
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".mlopsc-new-", dir=target.parent))
        for f in sorted(members, key=lambda m: m.path):
            (staging / f.path.split("/")[-1]).write_text(f.content, encoding="utf-8", newline="\n")
            written.append(f.path)
        if target.exists():
            trash = Path(tempfile.mkdtemp(prefix=".mlopsc-old-", dir=target.parent))
            os.replace(target, trash / "old")
            os.replace(staging, target)
            shutil.rmtree(trash)
        else:
            os.replace(staging, target)
    for f in singles:
        target = root / f.path
        _no_symlinks(root, target)
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".mlopsc-", dir=target.parent)
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(f.content)
        os.replace(tmp, target)
        written.append(f.path)
    return sorted(written)


def _no_symlinks(root: Path, target: Path) -> None:
    """Never follow a symlink under --out: it could point anywhere."""
    current = root
    for part in target.relative_to(root).parts:
        current = current / part
        if current.is_symlink():
            raise WriteError(f"refusing to write through the symlink {current}")
