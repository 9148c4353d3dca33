"""Validate JSON against the W3C Web Annotation "must" assertions in ../shared.

See ../shared/w3c-web-annotation-tests/ABOUT.md: draft-04 schemas whose ids are bare file
names, so each definition is registered under a base URL and under its bare name too.
`format: uri` is only enforced when `rfc3987` is installed (it is, in the dev extras).
`format: date-time` (a TimeState's `sourceDate`, `created`, `modified`) would need
`rfc3339-validator`, which is not; it is checked here instead (`_is_date_time`).
"""

import json
import re
from datetime import datetime
from functools import cache
from pathlib import Path

import jsonschema
import rfc3987  # noqa: F401 - imported so that a missing package fails loudly, not silently
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

ROOT = Path(__file__).resolve().parents[2] / "shared" / "w3c-web-annotation-tests"
BASE = "https://w3c-annotation-tests.example/"


@cache
def _registry() -> Registry:
    resources = []
    for path in sorted((ROOT / "definitions").glob("*.json")):
        resource = Resource.from_contents(
            json.loads(path.read_text()), default_specification=DRAFT4
        )
        resources += [(BASE + path.name, resource), (path.name, resource)]
    return Registry().with_resources(resources)


@cache
def must_assertions() -> list[tuple[str, dict]]:
    test = json.loads((ROOT / "annotations" / "annotationMusts.test").read_text())
    return [(name, json.loads((ROOT / name).read_text())) for name in test["assertions"]]


# RFC 3339's date-time, as JSON Schema means it: xsd:dateTime with its time zone.
_DATE_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)", re.IGNORECASE)


def _is_date_time(value) -> bool:
    if not isinstance(value, str):
        return True  # not a string: the schema's "type" says so, not the format
    if not _DATE_TIME.fullmatch(value):
        return False
    try:
        datetime.fromisoformat(value.upper())
    except ValueError:  # 2026-02-30, 25:00
        return False
    return True


def _validator(schema: dict) -> jsonschema.Draft4Validator:
    checker = jsonschema.FormatChecker()
    checker.checks("date-time")(_is_date_time)
    return jsonschema.Draft4Validator(schema, registry=_registry(), format_checker=checker)


def failures(annotation: dict) -> list[str]:
    """The "must" assertions that `annotation` fails (empty when it conforms)."""
    failed = []
    for name, schema in must_assertions():
        valid = _validator(schema).is_valid(annotation)
        if valid != (schema.get("expectedResult", "valid") == "valid"):
            failed.append(f"{name}: {schema.get('errorMessage', '')}")
    return failed


def implements(annotation: dict, assertion: str) -> bool:
    """Whether `annotation` uses the feature an optional ("may") assertion detects, e.g.
    "annotations/specificResource/4.3.1-timeState.json": proof that the must-assertions
    above had something of that kind to check."""
    return _validator(json.loads((ROOT / assertion).read_text())).is_valid(annotation)
