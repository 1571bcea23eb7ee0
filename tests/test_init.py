"""``healthlint init`` on small trees of each site generator: what it detects, why, and a
configuration that loads and points a run at the site's copy."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from healthlint.cli import EXIT_ERROR, EXIT_OK, main
from healthlint.config import settings_from_file
from healthlint.init import detect

PACKAGE = 'import x from "y";\n'


def tree(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def package(*dependencies: str) -> str:
    return json.dumps({"dependencies": dict.fromkeys(dependencies, "1.0.0")})


SITES = {
    "Hugo": ({"hugo.toml": 'baseURL = "https://clinic.example/"\n', "content/_index.md": "",
              "layouts/index.html": "", "data/team.yaml": "", "README.md": ""},
             "found hugo.toml", ["content/", "layouts/", "data/"]),
    "Hugo (config.toml)": ({"config.toml": 'baseurl = "https://clinic.example/"\n',
                            "content/a.md": "", "archetypes/default.md": ""},
                           "found config.toml with a baseURL", ["content/"]),
    "Jekyll": ({"_config.yml": "title: Clinic\n", "_posts/2024-01-01-a.md": "",
                "_data/team.yml": "", "index.html": ""},
               "found _config.yml", ["*.md", "*.markdown", "*.html", "_data/"]),
    "Eleventy": ({".eleventy.js": 'module.exports = () => ({ dir: { input: "src" } });\n',
                  "src/index.njk": "", "src/_data/site.json": ""},
                 "found .eleventy.js", ["src/**/*.md", "src/**/*.njk", "src/_data/"]),
    "Astro": ({"astro.config.mjs": "export default {};\n", "src/pages/index.astro": ""},
              "found astro.config.mjs", ["src/"]),
    "Next.js": ({"package.json": package("next", "react"), "app/page.tsx": PACKAGE,
                 "app/api/route.ts": PACKAGE, "components/Hero.tsx": PACKAGE,
                 "lib/constants.ts": PACKAGE},
                "package.json depends on next", ["app/", "components/", "lib/"]),
    "Gatsby": ({"gatsby-config.js": "module.exports = {};\n", "package.json": package("gatsby"),
                "src/pages/index.js": PACKAGE},
               "found gatsby-config.js", ["src/", "gatsby-config.js"]),
    "Docusaurus": ({"docusaurus.config.js": "module.exports = {};\n", "docs/intro.md": "",
                    "blog/2024-01-01.md": "", "src/pages/index.js": PACKAGE,
                    "package.json": package("@docusaurus/core", "react")},
                   "found docusaurus.config.js", ["docs/", "blog/", "src/pages/"]),
    "plain HTML": ({"public/index.html": "<p>Hi</p>\n", "public/about.html": ""},
                   "found public/index.html", ["public/**/*.html", "public/**/*.htm"]),
}


@pytest.mark.parametrize("label", SITES)
def test_each_generator_is_detected_with_its_reason(tmp_path: Path, label: str, capsys) -> None:
    files, reason, include = SITES[label]
    root = tree(tmp_path, files)
    generator = label.split(" (")[0]
    assert main(["init", str(root)]) == EXIT_OK
    out = capsys.readouterr().out
    assert f"Detected {generator}:" in out and reason in out
    written = root / ".healthlint.yaml"
    assert f"Wrote {written}" in out
    settings = settings_from_file(written)
    assert settings is not None
    assert all(glob in settings.include for glob in include), settings.include
    assert yaml.safe_load(written.read_text(encoding="utf-8"))["include"] == list(settings.include)


def test_next_api_routes_are_excluded(tmp_path: Path) -> None:
    root = tree(tmp_path, SITES["Next.js"][0])
    detection, _ = detect(root)
    assert detection is not None and "app/api/" in detection.exclude


def test_a_gatsby_site_that_also_depends_on_react_is_gatsby_not_something_else(
        tmp_path: Path) -> None:
    root = tree(tmp_path, {**SITES["Gatsby"][0], "index.html": "<p>x</p>"})
    detection, others = detect(root)
    assert detection is not None and detection.generator == "Gatsby"
    assert [other.generator for other in others] == ["plain HTML"]


def test_nothing_recognised_still_writes_a_working_configuration(tmp_path: Path, capsys) -> None:
    tree(tmp_path, {"notes.txt": "Hi\n"})
    assert main(["init", str(tmp_path)]) == EXIT_OK
    assert "No site generator recognised" in capsys.readouterr().out
    settings = settings_from_file(tmp_path / ".healthlint.yaml")
    assert settings is not None and settings.include == ()


def test_an_existing_configuration_is_kept_unless_forced(tmp_path: Path, capsys) -> None:
    tree(tmp_path, {"astro.config.mjs": "", ".healthlint.yaml": "select: [HL1]\n"})
    assert main(["init", str(tmp_path)]) == EXIT_ERROR
    assert "already configures healthlint; use --force" in capsys.readouterr().err
    assert (tmp_path / ".healthlint.yaml").read_text(encoding="utf-8") == "select: [HL1]\n"
    assert main(["init", "--force", str(tmp_path)]) == EXIT_OK
    assert "Astro" in (tmp_path / ".healthlint.yaml").read_text(encoding="utf-8")


def test_a_pyproject_table_counts_as_a_configuration(tmp_path: Path, capsys) -> None:
    tree(tmp_path, {"pyproject.toml": "[tool.healthlint]\nselect = ['HL1']\n"})
    assert main(["init", str(tmp_path)]) == EXIT_ERROR
    assert "pyproject.toml already configures healthlint" in capsys.readouterr().err


DECAP = """\
backend: {name: git-gateway}
collections:
  - name: services
    folder: content/services
    fields:
      - {name: title, widget: string}
      - {name: date, widget: datetime}
      - name: hero
        widget: object
        fields: [{name: heading, widget: string}, {name: photo, widget: image}]
      - name: faqs
        widget: list
        fields: [{name: q, widget: string}, {name: a, widget: markdown}]
      - {name: perks, widget: list}
      - {name: body, widget: markdown}
  - name: settings
    files:
      - {file: site/data/contact.yml, name: contact, fields: [{name: phone, widget: string}]}
"""


def test_decap_cms_fields_become_published_field_patterns(tmp_path: Path, capsys) -> None:
    root = tree(tmp_path, {"hugo.toml": "", "content/services/knee.md": "",
                           "static/admin/config.yml": DECAP})
    assert main(["init", str(root)]) == EXIT_OK
    assert "Decap/Netlify CMS configuration at static/admin/config.yml" in capsys.readouterr().out
    settings = settings_from_file(root / ".healthlint.yaml")
    assert settings is not None
    assert settings.extend_published_fields == (
        "title", "hero.heading", "faqs[].q", "faqs[].a", "perks[]")
    assert settings.data_paths is not None and "site/data/contact.yml" in settings.data_paths


def test_the_written_configuration_lints_the_copy_and_not_the_tooling(
        tmp_path: Path, capsys, monkeypatch: pytest.MonkeyPatch) -> None:
    claim = "Our PRP injections are extremely safe."
    root = tree(tmp_path, {
        "hugo.toml": 'baseURL = "https://clinic.example/"\n',
        "content/knee.md": f"---\ntitle: Knee\nfaqs:\n  - a: {claim}\n---\nBook a visit.\n",
        "layouts/_default/single.html": f"{{{{ define \"main\" }}}}<p>{claim}</p>{{{{ end }}}}\n",
        "README.md": f"{claim}\n",
        "themes/base/README.md": f"{claim}\n",
        "scripts/notes.md": f"{claim}\n",
    })
    monkeypatch.chdir(root)
    assert main(["init"]) == EXIT_OK
    capsys.readouterr()
    main(["check", "--output-format", "json"])
    report = json.loads(capsys.readouterr().out)
    assert sorted({d["path"] for d in report["diagnostics"] if d["code"] == "HL104"}) == [
        "content/knee.md", "layouts/_default/single.html"]
