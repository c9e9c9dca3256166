"""Logging set-up: secrets never reach a log line.

Tokens may travel in a query string (``?token=`` on summary downloads and share links), and
uvicorn's access log prints full paths: this filter masks them before anything is written —
also when the parameter's name is percent-encoded (``?%74oken=``), which the server decodes
like any other. The proxy's own access log drops query strings (deploy/nginx.conf).
"""

import logging
import re
from urllib.parse import unquote

SECRET_PARAMS = frozenset({"token", "edit_token", "f", "pass"})
# a query parameter: its name (maybe percent-encoded) and its value
_PARAM = re.compile(r"(?P<sep>[?&;#])(?P<key>[^=&;#\s\"?]+)=(?P<value>[^&;#\s\"]*)")


def _mask(match: re.Match[str]) -> str:
    key = unquote(unquote(match.group("key"))).strip().lower()
    if key in SECRET_PARAMS and match.group("value"):
        return f"{match.group('sep')}{match.group('key')}=***"
    return match.group(0)


def redact(text: str) -> str:
    if "=" not in text:
        return text
    return _PARAM.sub(_mask, text)


class RedactSecrets(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in record.args)
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        return True


def install() -> None:
    for name in ("uvicorn.access", "uvicorn.error", "server"):
        logging.getLogger(name).addFilter(RedactSecrets())
