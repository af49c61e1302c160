"""HTML template → accessible PDF (PDF/UA-1, tagged, A4) with WeasyPrint, for any app.

Templates extend `reporting/pdf_base.html` (A4 page, page numbers, print styles). The document's
<title> becomes the PDF's title and its `lang` the PDF's language, as PDF/UA requires.
"""

import logging

from django.conf import settings
from django.contrib.staticfiles import finders
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils.text import slugify

PDF_STYLESHEET = "css/reporting-pdf.css"
# WeasyPrint narrates every layout step at INFO: keep the server's log for what matters.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)


def pdf_bytes(template: str, context: dict, request=None) -> bytes:
    from weasyprint import CSS, HTML
    from weasyprint.urls import URLFetcher

    html = render_to_string(template, context, request=request)
    stylesheet = finders.find(PDF_STYLESHEET)
    stylesheets = [CSS(filename=stylesheet)] if stylesheet else []
    base_url = str(settings.BASE_DIR)
    # Documents are self-contained (inline SVG, the stylesheet read from disk here): never fetch a
    # URL that text typed by a user could have smuggled in.
    fetcher = URLFetcher(allowed_protocols=["data"])
    document = HTML(string=html, base_url=base_url, url_fetcher=fetcher)
    return document.write_pdf(stylesheets=stylesheets, pdf_variant="pdf/ua-1")


def pdf_response(template: str, context: dict, *, filename: str, request=None, inline: bool = False) -> HttpResponse:
    response = HttpResponse(pdf_bytes(template, context, request=request), content_type="application/pdf")
    disposition = "inline" if inline else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{slugify(filename) or "document"}.pdf"'
    return response
