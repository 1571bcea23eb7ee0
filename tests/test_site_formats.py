"""A site whose copy lives in components, data files, templates and nested front matter,
linted from the command line: what is read, what is skipped and what the user is told."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest

from healthlint.cli import EXIT_ERROR, EXIT_FINDINGS, EXIT_OK, main

CLAIM = "Our PRP injections are extremely safe."

SITE = {
    "app/page.tsx": f'import Hero from "../components/Hero";\n'
                    f"export default function Page() {{\n"
                    f"  return <main><p>{CLAIM}</p></main>;\n}}\n",
    "components/Hero.test.tsx": f'it("renders", () => render(<p>{CLAIM}</p>));\n',
    "lib/constants.ts": f'export const FAQS = [\n'
                        f'  {{ question: "Is it safe?", answer: "{CLAIM}" }},\n];\n',
    "data/drips.json": json.dumps({"drips": [{"name": "Calm drip", "blurb": CLAIM}]}),
    "package.json": json.dumps({"name": "clinic", "description": CLAIM}),
    "content/knee.md": f"---\ntitle: Knee\nhero:\n  text: {CLAIM}\n---\nBook a consultation.\n",
    "_layouts/default.html": f"<main>{{{{ content }}}}<p>{CLAIM}</p></main>\n",
    "README.md": f"# Developer notes\n\n{CLAIM}\n",
    "public/index.html": f"<p>{CLAIM}</p>\n",
    "node_modules/pkg/page.md": f"{CLAIM}\n",
}


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, dict, str]:
    code = main(["check", "--output-format", "json", *argv])
    out, err = capsys.readouterr()
    return code, json.loads(out), err


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    for name, text in SITE.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    return tmp_path


def _flagged(report: dict) -> list[str]:
    return sorted({d["path"] for d in report["diagnostics"] if d["code"] == "HL104"})


def test_a_walk_reads_the_copy_and_skips_developer_files(site: Path, capsys) -> None:
    code, report, _ = run(capsys)
    assert code == EXIT_FINDINGS
    assert _flagged(report) == ["_layouts/default.html", "app/page.tsx", "content/knee.md",
                                "data/drips.json", "lib/constants.ts"]
    assert report["summary"]["files"] == 5
    assert report["errors"] == []


def test_named_files_are_linted_unless_forced_out(site: Path, capsys) -> None:
    _, report, _ = run(capsys, "README.md", "package.json")
    assert _flagged(report) == ["README.md", "package.json"]
    _, report, err = run(capsys, "--force-exclude", "README.md", "package.json",
                            "app/page.tsx")
    assert _flagged(report) == ["app/page.tsx"]
    assert "healthlint: README.md is not linted: a developer file (README*)" in err
    assert "healthlint: package.json is not linted: .json files are read only under" in err


def test_an_excluded_named_file_is_explained(site: Path, capsys) -> None:
    (site / ".healthlint.yaml").write_text("exclude: ['content/**']\n", encoding="utf-8")
    code, report, err = run(capsys, "content/knee.md")
    assert code == EXIT_OK and report["summary"]["files"] == 0
    assert err == "healthlint: content/knee.md is not linted: excluded by content/**\n"


class _Stdin:
    def __init__(self, data: bytes) -> None:
        self.buffer = io.BytesIO(data)


def test_force_exclude_applies_to_the_stdin_filename(site: Path, capsys,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", _Stdin(f"{CLAIM}\n".encode()))
    code, report, _ = run(capsys, "--stdin-filename", "README.md", "-")
    assert code == EXIT_FINDINGS
    monkeypatch.setattr(sys, "stdin", _Stdin(f"{CLAIM}\n".encode()))
    code, report, err = run(capsys, "--force-exclude", "--stdin-filename", "README.md", "-")
    assert (code, report["diagnostics"]) == (EXIT_OK, [])
    assert "README.md is not linted" in err


def test_data_paths_content_modules_and_props_are_configurable(site: Path, capsys) -> None:
    (site / ".healthlint.yaml").write_text(
        "data-paths: ['settings/']\ncontent-modules: []\npublished-props: [blurb]\n"
        "default-excludes: false\ninclude: ['settings/', 'data/', 'lib/', 'README.md']\n",
        encoding="utf-8")
    (site / "settings").mkdir()
    (site / "settings" / "site.yml").write_text(f"tagline: {CLAIM}\n", encoding="utf-8")
    _, report, _ = run(capsys)
    assert _flagged(report) == ["README.md", "settings/site.yml"]


def test_an_invalid_field_pattern_is_a_configuration_error(site: Path, capsys) -> None:
    (site / ".healthlint.yaml").write_text("published-fields: ['hero..text']\n",
                                           encoding="utf-8")
    code = main(["check", "content/knee.md"])
    _, err = capsys.readouterr()
    assert code == EXIT_ERROR
    assert ".healthlint.yaml:1: published-fields: 'hero..text' is not a key pattern" in err


@pytest.mark.parametrize(("name", "text"), [
    ("app/a.tsx", f"// healthlint-disable-next-line HL104\n"
                  f"export const t = {{ title: \"{CLAIM}\" }};\n"),
    ("app/b.tsx", f"export const A = () => (<div>\n  {{/* healthlint-disable-next-line HL104 */}}\n"
                  f"  <p>{CLAIM}</p>\n</div>);\n"),
    ("src/c.astro", f"<div>\n{{/* healthlint-disable-next-line HL104 */}}\n"
                    f"<p>{CLAIM}</p>\n</div>\n"),
    ("_layouts/d.html", f"{{% comment %}}healthlint-disable-next-line HL104{{% endcomment %}}\n"
                        f"<p>{CLAIM}</p>\n"),
    ("layouts/e.html", f"{{{{/* healthlint-disable-next-line HL104 */}}}}\n<p>{CLAIM}</p>\n"),
    ("_data/f.yml", f"# healthlint-disable-next-line HL104\nquote: {CLAIM}\n"),
    ("data/g.toml", f"quote = \"{CLAIM}\"  # healthlint-disable-line HL104\n"),
    ("content/h.md", f"---\n# healthlint-disable-next-line HL104\ndescription: {CLAIM}\n---\n"),
])
def test_suppression_in_each_format_s_own_comments(site: Path, capsys, name: str,
                                                   text: str) -> None:
    (site / name).parent.mkdir(parents=True, exist_ok=True)
    (site / name).write_text(text, encoding="utf-8")
    _, report, _ = run(capsys, "--report-unused-suppressions", name)
    assert [d["code"] for d in report["diagnostics"] if d["code"] in ("HL104", "HL002")] == []
    (site / name).write_text(text.replace("healthlint-disable", "note"), encoding="utf-8")
    _, report, _ = run(capsys, name)
    assert "HL104" in [d["code"] for d in report["diagnostics"]]
