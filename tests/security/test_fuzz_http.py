"""The HTTP API fuzzed from its own OpenAPI document (schemathesis): no server error, ever."""

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from server.settings import Settings
from server.web.app import create_app
from tests.helpers import ServerProcess

schema = schemathesis.openapi.from_dict(create_app(Settings(environment="test")).openapi())


@schema.parametrize()
@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_server_error(case: schemathesis.Case, server: ServerProcess) -> None:
    response = case.call(base_url=server.base, timeout=10)
    case.validate_response(response, checks=(not_a_server_error,))
