"""Every scenario of tests/vectors/flows.json through the real providers and validator: the
sync ``TokenProvider`` with threads, the ``AsyncTokenProvider`` with tasks, the
``TokenValidator`` with threads. A fake clock (Unix ms) set per phase and moved by the injected
sleep, the document's fixed jitter, and a scripted transport (answers in order; failures raised
as ``TransportError``, the transports' own failure path). Checked as the reference executor
(tests/vectors-gen/src/flow_runner.rs, ``check_scenario``) checks: requests sent, sleeps, and
every caller's result."""

from __future__ import annotations

import asyncio
import json
import threading
from typing import Any, Callable, Iterator, Optional

import pytest

import maskinporten
from conftest import VECTORS

DOC = json.loads((VECTORS / "flows.json").read_text())
TOKEN = DOC["token_scenarios"]
#: Exchange scenarios: the same, every caller asking for an Altinn token (``altinn=``).
EXCHANGE = DOC["exchange_scenarios"]
SCENARIOS = [(s, False) for s in TOKEN] + [(s, True) for s in EXCHANGE]
IDS = [s["name"] for s in TOKEN] + [f"exchange:{s['name']}" for s in EXCHANGE]
VALIDATION = DOC["validation_scenarios"]


class Clock:
    """The scenario's clock: set at each phase's start, moved only by the provider's sleeps."""

    def __init__(self) -> None:
        self.now = DOC["start_ms"]
        self.sleeps: list[int] = []

    def __call__(self) -> int:
        return int(self.now)

    def slept(self, seconds: float) -> None:
        ms = round(seconds * 1000)
        self.sleeps.append(ms)
        self.now += ms


class Script:
    """A phase's scripted answers, in order; running out (or answers left) fails the scenario."""

    def __init__(self, answers: list[dict[str, Any]]) -> None:
        self.answers: Iterator[dict[str, Any]] = iter(answers)
        self.left = len(answers)
        self.requests = 0
        #: What each request was: ``token``, or ``exchange <the bearer token it carries>``.
        self.sent: list[str] = []
        self.lock = threading.Lock()

    def answer(self, request: maskinporten.HttpRequest) -> maskinporten.HttpResponse:
        with self.lock:
            self.requests += 1
            self.sent.append(label(request))
            answer = next(self.answers, None)
            if answer is None:
                raise AssertionError(f"more requests than scripted answers ({request.url})")
            self.left -= 1
        if "failure" in answer:
            raise maskinporten.TransportError(answer["failure"], "scripted")
        body = answer.get("body", "").encode()
        return maskinporten.HttpResponse(answer["status"], body, answer.get("content_type"), answer.get("retry_after"))


def label(request: maskinporten.HttpRequest) -> str:
    if request.method == "POST":
        return "token"
    if request.url != DOC["altinn"]["url"]:
        return f"{request.method} {request.url}"  # a JWKS fetch (or a wrong exchange URL: then "sent" differs)
    assert request.method == "GET", f"the exchange request: {request!r}"
    assert request.body == "", "the exchange has no body"
    bearer = request.headers["Authorization"]
    assert bearer.startswith("Bearer ")
    return f"exchange {bearer[len('Bearer '):]}"


def altinn(exchange: bool) -> Optional[maskinporten.AltinnExchange]:
    spec = DOC["altinn"]
    return maskinporten.AltinnExchange(spec["platform"], test_org=spec["test_org"]) if exchange else None


def token_result(call: Callable[[], maskinporten.AccessToken]) -> dict[str, Any]:
    try:
        return {"token": call().access_token}
    except maskinporten.MaskinportenError as error:
        return {"error": error.kind, "status": error.status, "mp_code": error.mp_code}


def client() -> maskinporten.Client:
    spec = DOC["client"]
    key = maskinporten.Key.from_pkcs12((VECTORS / spec["key"]["file"]).read_bytes(), spec["key"]["password"])
    return maskinporten.Client(spec["client_id"], key, spec["environment"])


def check(scenario: dict[str, Any], index: int, script: Script, clock: Clock, results: list[dict[str, Any]]) -> None:
    phase = scenario["phases"][index]
    expect = phase["expect"]
    where = f"{scenario['name']} phase {index}"
    assert script.left == 0, f"{where}: fewer requests than scripted answers"
    assert script.requests == expect["requests"], where
    if "sleeps_ms" in expect:
        assert clock.sleeps == expect["sleeps_ms"], where
    if "sent" in expect:
        assert script.sent == expect["sent"], where
    assert len(results) == phase["callers"], where
    for result in results:
        assert result == expect["result"], where


@pytest.mark.parametrize("scenario,exchange", SCENARIOS, ids=IDS)
def test_token_scenario_threads(scenario: dict[str, Any], exchange: bool) -> None:
    clock = Clock()
    script: Optional[Script] = None

    def send(request: maskinporten.HttpRequest, timeout: float) -> maskinporten.HttpResponse:
        assert script is not None and timeout > 0
        return script.answer(request)

    provider = maskinporten.TokenProvider(
        client(),
        DOC["client"]["scopes"],
        altinn=altinn(exchange),
        send=send,
        now_ms=clock,
        sleep=clock.slept,
        jitter=lambda: DOC["jitter"],
    )
    for index, phase in enumerate(scenario["phases"]):
        clock.now, clock.sleeps = DOC["start_ms"] + phase["at_ms"], []
        script = Script(phase["answers"])
        results: list[dict[str, Any]] = []
        barrier = threading.Barrier(phase["callers"])

        def caller() -> None:
            barrier.wait()
            if phase["reject"]:
                provider.reject(phase["reject"])
            results.append(token_result(provider.token))

        threads = [threading.Thread(target=caller) for _ in range(phase["callers"])]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        check(scenario, index, script, clock, results)


@pytest.mark.parametrize("scenario,exchange", SCENARIOS, ids=IDS)
def test_token_scenario_tasks(scenario: dict[str, Any], exchange: bool) -> None:
    clock = Clock()
    script: Optional[Script] = None

    async def send(request: maskinporten.HttpRequest, timeout: float) -> maskinporten.HttpResponse:
        assert script is not None and timeout > 0
        await asyncio.sleep(0)  # let the other tasks reach the flow while this one fetches
        return script.answer(request)

    async def sleep(seconds: float) -> None:
        clock.slept(seconds)

    async def run() -> None:
        nonlocal script
        provider = maskinporten.AsyncTokenProvider(
            client(),
            DOC["client"]["scopes"],
            altinn=altinn(exchange),
            send=send,
            now_ms=clock,
            sleep=sleep,
            jitter=lambda: DOC["jitter"],
        )
        for index, phase in enumerate(scenario["phases"]):
            clock.now, clock.sleeps = DOC["start_ms"] + phase["at_ms"], []
            script = Script(phase["answers"])

            async def caller() -> dict[str, Any]:
                if phase["reject"]:
                    provider.reject(phase["reject"])
                try:
                    return {"token": (await provider.token()).access_token}
                except maskinporten.MaskinportenError as error:
                    return {"error": error.kind, "status": error.status, "mp_code": error.mp_code}

            results = await asyncio.wait_for(asyncio.gather(*(caller() for _ in range(phase["callers"]))), 60)
            check(scenario, index, script, clock, list(results))

    asyncio.run(run())


def validation_result(validator: maskinporten.TokenValidator, token: str, requirements: maskinporten.Requirements) -> dict[str, Any]:
    try:
        return {"valid": {"consumer_org": validator.validate(token, requirements).consumer.org_number}}
    except maskinporten.MaskinportenError as error:
        rejection = validator.rejection(error, requirements)
        challenge = rejection.www_authenticate or ""
        code = challenge.split('error="', 1)[1].split('"', 1)[0] if 'error="' in challenge else None
        scope = challenge.split(', scope="', 1)[1].rstrip('"') if ', scope="' in challenge else None
        return {"error": error.kind, "rejection": {"status": rejection.status, "error": code, "scope": scope}}


@pytest.mark.parametrize("scenario", VALIDATION, ids=[s["name"] for s in VALIDATION])
def test_validation_scenario(scenario: dict[str, Any]) -> None:
    clock = Clock()
    script: Optional[Script] = None

    def send(request: maskinporten.HttpRequest, timeout: float) -> maskinporten.HttpResponse:
        assert script is not None and timeout > 0 and request.method == "GET"
        return script.answer(request)

    validator = maskinporten.TokenValidator("test", send=send, now_ms=clock)
    for index, phase in enumerate(scenario["phases"]):
        clock.now, clock.sleeps = DOC["start_ms"] + phase["at_ms"], []
        script = Script(phase["answers"])
        requirements = maskinporten.Requirements(phase["requirements"]["scopes"])
        results: list[dict[str, Any]] = []
        barrier = threading.Barrier(phase["callers"])

        def caller() -> None:
            barrier.wait()
            results.append(validation_result(validator, phase["token"], requirements))

        threads = [threading.Thread(target=caller) for _ in range(phase["callers"])]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        check(scenario, index, script, clock, results)


def test_every_scenario_kind_is_run() -> None:
    """The document has both kinds, and the runners above take every scenario."""
    assert len(TOKEN) >= 17 and len(EXCHANGE) >= 10 and len(VALIDATION) >= 8
    assert {"api_401_twenty_callers", "concurrent_callers_one_fetch", "refresh_ahead_refused"} <= {s["name"] for s in TOKEN}
