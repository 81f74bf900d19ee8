"""PDF documents from HTML templates (WeasyPrint), with the fonts shipped beside them and no network.

``render_pdf`` renders ``templates/<name>.html`` with Django's template engine (autoescaped) and lays it out with
WeasyPrint. Its URL fetcher serves only this package's own files (the stylesheet and fonts) and ``data:`` URLs;
any other address, a remote one above all, is refused, so rendering never reaches the network and a document
cannot be made to fetch something by the text put into it. ``qr_svg`` draws a QR code as inline SVG (segno).
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

import segno
from django.template import Context, Engine
from django.utils.safestring import SafeString, mark_safe

HERE = Path(__file__).resolve().parent
TEMPLATES = HERE / "templates"


class RemoteFetchRefused(ValueError):
    """A document asked for an address outside the package (never fetched)."""


@functools.cache
def _engine() -> Engine:
    return Engine(dirs=[str(TEMPLATES)], autoescape=True)


def _local_only_fetcher() -> Any:
    """WeasyPrint's fetcher for this package's files and ``data:`` URLs only; anything else is refused."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class LocalOnly(URLFetcher):  # type: ignore[misc]
        def fetch(self, url: str, headers: Any = None) -> Any:
            parts = urlparse(url)
            if parts.scheme == "data":
                return super().fetch(url, headers)
            if parts.scheme == "file":
                path = Path(unquote(parts.path)).resolve()
                if path.is_relative_to(HERE) and path.is_file():
                    kind = {".css": "text/css", ".ttf": "font/ttf"}.get(path.suffix, "application/octet-stream")
                    return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": kind})
            raise RemoteFetchRefused(f"documents fetch nothing outside certcredit's own files: {url!r} refused")

    return LocalOnly(allowed_protocols=("file", "data"), allow_redirects=False, timeout=1)


def local_only_fetch(url: str) -> Any:
    """What the documents' fetcher answers for ``url`` (``RemoteFetchRefused`` for any address not its own)."""
    return _local_only_fetcher().fetch(url)


def qr_svg(text: str) -> SafeString:
    """A QR code of ``text`` as an inline ``<svg>`` (no XML declaration), sized in millimetres by the page."""
    return mark_safe(segno.make(text, error="m").svg_inline(scale=4, border=2, dark="#111"))


def render_html(name: str, context: dict[str, Any]) -> str:
    return str(_engine().get_template(f"{name}.html").render(Context(context)))


def render_pdf(name: str, context: dict[str, Any]) -> bytes:
    """The template ``name`` rendered to a PDF (bytes)."""
    from weasyprint import HTML
    from weasyprint.text.fonts import FontConfiguration

    html = render_html(name, context)
    fonts = FontConfiguration()
    document = HTML(string=html, base_url=str(TEMPLATES) + "/", url_fetcher=_local_only_fetcher())
    pdf = document.write_pdf(font_config=fonts)
    assert pdf is not None
    return bytes(pdf)
