"""QR codes as SVG, drawn on the server: no external service ever sees a join link."""

from functools import lru_cache

import qrcode
import qrcode.constants
import qrcode.image.svg


@lru_cache(maxsize=256)
def qr_svg(data: str) -> bytes:
    """An SVG QR code for ``data`` with its quiet zone; the page gives it a white background."""
    qr = qrcode.QRCode(
        error_correction=qrcode.constants.ERROR_CORRECT_M,
        border=4,
        image_factory=qrcode.image.svg.SvgPathImage,
    )
    qr.add_data(data)
    qr.make(fit=True)
    svg: bytes = qr.make_image().to_string()
    return svg
