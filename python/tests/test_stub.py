"""The stub (`_native.pyi`) must describe the real native module: every public name, class,
method, property and parameter (names, kinds, defaults). A drift fails here."""

from __future__ import annotations

import ast
import inspect
import sys
from pathlib import Path
from typing import Any

import maskinporten
from maskinporten import _native

STUB = Path(_native.__file__).with_name("_native.pyi")


def _public(name: str) -> bool:
    return not name.startswith("_") or name in ("__version__", "__init__")


def _stub_module() -> ast.Module:
    assert STUB.exists(), f"{STUB} is not installed with the package"
    return ast.parse(STUB.read_text())


def _stub_names(tree: ast.Module) -> dict[str, ast.AST]:
    names: dict[str, ast.AST] = {}
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names[node.name] = node
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names[node.target.id] = node
        elif isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    names[target.id] = node
    return {n: v for n, v in names.items() if _public(n) and n != "__init__"}


def _stub_params(fn: ast.FunctionDef, drop_first: bool) -> list[tuple[str, str, Any]]:
    args = fn.args
    positional = args.posonlyargs + args.args
    defaults: list[Any] = [inspect.Parameter.empty] * (len(positional) - len(args.defaults)) + [
        ast.literal_eval(d) for d in args.defaults
    ]
    params = [(a.arg, "positional", d) for a, d in zip(positional, defaults)]
    params += [
        (a.arg, "keyword", inspect.Parameter.empty if d is None else ast.literal_eval(d))
        for a, d in zip(args.kwonlyargs, args.kw_defaults)
    ]
    return params[1:] if drop_first else params


def _runtime_params(obj: Any) -> list[tuple[str, str, Any]]:
    text = getattr(obj, "__text_signature__", None)
    if isinstance(obj, type) and text:
        # Python 3.9 cannot read a native class's signature; parse its __text_signature__.
        fn = ast.parse(f"def f{text.replace('$', '')}: pass").body[0]
        assert isinstance(fn, ast.FunctionDef)
        return _stub_params(fn, text.lstrip("(").startswith(("$self", "self")))
    signature = inspect.signature(obj)
    out = []
    for p in signature.parameters.values():
        if p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
            raise AssertionError(f"{obj!r} has *args/**kwargs: give it a #[pyo3(signature = ...)]")
        kind = "keyword" if p.kind == p.KEYWORD_ONLY else "positional"
        out.append((p.name, kind, p.default))
    return out


def _is_static(fn: ast.FunctionDef) -> bool:
    return any(isinstance(d, ast.Name) and d.id == "staticmethod" for d in fn.decorator_list)


def _is_property(fn: ast.FunctionDef) -> bool:
    return any(isinstance(d, ast.Name) and d.id == "property" for d in fn.decorator_list)


def test_module_names_match() -> None:
    stub = set(_stub_names(_stub_module()))
    runtime = {n for n in dir(_native) if _public(n)}
    assert stub - runtime == set(), "in the stub, not in the module"
    assert runtime - stub == set(), "in the module, not in the stub"


def test_package_exports_everything_native() -> None:
    for name in _stub_names(_stub_module()):
        assert hasattr(maskinporten, name), name


def test_functions_match() -> None:
    for name, node in _stub_names(_stub_module()).items():
        if isinstance(node, ast.FunctionDef):
            assert _stub_params(node, False) == _runtime_params(getattr(_native, name)), name


def test_classes_match() -> None:
    checked = 0
    for name, node in _stub_names(_stub_module()).items():
        if not isinstance(node, ast.ClassDef):
            continue
        cls = getattr(_native, name)
        assert isinstance(cls, type), name
        stub_members = {f.name: f for f in node.body if isinstance(f, ast.FunctionDef)}
        if issubclass(cls, BaseException):
            # Exceptions: attributes are annotations on the base; checked in test_errors.
            continue
        runtime_members = {
            n for n, v in vars(cls).items() if not n.startswith("_") and not isinstance(v, type)
        }
        stub_public = {n for n in stub_members if not n.startswith("_")}
        assert stub_public == runtime_members, f"{name}: stub {sorted(stub_public)} vs module {sorted(runtime_members)}"
        for member_name, fn in stub_members.items():
            if member_name.startswith("__") and member_name != "__init__":
                assert hasattr(cls, member_name), f"{name}.{member_name}"
                continue
            if member_name == "__init__":
                if sys.version_info < (3, 10) and cls.__text_signature__ is None:
                    # abi3 on 3.9 exposes no constructor signature for native classes; the
                    # constructors are checked on 3.10+ (the suite's main interpreter).
                    continue
                assert _stub_params(fn, True) == _runtime_params(cls), f"{name}()"
                continue
            attribute = inspect.getattr_static(cls, member_name)
            if _is_property(fn):
                assert inspect.isdatadescriptor(attribute), f"{name}.{member_name} is not a property"
                continue
            assert _is_static(fn) == isinstance(attribute, staticmethod) or _is_static(fn) == (
                not inspect.ismethoddescriptor(attribute)
            ), f"{name}.{member_name}: static in one, not the other"
            bound = getattr(cls, member_name)
            stub = _stub_params(fn, not _is_static(fn))
            runtime = _runtime_params(bound)
            if not _is_static(fn) and runtime and runtime[0][0] == "self":
                runtime = runtime[1:]
            assert stub == runtime, f"{name}.{member_name}: stub {stub} vs module {runtime}"
            checked += 1
    assert checked > 30


def test_classes_without_constructor_refuse_construction() -> None:
    """Classes whose stub has no __init__ must not be constructible from Python either."""
    for name, node in _stub_names(_stub_module()).items():
        if isinstance(node, ast.ClassDef) and not any(
            isinstance(f, ast.FunctionDef) and f.name == "__init__" for f in node.body
        ):
            cls = getattr(_native, name)
            if issubclass(cls, BaseException):
                continue
            try:
                cls()
            except TypeError:
                continue
            raise AssertionError(f"{name}() works but the stub has no __init__")


def test_stub_and_py_typed_installed() -> None:
    assert STUB.exists()
    assert STUB.with_name("py.typed").exists()


def test_installed_package_not_source_tree() -> None:
    assert "site-packages" in maskinporten.__file__, maskinporten.__file__
