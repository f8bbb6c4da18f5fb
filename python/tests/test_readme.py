"""The README's quickstart blocks run against the simulator, so the docs cannot rot."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

import maskinporten
from conftest import KEYS, P12_PASSWORD, REPO, X5C_CLIENT_ID, Api, Simulator, claims_of

README = REPO / "python" / "README.md"


def blocks() -> dict[str, str]:
    text = README.read_text()
    found = dict(re.findall(r"<!-- test: ([\w-]+) -->\n```python\n(.*?)```", text, re.S))
    assert set(found) == {"quickstart", "sans-io", "root", "self-service"}, found.keys()
    return found


def test_readme_quickstart_runs(
    sim: Simulator, api: Api, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("MASKINPORTEN_P12", str(KEYS / "client.p12"))
    monkeypatch.setenv("MASKINPORTEN_P12_PASSWORD", P12_PASSWORD)
    monkeypatch.setenv("MASKINPORTEN_CLIENT_ID", X5C_CLIENT_ID)
    monkeypatch.setenv("MASKINPORTEN_ENV", sim.issuer)
    monkeypatch.setenv("API_URL", api.url)
    namespace: dict[str, Any] = {}
    code = blocks()
    exec(compile(code["quickstart"], str(README) + ":quickstart", "exec"), namespace)
    assert capsys.readouterr().out.strip() == "200"
    assert len(api.seen) == 1 and api.seen[0].startswith("Bearer ey")
    exec(compile(code["sans-io"], str(README) + ":sans-io", "exec"), namespace)
    assert capsys.readouterr().out.startswith("test:scope.read ")
    assert isinstance(namespace["token"], maskinporten.AccessToken)
    assert sim.stats()["tokens_issued"] == 2
    exec(compile(code["root"], str(README) + ":root", "exec"), {})
    assert capsys.readouterr().out.strip() == "200"
    assert sim.stats()["tokens_issued"] == 3


def test_root_readme_section_is_marked_and_tested() -> None:
    text = README.read_text()
    section = text.split("<!-- root-readme -->", 1)[1].split("<!-- /root-readme -->", 1)[0]
    assert "<!-- test: root -->" in section
    assert not Path(README).with_name("README.rst").exists()


def test_readme_self_service_runs(
    sim: Simulator, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("MASKINPORTEN_ISSUER", sim.issuer)
    monkeypatch.setenv("MASKINPORTEN_P12", str(KEYS / "client.p12"))
    monkeypatch.setenv("MASKINPORTEN_P12_PASSWORD", P12_PASSWORD)
    monkeypatch.setenv("MASKINPORTEN_ADMIN_CLIENT_ID", X5C_CLIENT_ID)
    monkeypatch.setenv("NEW_KEY_PEM", str(KEYS / "other.key.pem"))
    namespace: dict[str, Any] = {}
    exec(compile(blocks()["self-service"], str(README) + ":self-service", "exec"), namespace)
    client_id, kid = capsys.readouterr().out.split()
    assert client_id == namespace["client"].client_id and kid.startswith("mp-")
    assert claims_of(namespace["token"].access_token)["client_id"] == client_id
