"""The error kinds Python documents (the stub's ``_ErrorKind`` and the README's list) are the
core's ``ErrorKind::ALL``, read from the native module's ``error_kinds()``."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import maskinporten
from conftest import REPO
from maskinporten import _native

CORE = maskinporten.error_kinds()


def test_the_core_list_is_whole() -> None:
    assert len(CORE) == len(set(CORE)) > 40
    assert {"wrong_password", "oauth_error", "unavailable", "token_missing", "invalid_requirements"} <= set(CORE)
    source = (REPO / "core" / "src" / "error_kind.rs").read_text()
    assert CORE == re.findall(r'=> "([a-z0-9_]+)",', source), "error_kinds() is ErrorKind::ALL in order"


def test_the_stub_literal_matches() -> None:
    tree = ast.parse(Path(_native.__file__).with_name("_native.pyi").read_text())
    alias = next(
        node
        for node in tree.body
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "_ErrorKind" for t in node.targets)
    )
    assert isinstance(alias.value, ast.Subscript) and isinstance(alias.value.slice, ast.Tuple)
    assert [ast.literal_eval(element) for element in alias.value.slice.elts] == CORE


def test_the_readme_list_matches() -> None:
    text = (REPO / "python" / "README.md").read_text()
    block = text.split("<!-- kinds -->", 1)[1].split("<!-- /kinds -->", 1)[0]
    assert re.findall(r"`([a-z0-9_]+)`", block) == CORE


def test_raised_kinds_are_known() -> None:
    errors = []
    for attempt in (
        lambda: maskinporten.Key.from_pkcs12(b"not a keystore", "p"),
        lambda: maskinporten.bearer_token(None),
        lambda: maskinporten.Requirements(),
        lambda: maskinporten.parse_token_response(503, b"", None, now=1_767_225_600),
    ):
        try:
            attempt()
        except maskinporten.MaskinportenError as error:
            errors.append(error.kind)
    assert len(errors) == 4 and set(errors) <= set(CORE)
