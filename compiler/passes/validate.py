"""validate: the parsed document -> one typed effective spec per environment.

Each environment's entry is deep-merged over the base, then checked: by the generated fast checker
(`spec/fast.py`, no pydantic) when the document is valid, else by the pydantic model, whose every
error becomes a diagnostic at the node that caused it (in the override when the override wrote it).
Cross-field checks follow in ``crosscheck``.
"""

from __future__ import annotations

import difflib
import types
import typing
from collections.abc import Mapping
from typing import Any

from mlopsc.compiler.diagnostics import Diagnostic, Severity
from mlopsc.compiler.ir import Environment, Finding, Options, Parsed, Unit, Validated
from mlopsc.compiler.passes.crosscheck import crosscheck
from mlopsc.compiler.passes.platform_refs import platform_secret_references
from mlopsc.compiler.source import Path_
from mlopsc.compiler.spec.fast import check
from mlopsc.compiler.spec.merge import deep_merge
from mlopsc.compiler.spec.patterns import ENVIRONMENT_NAME
from mlopsc.compiler.spec.typed import Spec
from mlopsc.compiler.yamlnodes import HugeNumber

DEFAULT_ENVIRONMENT = "default"


def validate(parsed: Parsed, options: Options) -> Validated:
    unit = parsed.unit
    document = dict(parsed.document)
    diagnostics: list[Diagnostic] = []
    raw_envs = document.pop("environments", None)
    overrides: list[tuple[str, Mapping[str, object]]] = []
    if raw_envs is None:
        overrides.append((DEFAULT_ENVIRONMENT, {}))
    elif not isinstance(raw_envs, Mapping) or not raw_envs:
        diagnostics.append(
            unit.diagnostic(
                Finding(
                    "E103",
                    Severity.ERROR,
                    "`environments` must be a mapping of environment names to overrides",
                    ("environments",),
                    "for example `environments: {staging: {governance: {level: staging}}, production: {}}`",
                )
            )
        )
    else:
        for name, override in raw_envs.items():
            if not ENVIRONMENT_NAME.match(name):
                diagnostics.append(
                    unit.diagnostic(
                        Finding(
                            "E105",
                            Severity.ERROR,
                            f"environment name `{name}` is not a valid folder name",
                            ("environments", name),
                            "use lowercase letters, digits and '-', starting with a letter",
                        ),
                        at_key=True,
                    )
                )
            elif override is not None and not isinstance(override, Mapping):
                diagnostics.append(
                    unit.diagnostic(
                        Finding(
                            "E103",
                            Severity.ERROR,
                            f"environment `{name}` must be a mapping of overrides (or `{{}}`)",
                            ("environments", name),
                        )
                    )
                )
            elif isinstance(override, Mapping) and "environments" in override:
                diagnostics.append(
                    unit.diagnostic(
                        Finding(
                            "E101",
                            Severity.ERROR,
                            "environments cannot be nested",
                            ("environments", name, "environments"),
                        ),
                        at_key=True,
                    )
                )
            else:
                overrides.append((name, override or {}))
    for wanted in options.environments:
        if wanted not in {name for name, _ in overrides}:
            known = ", ".join(name for name, _ in overrides) or "none"
            diagnostics.append(
                unit.diagnostic(
                    Finding(
                        "E111",
                        Severity.ERROR,
                        f"environment `{wanted}` is not defined in this spec (defined: {known})",
                        ("environments",) if raw_envs is not None else (),
                        "check --env",
                    )
                )
            )

    diagnostics.extend(unit.diagnostic(f) for f in platform_secret_references(parsed.document))
    environments: list[Environment] = []
    for name, override in overrides:
        if options.environments and name not in options.environments:
            continue
        merged = deep_merge(document, override)
        spec = check(merged)
        if spec is None:
            spec, problems = _with_pydantic(unit, merged, name)
            diagnostics.extend(problems)
            if spec is None:
                continue
        findings = crosscheck(spec)
        diagnostics.extend(unit.diagnostic(f, name) for f in findings)
        if not any(f.severity is Severity.ERROR for f in findings):
            environments.append(Environment(name, spec, merged, override if raw_envs is not None else None))
    return Validated(unit, tuple(environments), parsed.diagnostics + tuple(diagnostics))


# --- pydantic: the errors, and what the fast checker left to it ---------------------------------------


def _with_pydantic(unit: Unit, merged: dict[str, object], environment: str) -> tuple[Spec | None, list[Diagnostic]]:
    """The pydantic model decides (~300 ms to build, so only here): its errors become diagnostics; a
    document it accepts (a form the fast checker leaves to it) becomes the same typed spec."""
    from pydantic import ValidationError

    from mlopsc.compiler.spec import model

    try:
        validated = model.Spec.model_validate(merged)
    except ValidationError as exc:
        errors = typing.cast(list[dict[str, Any]], exc.errors(include_url=False, include_context=True))
        return None, _from_pydantic(unit, merged, errors, environment, model.Spec)
    adopted = _adopt(validated)
    assert isinstance(adopted, Spec)
    return adopted, []


def _adopt(value: object) -> object:
    """A pydantic model instance as the dataclass of the same name in `typed`, recursively."""
    from pydantic import BaseModel

    from mlopsc.compiler.spec import typed

    if isinstance(value, BaseModel):
        cls = getattr(typed, type(value).__name__)
        fields = {name: _adopt(getattr(value, name)) for name in type(value).model_fields}
        return cls(**fields, written=frozenset(value.model_fields_set))
    if isinstance(value, list):
        return [_adopt(item) for item in value]
    if isinstance(value, dict):
        return {key: _adopt(item) for key, item in value.items()}
    return value


# --- pydantic errors -> diagnostics -------------------------------------------------------------------

_TYPE_WORDS = {
    "string_type": "a string",
    "int_type": "a whole number",
    "float_type": "a number",
    "bool_type": "true or false",
    "dict_type": "a mapping",
    "list_type": "a list",
    "model_type": "a mapping",
    "model_attributes_type": "a mapping",
    "int_from_float": "a whole number",
    "date_type": "a date (YYYY-MM-DD)",
    "datetime_type": "a date and time",
    "is_instance_of": "one of the listed values",
}


def _from_pydantic(
    unit: Unit, document: Mapping[str, object], errors: list[dict[str, Any]], environment: str | None, root: type
) -> list[Diagnostic]:
    by_path: dict[Path_, list[tuple[dict[str, Any], bool]]] = {}
    for error in errors:
        path, is_key, from_union = _document_path(document, tuple(error["loc"]))
        by_path.setdefault(path, []).append((error, is_key or error["type"] == "extra_forbidden"))
        if from_union:
            by_path[path][-1][0]["_union"] = True
    # A union branch that cannot fit the value's shape (`str` for a mapping) is noise when another branch
    # got further into the value: report where that branch failed (`{secret: ../x}` -> the secret's name).
    for path in list(by_path):
        value = _value_at(document, path)
        deeper = any(p[: len(path)] == path and len(p) > len(path) for p in by_path)
        if isinstance(value, Mapping) and deeper:
            kept = [(e, k) for e, k in by_path[path] if not (e.get("_union") and e["type"] == "string_type")]
            if kept:
                by_path[path] = kept
            else:
                del by_path[path]
    out: list[Diagnostic] = []
    for path, items in by_path.items():
        if len(items) > 1 and all(e.get("_union") for e, _ in items):
            value = _value_at(document, path)
            shapes = "; ".join(sorted({_message(e, path, root)[1] for e, _ in items}))
            finding = Finding(
                "E103",
                Severity.ERROR,
                f"{_show(value)} matches none of the accepted forms: {shapes}",
                path,
                "a plain string, or `{secret: <name of a secrets entry>}`",
            )
            out.append(unit.diagnostic(finding, environment))
            continue
        for error, at_key in items:
            code, message, hint = (
                _message(error, path, root)[0],
                _message(error, path, root)[1],
                _hint(error, path, root),
            )
            out.append(unit.diagnostic(Finding(code, Severity.ERROR, message, path, hint), environment, at_key=at_key))
    return out


def _document_path(document: object, loc: tuple[object, ...]) -> tuple[Path_, bool, bool]:
    """Follow a pydantic location through the document, dropping union-branch tags."""
    path: list[str | int] = []
    node = document
    is_key = False
    from_union = False
    for part in loc:
        if part == "[key]":
            is_key = True
            continue
        child = _child(node, part)
        if child is not _MISSING:
            path.append(part)  # type: ignore[arg-type]
            node = child
        elif (
            isinstance(node, Mapping)
            and isinstance(part, str)
            and part[:1].islower()
            and "[" not in part
            and not part.startswith(("function-", "str", "int", "float", "bool", "list", "dict", "is-instance"))
        ):
            path.append(part)  # a missing or unknown key: the path names it
            node = None
        else:
            from_union = True  # a union branch name such as `str` or `SecretRef`
    return tuple(path), is_key, from_union


def _message(error: dict[str, Any], path: Path_, root: type) -> tuple[str, str]:
    kind: str = error["type"]
    where = _where(path[:-1])
    field = str(path[-1]) if path else "document"
    value = error.get("input")
    if kind == "extra_forbidden":
        return "E101", f"unknown field `{field}`{where}"
    if kind == "missing":
        return "E102", f"missing required field `{field}`{where}"
    if kind == "string_pattern_mismatch":
        from mlopsc.compiler.spec.patterns import PATTERN_HELP

        pattern = error.get("ctx", {}).get("pattern", "")
        return "E105", f"{_show(value)} is not {PATTERN_HELP.get(pattern, 'valid here (pattern ' + pattern + ')')}"
    if kind == "value_error":
        text = str(error["msg"]).removeprefix("Value error, ")
        code = "E104" if "is not one of" in text else "E105"
        return code, text
    if kind in (
        "greater_than",
        "greater_than_equal",
        "less_than",
        "less_than_equal",
        "too_short",
        "too_long",
        "string_too_short",
        "string_too_long",
    ):
        return "E106", f"{_show(value)} is out of range for `{field}`: {str(error['msg']).lower()}"
    if kind in (
        "timezone_aware",
        "datetime_from_date_parsing",
        "datetime_parsing",
        "date_parsing",
        "date_from_datetime_parsing",
    ):
        return "E105", f"{_show(value)} is not valid for `{field}`: {str(error['msg']).lower()}"
    expected = _TYPE_WORDS.get(kind)
    if expected:
        return "E103", f"`{field}` must be {expected}, not {_type_name(value)}"
    return "E105", f"`{field}`: {error['msg']}"


def _hint(error: dict[str, Any], path: Path_, root: type) -> str:
    kind = error["type"]
    if kind == "extra_forbidden" and path:
        allowed = sorted(_fields_at(root, path[:-1]))
        close = difflib.get_close_matches(str(path[-1]), allowed, n=1, cutoff=0.6)
        listing = ", ".join(allowed)
        if close:
            return f"did you mean `{close[0]}`? fields here: {listing}"
        return f"fields here: {listing}" if allowed else "remove it"
    if kind == "missing":
        return f"add `{path[-1]}`" + (f" under `{_dotted(path[:-1])}`" if path[:-1] else " at the top level")
    if kind in ("float_type", "int_type") and isinstance(error.get("input"), str):
        return "write the number without quotes"
    if kind == "string_type" and isinstance(error.get("input"), int | float):
        return "quote the value so YAML keeps it as text"
    if kind == "string_pattern_mismatch":
        from mlopsc.compiler.spec.patterns import PATTERN_HINTS

        return PATTERN_HINTS.get(error.get("ctx", {}).get("pattern", ""), "")
    if kind == "value_error" and "is not a valid cron expression" in str(error["msg"]):
        from mlopsc.compiler.spec.patterns import CRON_HINT

        return CRON_HINT
    return ""


def _fields_at(root: type, path: Path_) -> set[str]:
    """The field names the model accepts at ``path`` (for "did you mean")."""
    from pydantic import BaseModel

    annotation: Any = root
    for part in path:
        annotation = _unwrap(annotation)
        if isinstance(annotation, type) and issubclass(annotation, BaseModel) and isinstance(part, str):
            info = annotation.model_fields.get(part)
            if info is None:
                return set()
            annotation = info.annotation
        elif typing.get_origin(annotation) is list:
            annotation = typing.get_args(annotation)[0]
        elif typing.get_origin(annotation) is dict:
            annotation = typing.get_args(annotation)[1]
        else:
            return set()
    annotation = _unwrap(annotation)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return set(annotation.model_fields)
    return set()


def _unwrap(annotation: Any) -> Any:
    from pydantic import BaseModel

    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(annotation) if a is not type(None)]
            models = [a for a in args if isinstance(a, type) and issubclass(a, BaseModel)]
            annotation = models[0] if models else args[0]
        else:
            return annotation


def _value_at(document: object, path: Path_) -> object:
    node = document
    for part in path:
        node = _child(node, part)
        if node is _MISSING:
            return None
    return node


_MISSING = object()


def _child(node: object, part: object) -> object:
    """node[part] for a mapping key or list index that exists, else _MISSING."""
    if isinstance(node, Mapping) and isinstance(part, str) and part in node:
        return node[part]
    if isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
        return node[part]
    return _MISSING


def _where(path: Path_) -> str:
    return f" in `{_dotted(path)}`" if path else ""


def _dotted(path: Path_) -> str:
    from mlopsc.compiler.diagnostics import dotted

    return dotted(path)


def _type_name(value: object) -> str:
    if value is None:
        return "empty (null)"
    if isinstance(value, bool):
        return f"a boolean ({str(value).lower()})"
    if isinstance(value, int | float):
        return f"a number ({value})"
    if isinstance(value, HugeNumber):
        return value.describe()
    if isinstance(value, str):
        return f"a string ({_show(value)})"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, Mapping):
        return "a mapping"
    return type(value).__name__


def _show(value: object) -> str:
    text = str(getattr(value, "raw", value))
    if len(text) > 60:
        text = text[:57] + "..."
    return f"`{text}`"
