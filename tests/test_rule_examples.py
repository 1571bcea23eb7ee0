"""Every shipped rule is complete, valid against the published schema, and its examples behave.

The examples live in the rule files (``examples.flag`` / ``examples.pass``); a rule
whose examples do not behave fails here.
"""

from __future__ import annotations

import json
from importlib import resources

import jsonschema
import pytest
import yaml

from healthlint.engine import Linter
from healthlint.types import Rule

LINTER = Linter()
RULES: list[Rule] = [loaded.rule for loaded in LINTER.ruleset.rules.values()]
EXAMPLES = [(rule, example) for rule in RULES for example in rule.examples]


def _id(value: object) -> str:
    if isinstance(value, Rule):
        return value.code
    return getattr(value, "text", str(value))[:50]


@pytest.mark.parametrize(("rule", "example"), EXAMPLES, ids=_id)
def test_example(rule: Rule, example) -> None:
    fmt = {"text": "example.txt", "markdown": "example.md", "html": "example.html",
           "mdx": "example.mdx"}[example.format]
    result = LINTER.lint_text(example.text, fmt)
    codes = [d.code for d in result.diagnostics]
    if example.flags:
        assert rule.code in codes, f"{rule.code} should flag: {example.text!r}; got {codes}"
    else:
        assert rule.code not in codes, f"{rule.code} should not flag: {example.text!r}"


@pytest.mark.parametrize("rule", RULES, ids=_id)
def test_rule_is_complete(rule: Rule) -> None:
    assert rule.category in LINTER.ruleset.categories
    assert len([e for e in rule.examples if e.flags]) >= 3, "at least three flagging examples"
    assert len([e for e in rule.examples if not e.flags]) >= 3, "at least three passing examples"
    assert rule.docs.references, "documentation names the regulation"
    assert rule.message and rule.docs.what and rule.docs.why and rule.docs.instead


def test_shipped_rule_files_validate_against_the_published_schema() -> None:
    schema = json.loads(resources.files("healthlint").joinpath("schemas/rule.schema.json")
                        .read_text("utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    for rule in RULES:
        with open(rule.path, encoding="utf-8") as handle:
            data = yaml.safe_load(handle)
        errors = [e.message for e in validator.iter_errors(data)]
        assert not errors, f"{rule.path}: {errors}"
        kind = LINTER.registry.kinds[rule.kind]
        option_errors = [e.message for e in
                         jsonschema.Draft202012Validator(kind.options_schema).iter_errors(
                             data.get("options") or {})]
        assert not option_errors, f"{rule.path}: {option_errors}"


def test_codes_and_slugs_are_unique_and_stable() -> None:
    codes = [r.code for r in RULES]
    slugs = [r.slug for r in RULES]
    assert len(set(codes)) == len(codes)
    assert len(set(slugs)) == len(slugs)
    for rule in RULES:
        assert rule.path.endswith(f"{rule.code}-{rule.slug}.yaml"), "file named CODE-slug.yaml"
