"""Shared fixtures: repository paths, vector keys, and the simulator (one per session)."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Iterator

import pytest

REPO = Path(os.environ.get("MASKINPORTEN_REPO", Path(__file__).resolve().parents[2]))
VECTORS = REPO / "tests" / "vectors"
KEYS = VECTORS / "keys"

X5C_CLIENT_ID = "5d1f3a2b-8c4e-4f6a-9b7d-1e2f3a4b5c6d"
KID_CLIENT_ID = "a7c9e1f3-2b4d-4c6e-8f0a-1b3c5d7e9f20"
P12_PASSWORD = "vector-password"
CLIENT_ORG = "311000004"
CONSUMER_ORG = "312000008"
SYSTEM_USER_ORG = "313000001"


def load_vectors(name: str) -> list[dict[str, Any]]:
    path = VECTORS / name
    if not path.exists():
        pytest.fail(f"{path} is missing: generate the vectors with `cargo run -p maskinporten-vectors`")
    cases: list[dict[str, Any]] = json.loads(path.read_text())["cases"]
    return cases


class Simulator:
    """A running simulator: its ready line's fields plus admin helpers (stdlib only)."""

    def __init__(self, process: subprocess.Popen[str], ready: dict[str, Any]) -> None:
        self.process = process
        self.issuer: str = ready["issuer"]
        self.token_endpoint: str = ready["token_endpoint"]
        self.jwks_uri: str = ready["jwks_uri"]
        self.port: int = ready["port"]
        self.altinn_platform: str = ready["altinn_platform"]
        self.base = f"http://127.0.0.1:{self.port}"

    def _admin(self, method: str, path: str, body: Any = None) -> Any:
        import urllib.request

        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.base + path, data=data, method=method)
        if data is not None:
            request.add_header("Content-Type", "application/json")
        with urllib.request.urlopen(request, timeout=10) as response:
            text = response.read()
        return json.loads(text) if text.strip() else None

    def reset(self) -> None:
        self._admin("POST", "/_sim/reset")

    def fault(self, **fault: Any) -> None:
        self._admin("POST", "/_sim/faults", fault)

    def clear_faults(self) -> None:
        self._admin("DELETE", "/_sim/faults")

    def stats(self) -> dict[str, Any]:
        stats: dict[str, Any] = self._admin("GET", "/_sim/stats")
        return stats


@pytest.fixture(scope="session")
def simulator() -> Iterator[Simulator]:
    binary = Path(os.environ.get("MASKINPORTEN_SIMULATOR", REPO / "target" / "debug" / "maskinporten-simulator"))
    config = REPO / "tests" / "simulator" / "e2e.toml"
    if not binary.exists():
        pytest.fail(f"simulator binary {binary} is missing: cargo build -p maskinporten-simulator")
    process = subprocess.Popen(
        [str(binary), "--config", str(config), "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=REPO,
    )
    assert process.stdout is not None
    line = process.stdout.readline()  # blocks until the ready line (or EOF if it died)
    if not line:
        process.kill()
        _, err = process.communicate(timeout=10)
        pytest.fail(f"simulator exited before its ready line: {err[-2000:]}")
    sim = Simulator(process, json.loads(line))
    try:
        yield sim
    finally:
        process.kill()
        process.wait(timeout=10)
        for stream in (process.stdout, process.stderr):
            if stream is not None:
                stream.close()


@pytest.fixture()
def sim(simulator: Simulator) -> Iterator[Simulator]:
    """The session simulator, reset (stats, faults, used jti) before each test."""
    simulator.reset()
    simulator.clear_faults()
    yield simulator
    simulator.clear_faults()


def claims_of(token: str) -> dict[str, Any]:
    part = token.split(".")[1]
    decoded: dict[str, Any] = json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
    return decoded


class Api:
    """A local API: answers 200 with the claims of the bearer token, or 401 `reject` times."""

    def __init__(self) -> None:
        self.seen: list[str] = []
        self.reject = 0
        self.lock = threading.Lock()
        api = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802
                auth = self.headers.get("Authorization", "")
                with api.lock:
                    api.seen.append(auth)
                    reject = api.reject > 0
                    if reject:
                        api.reject -= 1
                if reject or not auth.startswith("Bearer "):
                    self.send_response(401)
                    self.send_header("WWW-Authenticate", 'Bearer error="invalid_token"')
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                body = json.dumps(claims_of(auth[len("Bearer ") :])).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/resource"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()


@pytest.fixture(scope="session")
def api_server() -> Iterator[Api]:
    server = Api()
    yield server
    server.server.shutdown()
    server.server.server_close()


@pytest.fixture()
def api(api_server: Api) -> Api:
    with api_server.lock:
        api_server.seen.clear()
        api_server.reject = 0
    return api_server


