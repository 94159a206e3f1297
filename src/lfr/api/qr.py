"""QR codes as inline SVG (no image file, no script: fits the page's CSP)."""

from __future__ import annotations

import io

import qrcode
import qrcode.image.svg
from markupsafe import Markup


def qr_svg(url: str, label: str) -> Markup:
    """An SVG of the QR code for ``url``, with an accessible label."""
    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=10, border=2)
    buffer = io.BytesIO()
    image.save(buffer)
    svg = buffer.getvalue().decode()
    svg = svg[svg.index("<svg") :]
    title = Markup.escape(label)
    svg = svg.replace("<svg ", f'<svg role="img" aria-label="{title}" class="qr" ', 1)
    return Markup(svg)
