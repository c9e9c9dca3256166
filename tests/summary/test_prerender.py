"""A finished session's PDF is laid out ahead of its first download (issue 15): the download
then gets the very bytes laid out in the background, without laying it out again; a download
that comes while it is being laid out waits for that one; erasing the session drops it."""

import asyncio
import threading

from server.summary import render
from tests.summary.factory import big_deck, play


def test_the_first_download_gets_the_pdf_laid_out_ahead() -> None:
    deck = big_deck(3)
    state = play(deck, players=3)
    code = "PRE001"
    laid_out: list[str] = []
    real = render.render_sync

    def counting(fmt: str, *args: object) -> tuple[bytes, str]:
        laid_out.append(threading.current_thread().name)
        return real(fmt, *args)  # type: ignore[arg-type]

    async def scenario() -> tuple[bytes, bytes]:
        render.prerender_later(deck, state, code, delay_s=0.01)
        render.prerender_later(deck, state, code, delay_s=0.05)  # a burst: laid out once
        await asyncio.sleep(0.2)  # the background layout has started (or finished)
        first, media = await render.render("pdf", deck, state, code)  # waits for it
        again, _ = await render.render("pdf", deck, state, code)
        assert media == "application/pdf" and first.startswith(b"%PDF")
        return first, again

    render.render_sync = counting  # type: ignore[assignment]
    try:
        first, again = asyncio.run(asyncio.wait_for(scenario(), 50))
    finally:
        render.render_sync = real  # type: ignore[assignment]
    assert laid_out == ["pdf-prerender"], laid_out  # once, in the background, never on demand
    assert first is again
    render.forget(code)
    assert not [k for k in render._PDF_CACHE if k[0] == code]
