"""The Markdown a hover on a finding shows: the finding, then its rule's explanation."""

from __future__ import annotations

import re
from collections.abc import Sequence

from healthlint.types import Diagnostic, Rule

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()#+!|~])")


def escape(text: str) -> str:
    """``text`` shown literally in Markdown: quoted page text may hold ``*`` or ``<``."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(text.split()))


def _paragraphs(text: str) -> str:
    return "\n\n".join(" ".join(p.split()) for p in text.split("\n\n") if p.strip())


def finding_markdown(diagnostic: Diagnostic, rule: Rule | None, docs_url: str | None) -> str:
    """One finding: code, slug and severity, the message, then what, why, what to write
    instead and the references of the rule."""
    lines = [f"**{diagnostic.code}** `{diagnostic.rule}` · {diagnostic.severity}", "",
             escape(diagnostic.message)]
    if diagnostic.document_level:
        lines += ["", "_Page-level finding, shown at its first trigger._"]
    if diagnostic.fix is not None and not diagnostic.fix.edits:
        lines += ["", escape(diagnostic.fix.description)]
    if rule is not None:
        docs = rule.docs
        lines += ["", "#### What it flags", "", _paragraphs(docs.what),
                  "", "#### Why it matters", "", _paragraphs(docs.why),
                  "", "#### What to write instead", "", _paragraphs(docs.instead)]
        if docs.references:
            lines += ["", "#### References", ""] + [f"- {escape(r)}" for r in docs.references]
    if docs_url:
        lines += ["", f"[{diagnostic.code} documentation]({docs_url})"]
    return "\n".join(lines)


def hover_markdown(entries: Sequence[tuple[Diagnostic, Rule | None, str | None]]) -> str:
    """Every finding under the cursor, separated by rules."""
    return "\n\n---\n\n".join(finding_markdown(*entry) for entry in entries)
