"""How annotations are shown to their author: the API's JSON and the lesson page's data."""

from __future__ import annotations

from ..domain.sanitise import linkify, web_link
from ..models import Annotation


def annotation_json(a: Annotation) -> dict:
    """The API's view of an annotation (the same shape the client PUTs)."""
    out: dict = {
        "id": a.id,
        "category": a.category,
        "prompt": a.prompt_id,
        "note": a.note,
        "fields": a.fields,
        "version": a.version,
        "anchored_by": a.anchored_by,
        "created": a.created_at.isoformat() + "Z",
        "modified": a.updated_at.isoformat() + "Z",
        "target": None,
        # display-only HTML made by the one sanitising module: text escaped, web links live
        "note_html": str(linkify(a.note)) if a.note else "",
        "checked_html": str(web_link(a.fields["checked_url"])) if "checked_url" in a.fields else "",
    }
    if a.start_offset is not None:
        out["target"] = {
            "start": a.start_offset,
            "end": a.end_offset,
            "exact": a.exact,
            "prefix": a.prefix,
            "suffix": a.suffix,
        }
    if a.anchored_by == "orphan":
        # a move to a newer lesson version found no place for it: what it was, to show
        out["was"] = {"exact": a.exact, "prefix": a.prefix, "suffix": a.suffix}
    if a.deleted_at is not None:
        out["deleted"] = True
    return out
