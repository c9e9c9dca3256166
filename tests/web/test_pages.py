"""Plain HTTP checks of the pages: language negotiation and the language switch."""

import re

from tests.helpers import ServerProcess


def test_language_switch_keeps_the_deck_and_never_a_token(server: ServerProcess) -> None:
    status, body = server.request("GET", "/studio?deck=exploria-fr&token=secret&lang=en")
    html = body.decode()
    assert status == 200 and '<html lang="en">' in html
    links = re.findall(r'href="(\?[^"]*lang=(?:fr|en))"', html)
    assert "?deck=exploria-fr&amp;lang=fr" in links or "?deck=exploria-fr&lang=fr" in links
    assert all("secret" not in link for link in links)


def test_page_language_comes_from_accept_language_then_french(server: ServerProcess) -> None:
    _, body = server.request("GET", "/", headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert '<html lang="en">' in body.decode()
    _, body = server.request("GET", "/", headers={"Accept-Language": "de-DE"})
    assert '<html lang="fr">' in body.decode()
