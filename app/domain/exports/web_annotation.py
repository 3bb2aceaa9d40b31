"""One annotation in the W3C Web Annotation model (JSON-LD), and the IRIs it names: the
pseudonymous creator, the annotated text, the collection, a student's "where I checked"."""

from __future__ import annotations

import hashlib
import hmac
import re
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

from .annotation_rows import ANNOTATION_FIELD_COLUMNS, AnnotationExportRow
from .tables import iso_utc

ANNO_CONTEXT = "http://www.w3.org/ns/anno.jsonld"
JSONLD_MEDIA_TYPE = 'application/ld+json; profile="http://www.w3.org/ns/anno.jsonld"'

# Purpose of the body made from each structured field (W3C Annotation model 3.3.5).
FIELD_PURPOSES = {
    "named": "tagging",
    "independence": "tagging",
    "affiliation": "describing",
    "rewrite": "editing",
    "missing": "describing",
    "why": "commenting",
}

_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:\S+")
_UUID = re.compile(r"[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}")
_STRAY_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")
_HOST = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9\-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9\-]{1,63})*")


@dataclass(frozen=True)
class AnnotatedAssignment:
    """What the JSON-LD says about the assignment: its id and title, and the text annotated."""

    id: int
    title: str
    lesson_id: str
    lesson_version: str  # offsets count in this version's canonical text


Pseudonym = Callable[[int], str]


def pseudonymiser(secret: str | bytes, scope: str = "") -> Pseudonym:
    """A ``student id -> urn:uuid:...`` IRI that names no one and can't be reversed.

    HMAC-SHA256 of the scope and id under ``secret`` (e.g. the app's secret key), shaped as a
    version-8 UUID. The same scope gives the same IRI for a student in every export; pass a
    per-assignment scope so two exports can't be linked.
    """
    key = secret.encode() if isinstance(secret, str) else secret

    def pseudonym(student_id: int) -> str:
        digest = bytearray(
            hmac.new(key, f"{scope}:{student_id}".encode(), hashlib.sha256).digest()[:16]
        )
        digest[6] = (digest[6] & 0x0F) | 0x80  # version 8: custom
        digest[8] = (digest[8] & 0x3F) | 0x80  # RFC 4122 variant
        return f"urn:uuid:{uuid.UUID(bytes=bytes(digest))}"

    return pseudonym


def _urn_uuid(value: str) -> str:
    if not _UUID.fullmatch(value):
        raise ValueError(f"an annotation id must be a UUID, got {value!r}")
    return f"urn:uuid:{value.lower()}"


def _absolute_iri(value: str, what: str) -> str:
    if not _SCHEME.fullmatch(value):
        raise ValueError(f"{what} must be an absolute IRI, got {value!r}")
    return value


def _base(base_url: str) -> str:
    parts = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"base_url must be an absolute http(s) address, got {base_url!r}")
    return base_url.rstrip("/")


def collection_iri(base_url: str, assignment: AnnotatedAssignment) -> str:
    """Where this export is downloaded from (the app's export route)."""
    return f"{_base(base_url)}/teacher/assignments/{assignment.id}/export/annotations.jsonld"


def source_iri(base_url: str, assignment: AnnotatedAssignment) -> str:
    """The annotated text: the assignment's lesson page, which shows the lesson at the version
    the assignment pins (the version is repeated in the query for readers of the file)."""
    return (
        f"{_base(base_url)}/student/assignments/{assignment.id}"
        f"?version={quote(assignment.lesson_version)}"
    )


def web_address(url: str) -> str | None:
    """A student's "where I checked" as a clean http(s) URI (non-ASCII escaped), or None."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    host = parts.hostname or ""
    if parts.scheme.lower() not in ("http", "https") or not host:
        return None
    try:
        host = host.encode("idna").decode("ascii")
    except UnicodeError:
        return None
    if not _HOST.fullmatch(host) or parts.username is not None:
        return None
    netloc = host if port is None else f"{host}:{port}"

    def escaped(part: str, safe: str) -> str:  # keeps valid %XX escapes, escapes a stray %
        return quote(_STRAY_PERCENT.sub("%25", part), safe=safe)

    keep = "!$&'()*+,;=:@/~-._%"
    return urlunsplit(
        (
            parts.scheme.lower(),
            netloc,
            escaped(parts.path, keep),
            escaped(parts.query, keep + "?"),
            escaped(parts.fragment, keep + "?"),
        )
    )


_KNOWN_FIELDS = tuple(name for name, _ in ANNOTATION_FIELD_COLUMNS)


def _ordered_fields(fields: Mapping[str, str]) -> list[tuple[str, str]]:
    """Non-empty structured fields, known ones in column order, any others after by name."""
    if not fields:
        return []
    order = [*_KNOWN_FIELDS, *sorted(set(fields).difference(_KNOWN_FIELDS))]
    return [(name, fields[name]) for name in order if fields.get(name)]


def _text_body(value: str, purpose: str) -> dict[str, Any]:
    return {"type": "TextualBody", "purpose": purpose, "value": value, "format": "text/plain"}


def web_annotation(row: AnnotationExportRow, *, source: str, pseudonym: Pseudonym) -> dict:
    """One annotation in the W3C Web Annotation model, complete with its own ``@context``.

    The id is ``urn:uuid:<the client's UUID>``; the creator is ``pseudonym(student_id)``, never
    a name. Bodies: the note (commenting), the category (classifying) and each structured field
    (a purpose per ``FIELD_PURPOSES``; "where I checked" is a linking SpecificResource). The
    target is the text with a TextPositionSelector and a TextQuoteSelector (a zero-length
    place keeps both, the quote empty); an omission with no place targets the whole text, and
    an orphan (no longer in the text after a move to a newer version) its words alone.
    """
    bodies: list[dict[str, Any]] = []
    if row.note.strip():
        bodies.append(_text_body(row.note, "commenting"))
    bodies.append(_text_body(row.category_label, "classifying"))
    for name, value in _ordered_fields(row.fields):
        if name == "checked_url":
            address = web_address(value)
            bodies.append(
                {"type": "SpecificResource", "source": address, "purpose": "linking"}
                if address
                else _text_body(value, "linking")
            )
        else:
            bodies.append(_text_body(value, FIELD_PURPOSES.get(name, "describing")))

    target: str | dict[str, Any]
    if row.start is not None and row.end is not None:
        target = {
            "source": source,
            "selector": [
                {"type": "TextPositionSelector", "start": row.start, "end": row.end},
                {
                    "type": "TextQuoteSelector",
                    "exact": row.exact,
                    "prefix": row.prefix,
                    "suffix": row.suffix,
                },
            ],
        }
    elif row.exact:  # an orphan: its words, no longer in the text (no position to give)
        target = {"source": source, "selector": [{"type": "TextQuoteSelector", "exact": row.exact}]}
    else:
        target = source

    said_something = bool(row.note.strip()) or any(
        v for k, v in row.fields.items() if k not in ("named", "independence")
    )
    return {
        "@context": ANNO_CONTEXT,
        "id": _urn_uuid(row.id),
        "type": "Annotation",
        "motivation": "commenting" if said_something else "classifying",
        "created": iso_utc(row.created),
        "modified": iso_utc(row.modified),
        "creator": _absolute_iri(pseudonym(row.student_id), "a pseudonym"),
        "body": bodies,
        "target": target,
    }
