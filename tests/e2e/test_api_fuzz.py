"""Property-based fuzzing of the public API from its own OpenAPI schema: whatever a client sends, the
gateway answers with a 2xx or a named 4xx, never a server error (I8)."""

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error

from studio_common.testing.client import StudioClient

EXAMPLES_PER_OPERATION = 20


def test_no_request_gets_a_server_error(gateway):
    # As an admin, so the admin routes (grants, plans) are fuzzed past their 403 too.
    auth = {"Authorization": StudioClient(gateway, "fuzzer", admin=True).http.headers["Authorization"]}
    schema = schemathesis.openapi.from_url(f"{gateway}/openapi.json")
    failures: dict[str, str] = {}
    tried = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        tried += 1

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            database=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        )
        def never_a_server_error(case):
            case.call_and_validate(headers=auth, checks=[not_a_server_error], timeout=30)

        try:
            never_a_server_error()
        except (Exception, BaseExceptionGroup) as exc:  # the failure, with a curl line reproducing it
            failures[operation.label] = str(exc)[:2000]
    assert tried >= 50  # every public operation was fuzzed, not a schema that failed to load
    assert not failures, "\n\n".join(f"{label}:\n{detail}" for label, detail in failures.items())
