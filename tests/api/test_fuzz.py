"""Schemathesis over the whole API, in-process against the WSGI app, as the two outside clients the
platform has: the 12345 hotline (a system token) and an enterprise user (a browser session).

Every operation gets a bounded number of generated requests (valid and invalid, fixed seed); the test
fails on any 5xx, any status the OpenAPI document does not declare for the operation, and any answer
that does not match its declared schema. The world is real: enterprises, appeals in several states,
the shipped policy pack installed and matched, offers and applications, so that generated requests
reach the code behind the 404s. Nothing is left on disk: uploads go to a temporary directory and
Hypothesis keeps no example database.
"""

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from django.test import Client
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from zhuqi.api import api
from zhuqi.wsgi import application

EXAMPLES_PER_OPERATION = 10
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]

schema = schemathesis.openapi.from_dict(api.get_openapi_schema(path_prefix="/api/v1/"))
schema.app = application

# Real identifiers of the world, filled by the fixture: generated path parameters are replaced by one
# of these half of the time, so that operations on an appeal, application or offer run their code.
KNOWN: dict[str, list] = {}


@schema.hook
def flatmap_path_parameters(context, path_parameters):
    known = {name: KNOWN[name] for name in path_parameters or {} if KNOWN.get(name)}
    if not known or not isinstance(path_parameters, dict):
        return st.just(path_parameters)
    return st.fixed_dictionaries(
        {
            name: st.one_of(st.just(value), st.sampled_from(known[name])) if name in known else st.just(value)
            for name, value in path_parameters.items()
        }
    )


@pytest.fixture
def fuzz_world(api_world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    # As django.test.Client does: the request cycle must not close the test's connection.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        KNOWN.clear()
        KNOWN.update(api_world.known)
        yield api_world
    finally:
        KNOWN.clear()
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


def session_of(user) -> dict:
    """A signed-in browser: the session cookie, and a CSRF token sent as cookie and header."""
    client = Client()
    client.force_login(user)
    csrf = "f" * 32
    return {
        "cookies": {"sessionid": client.cookies["sessionid"].value, "csrftoken": csrf},
        "headers": {"X-CSRFToken": csrf},
    }


FUZZ_SETTINGS = settings(
    max_examples=EXAMPLES_PER_OPERATION,
    derandomize=True,
    deadline=None,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)


def fuzz_every_operation(call) -> None:
    """Runs `call` on generated cases of every operation, valid and invalid alike, in one world (it is
    built once per client: building it per operation would cost most of the run). Collects every
    failing operation, so one run reports them all."""
    failures = []
    for result in schema.get_all_operations():
        operation = result.ok()
        cases = st.one_of(
            operation.as_strategy(GenerationMode.POSITIVE, hooks=schema.hooks),
            operation.as_strategy(GenerationMode.NEGATIVE, hooks=schema.hooks),
        )

        @FUZZ_SETTINGS
        @given(case=cases)
        def run(case):
            call(case)

        try:
            run()
        except Exception as exc:  # noqa: BLE001  (reported below, with the operation)
            failures.append(f"{operation.label}: {exc}")
    assert not failures, "\n\n".join(failures)


def test_api_as_the_hotline(fuzz_world):
    headers = {"Authorization": f"Bearer {fuzz_world.hotline_token}"}
    fuzz_every_operation(lambda case: case.call_and_validate(headers=headers, checks=CHECKS))


def test_api_as_an_enterprise(fuzz_world):
    client = session_of(fuzz_world.enterprise_user)
    fuzz_every_operation(
        lambda case: case.call_and_validate(
            headers=client["headers"], cookies=client["cookies"], checks=CHECKS
        )
    )
