"""Logging set-up: secrets never reach a log line.

Tokens may travel in a query string (``?token=`` on summary downloads and the report page), and
uvicorn's access log prints full paths: this filter masks them before anything is written.
"""

import logging
import re

_SECRET = re.compile(r"((?:token|edit_token|f)=)[^&\s\"]+")


class RedactSecrets(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(
                _SECRET.sub(r"\1***", a) if isinstance(a, str) else a for a in record.args
            )
        if isinstance(record.msg, str):
            record.msg = _SECRET.sub(r"\1***", record.msg)
        return True


def install() -> None:
    for name in ("uvicorn.access", "uvicorn.error", "server"):
        logging.getLogger(name).addFilter(RedactSecrets())
