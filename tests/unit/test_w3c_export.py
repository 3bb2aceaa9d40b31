"""The W3C JSON-LD export passes the W3C's own Web Annotation tests, run offline.

The test data (``tests/data/w3c``, a copy of the W3C's own; see its README and licence) is a
set of JSON Schema (draft-04) "assertion" files listed by ``.test`` files. Each assertion carries
``expectedResult`` (valid/invalid, default valid) and ``onUnexpectedResult``. As in the W3C's
own runner (wpt ``annotation-model/scripts/JSONtest.js``), an assertion passes when the
validation result is the expected one, and fails otherwise whatever ``onUnexpectedResult``
says; that field only decides what happens next: ``...AndContinue`` runs the remaining
assertions, ``...AndSkip`` skips the rest of its list, ``...AndAbort`` stops the whole test.
Every assertion in the three "Musts" suites is ``must``/``valid``/``failAndContinue``.
"""

from __future__ import annotations

import copy
import functools
import inspect
import itertools
import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft4Validator
from jsonschema.exceptions import best_match
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

from app.domain.exports import (
    ANNO_CONTEXT,
    AnnotatedAssignment,
    AnnotationExportRow,
    annotation_collection,
    annotation_collection_chunks,
    annotation_export_rows,
    annotation_page,
    annotation_pages,
    collection_json,
    pseudonymiser,
    source_iri,
)
from app.domain.lessons import load_lesson_file
from app.domain.work import AnnotationRow, OmissionMark, StudentWork

ROOT = Path(__file__).resolve().parents[2]
W3C_DIR = ROOT / "tests" / "data" / "w3c"  # kept in the repository: a clone alone passes
LESSON = ROOT / "lessons" / "kiev-anger-milley.toml"
MUST_SUITES = {
    "annotation": "annotations/annotationMusts.test",
    "collection": "collections/collectionMusts.test",
    "page": "collections/pages/pageMusts.test",
}
# What the W3C runner does after an unexpected result.
NEXT_ACTION = {
    "failAndContinue": "continue",
    "passAndContinue": "continue",
    "failAndSkip": "skip",
    "passAndSkip": "skip",
    "failAndAbort": "abort",
    "passAndAbort": "abort",
}
BASE = "https://school.example"
EMOJI = "\U0001f600"


# ----------------------------------------------------------------------------- the runner


@dataclass(frozen=True)
class Assertion:
    file: str
    schema: dict[str, Any]
    validator: Draft4Validator

    def check(self, instance: Any) -> str | None:
        """None when the result is the expected one, else why not."""
        expected = self.schema.get("expectedResult", "valid")
        error = best_match(self.validator.iter_errors(instance))
        if (error is None) == (expected == "valid"):
            return None
        detail = f"{error.message} at {list(error.absolute_path)}" if error else "it validated"
        message = self.schema.get("errorMessage") or self.schema.get("title", "")
        return f"{self.file}: expected {expected}: {message} ({detail})"


Suite = list["Assertion | Suite"]


def run_suite(suite: Suite, instance: Any) -> list[str]:
    failures, _ = _run(suite, instance)
    return failures


def _run(suite: Suite, instance: Any) -> tuple[list[str], str]:
    failures: list[str] = []
    action = "continue"
    for item in suite:
        if action != "continue":  # "skip": the rest of this list; "abort": everything
            break
        if isinstance(item, list):
            sub_failures, sub_action = _run(item, instance)
            failures += sub_failures
            action = "abort" if sub_action == "abort" else action
            continue
        problem = item.check(instance)
        if problem:
            failures.append(problem)
            action = NEXT_ACTION.get(item.schema.get("onUnexpectedResult", ""), "continue")
    return failures, action


@dataclass(frozen=True)
class W3C:
    registry: Registry
    suites: dict[str, Suite]

    def failures(self, suite: str, instance: Any) -> list[str]:
        return run_suite(self.suites[suite], instance)


def _load_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def _load_suite(test_file: Path, entries: list[Any], registry: Registry) -> Suite:
    suite: Suite = []
    for entry in entries:
        if isinstance(entry, list):
            suite.append(_load_suite(test_file, entry, registry))
            continue
        name = entry if isinstance(entry, str) else entry.get("assertionFile")
        schema: dict[str, Any] = {}
        if name:
            # README: a path with "/" is relative to the data's root, else to the .test file.
            path = W3C_DIR / name if "/" in name else test_file.parent / name
            schema = _load_json(path)
        if isinstance(entry, dict):
            schema.update({k: v for k, v in entry.items() if k != "assertionFile"})
        validator = Draft4Validator(
            schema, registry=registry, format_checker=Draft4Validator.FORMAT_CHECKER
        )
        suite.append(Assertion(name or "inline", schema, validator))
    return suite


def _flat(suite: Suite) -> list[Assertion]:
    return [a for item in suite for a in (_flat(item) if isinstance(item, list) else [item])]


@pytest.fixture(scope="module")
def w3c() -> W3C:
    if not (W3C_DIR / "definitions").is_dir():
        pytest.fail(
            f"The W3C Web Annotation test data is missing: expected it at {W3C_DIR} "
            "(tests/data/w3c in the repository). These tests must not be skipped."
        )
    formats = set(Draft4Validator.FORMAT_CHECKER.checkers)
    if not {"uri", "date-time"} <= formats:
        pytest.fail(
            "IRIs and dates would go unchecked: install requirements-dev.txt "
            "(rfc3987 and rfc3339-validator)"
        )
    resources = []
    for path in sorted((W3C_DIR / "definitions").glob("*.json")):
        contents = _load_json(path)
        resources.append(
            (contents["id"], Resource.from_contents(contents, default_specification=DRAFT4))
        )
    registry = Registry().with_resources(resources)
    suites = {}
    for key, name in MUST_SUITES.items():
        test_file = W3C_DIR / name
        suites[key] = _load_suite(test_file, _load_json(test_file)["assertions"], registry)
    return W3C(registry, suites)


# ----------------------------------------------------------------------------- the export


PSEUDONYM = pseudonymiser("not-the-real-secret", scope="assignment-7")
T0 = datetime(2022, 11, 15, 10, 0, 0)


def _uuid(n: int) -> str:
    return f"00000000-0000-4000-8000-{n:012d}"


@pytest.fixture(scope="module")
def rows() -> list[AnnotationExportRow]:
    """A class's work on the real lesson: spans, a zero-length place, an omission with no place."""
    lesson, problems = load_lesson_file(LESSON)
    assert lesson is not None, problems
    text = lesson.text
    n = 0

    def ann(
        student: int,
        category: str,
        prompt: str,
        words: str | None,
        note: str,
        point: str | None = None,
        **fields: str,
    ) -> AnnotationRow:
        nonlocal n
        n += 1
        if words is not None:
            start = text.index(words)
            start_end = (start, start + len(words))
        elif point is not None:  # "something is missing here": just before these words
            start = text.index(point)
            start_end = (start, start)
        else:
            start_end = (None, None)
        when = T0 + timedelta(minutes=n)
        return AnnotationRow(
            id=_uuid(n),
            student_id=student,
            category=category,
            prompt_id=prompt,
            start=start_end[0],
            end=start_end[1],
            exact=words or "",
            note=note,
            fields=fields,
            created_at=when,
            updated_at=when + timedelta(seconds=30),
        )

    works = [
        StudentWork(
            101,
            "O'Brien, Siobhán",
            "sobrien",
            annotations=[
                ann(
                    101,
                    "loaded",
                    "loaded",
                    "vented its anger",
                    "Sounds angry <b>on purpose</b> & x < y " + EMOJI,
                    rewrite="Ukraine criticised",
                ),
                ann(
                    101,
                    "source",
                    "sources",
                    "US Army General Mark Milley",
                    "Named, with his job.",
                    named="named",
                    affiliation="Chairman, US Joint Chiefs",
                    independence="interested",
                    checked_url="https://en.wikipedia.org/wiki/Mark Milley",
                ),
                ann(
                    101,
                    "omission",
                    "omissions",
                    None,
                    "",
                    point="Ukraine has vented",
                    missing="Ukraine's side of the story",
                    why="We only hear one government.",
                ),
            ],
        ),
        StudentWork(
            102,
            '=HYPERLINK("http://evil.example","x")',
            "=cmd",
            annotations=[
                ann(102, "source", "sources", "File photo by Reuters", ""),
                ann(
                    102, "loaded", "loaded", "liberated lands", "", checked_url="not a web address"
                ),
                ann(
                    102,
                    "omission",
                    "omissions",
                    None,
                    "Who published this? مرحبا",
                    missing="The publisher",
                    why="",
                ),
            ],
        ),
        StudentWork(
            103,
            "Zoë 李",
            "zli",
            annotations=[
                ann(
                    103,
                    "source",
                    "sources",
                    "The Kremlin says",
                    "Vague:\nwho exactly?",
                    checked_url="https://www.kremlin.ru/événements?q=peace talks#top",
                ),
                ann(103, "loaded", "loaded", "huge funds", "\t=1+2"),
                ann(103, "omission", "omissions", None, "", point="The Kremlin says"),
                ann(103, "omission", "omissions", None, "No date for the general's remarks."),
            ],
        ),
    ]
    works[1].omission_marks[_uuid(6)] = OmissionMark(_uuid(6), "om-publisher", "full")
    out = annotation_export_rows(lesson, works, {_uuid(1): "loaded-vented"})
    # An astral character inside a quote and its context: offsets still count code points.
    out.append(
        AnnotationExportRow(
            id=_uuid(99),
            student_id=104,
            student_name="Ana Łukasz",
            username="alukasz",
            category="loaded",
            category_label="Loaded wording",
            start=12,
            end=17,
            created=T0.replace(tzinfo=UTC),
            modified=T0.replace(tzinfo=UTC),
            exact=f"big {EMOJI}",
            prefix=f"{EMOJI} such a ",
            suffix=" win",
            note="",
        )
    )
    return out


@functools.cache
def _assignment() -> AnnotatedAssignment:
    lesson, _ = load_lesson_file(LESSON)
    assert lesson is not None
    return AnnotatedAssignment(
        7, "Kiev's anger: sources & <loaded> words", lesson.id, lesson.version
    )


@pytest.fixture(scope="module")
def pages(rows) -> list[dict]:
    return list(annotation_pages(BASE, _assignment(), rows, pseudonym=PSEUDONYM, page_size=3))


@pytest.fixture(scope="module")
def collection(rows) -> dict:
    return annotation_collection(BASE, _assignment(), rows, pseudonym=PSEUDONYM, page_size=3)


# ----------------------------------------------------------------------------- the tests


def test_the_must_suites_load_with_every_reference_resolved(w3c):
    counts = {key: len(_flat(suite)) for key, suite in w3c.suites.items()}
    assert counts == {"annotation": 54, "collection": 10, "page": 15}
    for suite in w3c.suites.values():
        for assertion in _flat(suite):
            assert assertion.schema["assertionType"] == "must"
            assertion.validator.is_valid({})  # raises if a $ref cannot be resolved offline


def test_the_fixture_spans_several_pages_and_every_kind_of_target(rows, pages):
    assert len(pages) == 4
    targets = [item["target"] for page in pages for item in page["items"]]
    assert any(isinstance(t, str) for t in targets)  # omission with no place
    positions = [t["selector"][0] for t in targets if isinstance(t, dict)]
    assert any(p["start"] == p["end"] for p in positions)  # zero-length place
    assert any(p["start"] < p["end"] for p in positions)  # spans


def test_every_annotation_on_every_page_passes_annotation_musts(w3c, pages, collection):
    items = [item for page in pages for item in page["items"]] + collection["first"]["items"]
    assert len(items) == 11 + 3
    failures = {item["id"]: w3c.failures("annotation", item) for item in items}
    assert {k: v for k, v in failures.items() if v} == {}


def test_the_collection_passes_collection_musts(w3c, rows, collection):
    assert w3c.failures("collection", collection) == []
    one_file = annotation_collection(BASE, _assignment(), rows, pseudonym=PSEUDONYM, page_size=None)
    assert one_file["first"]["items"]
    assert "next" not in one_file["first"]
    assert w3c.failures("collection", one_file) == []
    empty = annotation_collection(BASE, _assignment(), [], pseudonym=PSEUDONYM)
    assert empty["total"] == 0
    assert "first" not in empty
    assert w3c.failures("collection", empty) == []


def test_every_page_passes_page_musts(w3c, pages, collection):
    for page in pages:  # as served on their own at ?page=<n>
        assert w3c.failures("page", page) == [], page["id"]
    # pageMusts also takes a collection with its first page embedded
    assert w3c.failures("page", collection) == []


def test_the_streamed_one_file_download_is_the_same_valid_collection(w3c, rows):
    tricky = AnnotatedAssignment(8, 'A title with "items": [] in it', "kiev-anger-milley", "v1")
    chunks = annotation_collection_chunks(BASE, tricky, rows, pseudonym=PSEUDONYM, batch=4)
    assert inspect.isgenerator(chunks)
    streamed = list(chunks)
    assert len(streamed) == 2 + 3  # head, three batches of items, tail
    document = json.loads("".join(streamed))
    assert document == annotation_collection(
        BASE, tricky, rows, pseudonym=PSEUDONYM, page_size=None
    )
    assert len(document["first"]["items"]) == document["total"] == len(rows)
    assert w3c.failures("collection", document) == []
    assert w3c.failures("page", document) == []
    empty = json.loads("".join(annotation_collection_chunks(BASE, tricky, [], pseudonym=PSEUDONYM)))
    assert empty == annotation_collection(BASE, tricky, [], pseudonym=PSEUDONYM)


def test_pages_chain_together_and_hold_every_annotation_once_in_order(rows, pages, collection):
    ids = [item["id"] for page in pages for item in page["items"]]
    assert ids == [f"urn:uuid:{r.id}" for r in rows]
    assert [p["startIndex"] for p in pages] == [0, 3, 6, 9]
    assert all(p["partOf"] == {"id": collection["id"], "total": len(rows)} for p in pages)
    for before, after in itertools.pairwise(pages):
        assert before["next"] == after["id"]
        assert after["prev"] == before["id"]
    assert "prev" not in pages[0]
    assert "next" not in pages[-1]
    assert collection["last"] == pages[-1]["id"]
    first = dict(pages[0])
    del first["@context"]
    assert collection["first"] == first
    assert (
        annotation_page(BASE, _assignment(), rows, 2, pseudonym=PSEUDONYM, page_size=3) == pages[2]
    )
    with pytest.raises(IndexError):
        annotation_page(BASE, _assignment(), rows, 4, pseudonym=PSEUDONYM, page_size=3)


def test_targets_carry_both_selectors_in_code_points(rows, pages):
    items = {item["id"]: item for page in pages for item in page["items"]}
    lesson, _ = load_lesson_file(LESSON)
    assert lesson is not None
    text = lesson.text
    source = source_iri(BASE, _assignment())
    for row in rows[:-1]:
        target = items[f"urn:uuid:{row.id}"]["target"]
        if row.start is None:
            assert target == source
            continue
        position, quote = target["selector"]
        assert target["source"] == source
        assert (position["type"], quote["type"]) == ("TextPositionSelector", "TextQuoteSelector")
        assert quote["exact"] == text[position["start"] : position["end"]]
        assert quote["prefix"] == text[max(0, position["start"] - 32) : position["start"]]
        assert quote["suffix"] == text[position["end"] : position["end"] + 32]
    emoji = items[f"urn:uuid:{_uuid(99)}"]["target"]["selector"]
    assert emoji[0] == {"type": "TextPositionSelector", "start": 12, "end": 17}
    assert emoji[1]["exact"] == f"big {EMOJI}"


def test_bodies_keep_the_note_as_typed_and_the_category(pages):
    first = pages[0]["items"][0]
    assert first["motivation"] == "commenting"
    assert first["body"][:2] == [
        {
            "type": "TextualBody",
            "purpose": "commenting",
            "format": "text/plain",
            "value": "Sounds angry <b>on purpose</b> & x < y " + EMOJI,
        },
        {
            "type": "TextualBody",
            "purpose": "classifying",
            "format": "text/plain",
            "value": "Loaded wording",
        },
    ]
    assert {
        "type": "TextualBody",
        "purpose": "editing",
        "format": "text/plain",
        "value": "Ukraine criticised",
    } in first["body"]
    linked = pages[0]["items"][1]["body"][-1]
    assert linked == {
        "type": "SpecificResource",
        "purpose": "linking",
        "source": "https://en.wikipedia.org/wiki/Mark%20Milley",
    }
    bare = pages[1]["items"][0]  # no note, no fields: just the category
    assert bare["motivation"] == "classifying"
    assert len(bare["body"]) == 1


def test_creators_are_pseudonyms_never_names(rows, collection, pages):
    text = "".join(collection_json(p) for p in [collection, *pages])
    for row in rows:
        for who in (row.student_name, row.username):
            assert json.dumps(who, ensure_ascii=False)[1:-1] not in text
    creators = {item["creator"] for page in pages for item in page["items"]}
    assert len(creators) == 4
    assert all(c.startswith("urn:uuid:") for c in creators)
    assert PSEUDONYM(101) == pseudonymiser("not-the-real-secret", "assignment-7")(101)
    assert PSEUDONYM(101) != pseudonymiser("not-the-real-secret", "assignment-8")(101)
    assert PSEUDONYM(101) != pseudonymiser("another-secret", "assignment-7")(101)


def test_collection_json_round_trips_and_keeps_text_readable(collection):
    text = collection_json(collection)
    assert json.loads(text) == collection
    assert EMOJI in text
    assert "\\u" not in text
    assert collection["@context"] == ANNO_CONTEXT


def _without(key: str):
    def change(a: dict) -> None:
        del a[key]

    return change


def _set(path: tuple, value: Any):
    def change(a: dict) -> None:
        node = a
        for step in path[:-1]:
            node = node[step]
        node[path[-1]] = value

    return change


@pytest.mark.parametrize(
    ("change", "caught_by"),
    [
        (_without("target"), "3.1-targetKeyFound.json"),
        (_without("@context"), "3.1-annotationContextValidated.json"),
        (_set(("id",), "annotations/1"), "3.1-annotationIdValidated.json"),  # a relative IRI
        (_set(("created",), "2022-11-15T10:00:00"), "3.3.1-annotationCreatedValidated.json"),
        (_set(("modified",), "2022-13-45T10:00:00Z"), "3.3.1-annotationModifiedValidated.json"),
        (_set(("bodyValue",), "a note"), "3.2.5-notBodyBodyValue.json"),
        (
            _set(("target", "selector", 1, "exact"), None),
            "specificResource/4.2.4-textQuoteSelectorValid.json",
        ),
        (
            _set(("target", "selector", 0, "start"), -1),
            "specificResource/4.2-TextDataPositionSelectorValid.json",
        ),
        (_set(("target", "source"), "not an IRI"), "3.2-targetObjectsRecognized.json"),
    ],
)
def test_the_validator_catches_a_broken_annotation(w3c, pages, change, caught_by):
    annotation = copy.deepcopy(pages[0]["items"][0])
    assert w3c.failures("annotation", annotation) == []
    change(annotation)
    failures = w3c.failures("annotation", annotation)
    assert any(caught_by in f for f in failures), failures


@pytest.mark.parametrize(
    ("change", "caught_by"),
    [
        (_without("items"), "5.2-pageItemsValidated.json"),
        (_set(("startIndex",), -1), "5.2-pageStartIndexValidated.json"),
        (_set(("next",), "?page=2"), "5.2-pageNextValidated.json"),
        # The W3C page tests read the total from partOf, so a bare-IRI partOf fails them.
        (
            _set(("partOf",), f"{BASE}/teacher/assignments/7/export/annotations.jsonld"),
            "5.2-pageTotalValidated.json",
        ),
    ],
)
def test_the_validator_catches_a_broken_page(w3c, pages, change, caught_by):
    page = copy.deepcopy(pages[1])
    change(page)
    failures = w3c.failures("page", page)
    assert any(caught_by in f for f in failures), failures


def test_the_runner_follows_expected_result_and_on_unexpected_result(w3c):
    def assertion(expected: str, on_unexpected: str, required: str) -> Assertion:
        schema = {
            "expectedResult": expected,
            "onUnexpectedResult": on_unexpected,
            "type": "object",
            "required": [required],
        }
        return Assertion(required, schema, Draft4Validator(schema, registry=w3c.registry))

    has_a = {"a": 1}
    assert run_suite([assertion("valid", "failAndContinue", "a")], has_a) == []
    assert run_suite([assertion("invalid", "failAndContinue", "b")], has_a) == []
    assert len(run_suite([assertion("invalid", "passAndContinue", "a")], has_a)) == 1
    unexpected = assertion("valid", "failAndSkip", "b")
    assert run_suite([unexpected, assertion("valid", "failAndContinue", "c")], has_a) == [
        unexpected.check(has_a)
    ]
    aborting = assertion("valid", "failAndAbort", "b")
    nested = [
        [aborting, assertion("valid", "failAndContinue", "c")],
        assertion("valid", "failAndContinue", "d"),
    ]
    assert len(run_suite(nested, has_a)) == 1


def test_an_orphan_exports_its_words_as_a_quote_selector_and_passes_annotation_musts(w3c):
    # moved to a newer lesson version that no longer has its words: no place, its words kept
    lesson, _ = load_lesson_file(LESSON)
    assert lesson is not None
    orphan = AnnotationRow(
        _uuid(500),
        105,
        "source",
        "sources",
        None,
        None,
        "Words no longer there",
        "",
        {},
        T0,
        T0,
        orphaned=True,
    )
    rows = annotation_export_rows(lesson, [StudentWork(105, "Ada", "ada", annotations=[orphan])])
    assert rows[0].exact == "Words no longer there"
    collection = annotation_collection(BASE, _assignment(), rows, pseudonym=PSEUDONYM)
    item = collection["first"]["items"][0]
    assert item["target"]["selector"] == [
        {"type": "TextQuoteSelector", "exact": "Words no longer there"}
    ]
    assert w3c.failures("annotation", item) == []
