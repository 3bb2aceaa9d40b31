"""W3C ``AnnotationCollection`` and ``AnnotationPage`` documents, paged or streamed as one file."""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from .annotation_rows import AnnotationExportRow
from .web_annotation import (
    ANNO_CONTEXT,
    AnnotatedAssignment,
    Pseudonym,
    collection_iri,
    source_iri,
    web_annotation,
)


def _once_per_student(pseudonym: Pseudonym) -> Pseudonym:
    known: dict[int, str] = {}

    def lookup(student_id: int) -> str:
        if student_id not in known:
            known[student_id] = pseudonym(student_id)
        return known[student_id]

    return lookup


def _page_count(total: int, page_size: int | None) -> tuple[int, int]:
    """How many pages, and how many annotations each holds."""
    if page_size is None:
        return (1 if total else 0), max(total, 1)
    if page_size < 1:
        raise ValueError("page_size must be at least 1")
    return -(-total // page_size), page_size


def _page_frame(coll: str, total: int, index: int, count: int, size: int) -> dict[str, Any]:
    """A page without its items (they go last, so a writer can stream them)."""
    page: dict[str, Any] = {
        "@context": ANNO_CONTEXT,
        "id": f"{coll}?page={index}",
        "type": "AnnotationPage",
        # An object, not a bare IRI: the W3C page tests read the collection's total from it.
        "partOf": {"id": coll, "total": total},
        "startIndex": index * size,
    }
    if index > 0:
        page["prev"] = f"{coll}?page={index - 1}"
    if index + 1 < count:
        page["next"] = f"{coll}?page={index + 1}"
    page["items"] = []
    return page


def _collection_frame(
    base_url: str, assignment: AnnotatedAssignment, total: int, page_size: int | None
) -> dict[str, Any]:
    """The collection with its first page embedded, the page's items still empty."""
    coll = collection_iri(base_url, assignment)
    count, size = _page_count(total, page_size)
    collection: dict[str, Any] = {
        "@context": ANNO_CONTEXT,
        "id": coll,
        "type": "AnnotationCollection",
        "label": f"Annotations: {assignment.title}",
        "total": total,
    }
    if count:
        first = _page_frame(coll, total, 0, count, size)
        del first["@context"]  # inherited from the collection
        collection["first"] = first
        collection["last"] = f"{coll}?page={count - 1}"
    return collection


def _items(
    base_url: str,
    assignment: AnnotatedAssignment,
    rows: Iterable[AnnotationExportRow],
    pseudonym: Pseudonym,
) -> Iterator[dict]:
    source = source_iri(base_url, assignment)
    creator = _once_per_student(pseudonym)
    return (web_annotation(row, source=source, pseudonym=creator) for row in rows)


def annotation_page(
    base_url: str,
    assignment: AnnotatedAssignment,
    annotations: Sequence[AnnotationExportRow],
    index: int,
    *,
    pseudonym: Pseudonym,
    page_size: int | None = 100,
) -> dict:
    """Page ``index`` (from 0) of the collection as a document of its own (``@context`` on top).

    Its id is the collection's IRI with ``?page=<index>``; raises IndexError past the last page.
    """
    count, size = _page_count(len(annotations), page_size)
    if not 0 <= index < count:
        raise IndexError(f"no page {index}: the collection has {count}")
    page = _page_frame(collection_iri(base_url, assignment), len(annotations), index, count, size)
    start = index * size
    page["items"] = list(_items(base_url, assignment, annotations[start : start + size], pseudonym))
    return page


def annotation_pages(
    base_url: str,
    assignment: AnnotatedAssignment,
    annotations: Sequence[AnnotationExportRow],
    *,
    pseudonym: Pseudonym,
    page_size: int | None = 100,
) -> Iterator[dict]:
    """Every page, one at a time, as standalone documents (what ``?page=<n>`` serves)."""
    count, _ = _page_count(len(annotations), page_size)
    for index in range(count):
        yield annotation_page(
            base_url, assignment, annotations, index, pseudonym=pseudonym, page_size=page_size
        )


def annotation_collection(
    base_url: str,
    assignment: AnnotatedAssignment,
    annotations: Sequence[AnnotationExportRow],
    *,
    pseudonym: Pseudonym,
    page_size: int | None = 100,
) -> dict:
    """The assignment's annotations as a W3C ``AnnotationCollection`` with its first page embedded.

    Later pages are linked by IRI (``next``/``last``: the model allows only an IRI there) and
    built by :func:`annotation_page`. ``page_size=None`` puts everything in the first page,
    for a one-file download (:func:`annotation_collection_chunks` streams that). An empty
    collection has ``total: 0`` and no pages.
    """
    collection = _collection_frame(base_url, assignment, len(annotations), page_size)
    if "first" in collection:
        _, size = _page_count(len(annotations), page_size)
        collection["first"]["items"] = list(
            _items(base_url, assignment, annotations[:size], pseudonym)
        )
    return collection


def collection_json(document: Mapping[str, Any], *, indent: int | None = None) -> str:
    """A collection or page as JSON text (UTF-8 as is: names of lessons and notes stay readable)."""
    return json.dumps(document, ensure_ascii=False, indent=indent)


def annotation_collection_chunks(
    base_url: str,
    assignment: AnnotatedAssignment,
    annotations: Sequence[AnnotationExportRow],
    *,
    pseudonym: Pseudonym,
    batch: int = 500,
) -> Iterator[str]:
    """The one-file download, streamed: the JSON text of ``annotation_collection(...,
    page_size=None)``, every annotation in the first page, built and written a batch at a time.
    """
    frame = collection_json(_collection_frame(base_url, assignment, len(annotations), None))
    # The items go where the frame's empty list is: the last '"items": []' in the text (inside
    # a JSON string a quote is always escaped, so a title cannot fake it).
    head, marker, tail = frame.rpartition('"items": []')
    if not marker:  # no annotations, no page
        yield frame
        return
    yield head + '"items": ['
    items = _items(base_url, assignment, annotations, pseudonym)
    for start in range(0, len(annotations), batch):
        text = ", ".join(collection_json(item) for item in itertools.islice(items, batch))
        yield text if start == 0 else ", " + text
    yield "]" + tail
