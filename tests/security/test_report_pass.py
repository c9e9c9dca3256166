"""The report page needs no token in its address: the page trades the token it keeps for a
short-lived read-only pass (an HttpOnly cookie); secrets in logged URLs are masked even when
their name is percent-encoded."""

import logging
import urllib.request
from pathlib import Path

from server.logs import RedactSecrets
from tests.helpers import ServerProcess


def test_report_opens_with_a_pass_cookie_not_a_token_in_the_url(server: ServerProcess) -> None:
    room = server.create_room()
    code, token = room["code"], room["facilitator_token"]
    status, _ = server.request("POST", f"/api/rooms/{code}/report-pass")
    assert status == 403
    req = urllib.request.Request(
        f"{server.base}/api/rooms/{code}/report-pass",
        method="POST",
        headers={"Authorization": f"Bearer {token}"},
    )
    with urllib.request.urlopen(req, timeout=10) as r:
        assert r.status == 204
        cookie_header = r.headers["set-cookie"]
    assert "HttpOnly" in cookie_header and "samesite=strict" in cookie_header.lower()
    cookie = cookie_header.split(";", 1)[0]
    assert token not in cookie
    status, html = server.request("GET", f"/r/{code}/report", headers={"Cookie": cookie})
    assert status == 200, html
    assert token.encode() not in html and cookie.split("=", 1)[1].encode() not in html
    # the downloads go with the cookie too
    status, _ = server.request("GET", f"/api/rooms/{code}/summary.json", headers={"Cookie": cookie})
    assert status == 200
    # a pass is read-only: it cannot erase the session nor make share links
    status, _ = server.request("DELETE", f"/api/rooms/{code}", headers={"Cookie": cookie})
    assert status == 403
    status, _ = server.request("POST", f"/api/rooms/{code}/shares", headers={"Cookie": cookie})
    assert status == 403
    # the header works as well, for scripts
    status, _ = server.request("GET", f"/r/{code}/report", headers={"Authorization": f"Bearer {token}"})
    assert status == 200


def test_log_mask_handles_percent_encoded_names(tmp_path: Path) -> None:
    record = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        "",
        0,
        '%s - "%s %s HTTP/%s" %d',
        ("1.2.3.4", "GET", "/r/ABC234/report?%74oken=SEKRET&%2574oken=S2&lang=fr", "1.1", 200),
        None,
    )
    RedactSecrets().filter(record)
    line = record.getMessage()
    assert "SEKRET" not in line and "S2" not in line and "lang=fr" in line
