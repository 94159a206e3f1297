"""Schemathesis against the app's own OpenAPI document: generated requests, valid and invalid,
to every documented operation, as an admin and as nobody. Zero 5xx, and every response must be
one the document lists, with its content type, headers and shape.

Bounded to stay well under two minutes on a 2-core machine: a few valid and a few invalid
requests per operation, derandomised (the same requests every run, so a failure repeats), no
shrinking. Each operation runs as its own Hypothesis test so one failure does not hide another.
"""

from __future__ import annotations

from typing import Any

import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Ok
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.api.helpers import bearer

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    negative_data_rejection,
]
EXAMPLES_PER_OPERATION = 8
NOT_FUZZED = {
    # Never ends by itself (it follows the alert bus); its refusals are tested on a real server
    # in test_stream_slots.py, its events in test_alert_stream.py.
    "GET /api/alerts/stream",
    # Would revoke the admin's own token halfway through the run.
    "POST /api/auth/logout",
}


def fuzz(app: FastAPI, headers: dict[str, str]) -> list[str]:
    """Every documented operation, fuzzed; the failures, one line each with how to repeat."""
    schema = schemathesis.openapi.from_asgi("/api/openapi.json", app)
    failures = []
    for result in schema.get_all_operations():
        if not isinstance(result, Ok):
            failures.append(f"an operation of the document cannot be read: {result.err()}")
            continue
        operation = result.ok()
        if operation.label in NOT_FUZZED:
            continue
        cases = st.one_of(
            operation.as_strategy(GenerationMode.POSITIVE),
            operation.as_strategy(GenerationMode.NEGATIVE),
        )

        @given(case=cases)
        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            derandomize=True,
            database=None,
            deadline=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        def call(case: Any) -> None:
            case.call_and_validate(headers=headers, checks=CHECKS)

        try:
            call()
        except (Exception, BaseExceptionGroup) as failure:  # reported together, below
            failures.append(f"{operation.label}: {failure}")
    return failures


def test_the_api_keeps_to_its_document_for_an_admin(app: FastAPI) -> None:
    with TestClient(app) as client:
        admin = bearer(client, "ada")
    failures = fuzz(app, admin)
    assert not failures, "\n\n".join(failures)


def test_the_api_keeps_to_its_document_for_nobody(app: FastAPI) -> None:
    failures = fuzz(app, {})
    assert not failures, "\n\n".join(failures)
