"""Validate JSON against the W3C Web Annotation "must" assertions in ../shared.

See ../shared/w3c-web-annotation-tests/ABOUT.md: draft-04 schemas whose ids are bare file
names, so each definition is registered under a base URL and under its bare name too.
`format: uri` is only enforced when `rfc3987` is installed (it is, in the dev extras).
"""

import json
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


def failures(annotation: dict) -> list[str]:
    """The "must" assertions that `annotation` fails (empty when it conforms)."""
    checker = jsonschema.FormatChecker()
    failed = []
    for name, schema in must_assertions():
        validator = jsonschema.Draft4Validator(schema, registry=_registry(), format_checker=checker)
        valid = validator.is_valid(annotation)
        if valid != (schema.get("expectedResult", "valid") == "valid"):
            failed.append(f"{name}: {schema.get('errorMessage', '')}")
    return failed
