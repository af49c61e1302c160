"""The two answer formats of GeoReport v2: XML (required) and JSON, the Spark mapping of the XML.

The XML is schemaless and without namespace, declared UTF-8; every list becomes an element whose
children are named after its items (`services/service`, `service_requests/request`,
`errors/error`…). The standard library's ElementTree writes it (escaping included), so no
dependency is needed. Errors are a list of `{code, description}` in both formats.
"""

import json
import re
from datetime import datetime
from xml.etree import ElementTree

from django.http import HttpResponse
from django.utils import timezone

CONTENT_TYPES = {"xml": "text/xml; charset=utf-8", "json": "application/json; charset=utf-8"}

# The element of each item of a list, by the list's element name.
ITEM_TAGS = {
    "services": "service",
    "service_requests": "request",
    "errors": "error",
    "endpoints": "endpoint",
    "formats": "format",
    "attributes": "attribute",
    "values": "value",
}

# Characters XML 1.0 cannot carry, even escaped.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def w3c(moment: datetime | None) -> str | None:
    """2026-03-03T09:30:00+01:00: the W3C profile of ISO 8601, with the offset, in Paris time."""
    if moment is None:
        return None
    return timezone.localtime(moment).isoformat(timespec="seconds")


def _text(value) -> str:
    if value is None:
        return ""
    if value is True:
        return "true"
    if value is False:
        return "false"
    return _NOT_XML.sub("", str(value))


def _fill(element: ElementTree.Element, value, tag: str) -> None:
    if isinstance(value, dict):
        for key, child in value.items():
            _fill(ElementTree.SubElement(element, key), child, key)
    elif isinstance(value, list | tuple):
        item_tag = ITEM_TAGS[tag]
        for child in value:
            _fill(ElementTree.SubElement(element, item_tag), child, item_tag)
    else:
        element.text = _text(value)


def to_xml(root: str, data) -> bytes:
    element = ElementTree.Element(root)
    _fill(element, data, root)
    body = ElementTree.tostring(element, encoding="unicode")
    return ('<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n").encode("utf-8", "replace")


def to_json(data) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8", "replace")


def answer(fmt: str, root: str, data, status: int = 200) -> HttpResponse:
    """`data` in the asked format; `root` is the XML root element (`services`, `discovery`…)."""
    body = to_xml(root, data) if fmt == "xml" else to_json(data)
    return HttpResponse(body, status=status, content_type=CONTENT_TYPES[fmt])


def errors(fmt: str, status: int, *descriptions: str, headers: dict | None = None) -> HttpResponse:
    """A GeoReport error answer: HTTP `status` and the list of `{code, description}`."""
    data = [{"code": status, "description": str(description)} for description in descriptions]
    response = answer(fmt, "errors", data, status=status)
    for name, value in (headers or {}).items():
        response[name] = value
    return response
