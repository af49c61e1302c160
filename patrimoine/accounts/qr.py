"""The TOTP enrolment QR code, drawn as SVG by `qrcode` (no image library, no inline style)."""

import qrcode
import qrcode.image.svg


def qr_svg(data: str) -> bytes:
    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, box_size=10, border=2)
    return image.to_string(encoding="unicode").encode()
