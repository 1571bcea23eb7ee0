#!/usr/bin/env python3
"""Throughput of each document format on a generated mixed-format site, beside Markdown.

usage: python bench/formats.py [--files 2000] [--runs 5] [--seed 7] [--keep DIR]

Generates a site of ``--files`` pages (Markdown, MDX, HTML, Liquid and Go-template
layouts, TSX, JSX, Astro, YAML and JSON data) in a temporary folder, with the same
health-marketing copy in every format, and then, in this process, with one
:class:`healthlint.Linter`:

  parse  files per second through the format alone (``format.parse``)
  lint   files per second through ``Linter.lint_file``: read, parse, rules, suppression
  vs md  lint throughput as a share of Markdown's (per file, and per MB)

Each figure is the median over ``--runs`` runs after one warm-up run (the warm-up also
pays for the lazy imports: tree-sitter, PyYAML). The ``first parse`` column is measured
in a fresh process per format, once the linter exists: the time the format takes to read
its first file, which includes importing its reader and parser; ``loads`` lists the
modules that first read imported (none of them is loaded before a file of that kind is
read). The last line is one whole ``healthlint check --jobs 1`` process over the site.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]

SENTENCES = [
    "Our clinic offers gentle knee care for runners and walkers.",
    "Book a consultation with our team to plan your treatment.",
    "Our PRP injections are extremely safe and fully natural.",
    "Most patients return to light activity within a few days.",
    "We combine physical therapy with careful follow-up visits.",
    "Studies show that regenerative therapy can reduce pain.",
    "The IV drip bar opens early on weekdays for busy people.",
    "Ask about our membership plans and seasonal offers.",
    "Every plan starts with a review of your health history.",
    "Results vary from person to person and are not guaranteed.",
]
HEADINGS = ["Knee care", "Recovery", "Our team", "Pricing", "Questions", "Visit us"]


def _paragraph(rng: random.Random, sentences: int = 4) -> str:
    return " ".join(rng.choice(SENTENCES) for _ in range(sentences))


def _markdown(rng: random.Random) -> str:
    parts = [f"---\ntitle: {rng.choice(HEADINGS)}\ndescription: {rng.choice(SENTENCES)}\n"
             f"hero:\n  heading: {rng.choice(SENTENCES)}\n  image: /img/hero.jpg\n---\n"]
    for _ in range(6):
        parts.append(f"## {rng.choice(HEADINGS)}\n\n{_paragraph(rng)}\n\n"
                     f"- {rng.choice(SENTENCES)}\n- {rng.choice(SENTENCES)}\n")
    return "\n".join(parts)


def _mdx(rng: random.Random) -> str:
    body = "\n\n".join(f"<Callout kind=\"info\">\n{_paragraph(rng)}\n</Callout>\n\n"
                       f"## {rng.choice(HEADINGS)}\n\n{_paragraph(rng)} {{props.note}}"
                       for _ in range(5))
    return f"import Callout from '../components/Callout'\n\n# {rng.choice(HEADINGS)}\n\n{body}\n"


def _html(rng: random.Random) -> str:
    sections = "\n".join(f"<section class=\"block\"><h2>{rng.choice(HEADINGS)}</h2>\n"
                         f"<p>{_paragraph(rng)}</p>\n<ul><li>{rng.choice(SENTENCES)}</li>"
                         f"<li>{rng.choice(SENTENCES)}</li></ul></section>" for _ in range(6))
    return (f"<!doctype html>\n<html><head><title>{rng.choice(HEADINGS)}</title>\n"
            f"<meta name=\"description\" content=\"{rng.choice(SENTENCES)}\"></head>\n"
            f"<body>\n{sections}\n<script>var x = 1;</script></body></html>\n")


def _liquid(rng: random.Random) -> str:
    sections = "\n".join(f"{{% if page.show %}}<section class=\"{{{{ page.class }}}}\">\n"
                         f"  <h2>{{{{ page.title | escape }}}}</h2>\n  <p>{_paragraph(rng)}</p>\n"
                         f"  {{% for item in site.data.items %}}<li>{{{{ item.name }}}}</li>"
                         f"{{% endfor %}}\n</section>{{% endif %}}" for _ in range(6))
    return f"---\nlayout: default\ntitle: {rng.choice(HEADINGS)}\n---\n{sections}\n"


def _gotemplate(rng: random.Random) -> str:
    sections = "\n".join(f"{{{{ with .Params.block }}}}<section>\n  <h2>{{{{ .Title }}}}</h2>\n"
                         f"  <p>{_paragraph(rng)}</p>\n  {{{{- range .Pages }}}}"
                         f"<li>{{{{ .Title }}}}</li>{{{{ end -}}}}\n</section>{{{{ end }}}}"
                         for _ in range(6))
    return f'{{{{ define "main" }}}}\n{sections}\n{{{{ end }}}}\n'


def _tsx(rng: random.Random) -> str:
    items = ",\n".join(f'  {{ question: "{rng.choice(SENTENCES)}", answer: "{_paragraph(rng, 2)}",'
                       f' href: "/faq/{n}" }}' for n in range(6))
    sections = "\n".join(f'      <section className="py-8 px-4">\n'
                         f"        <h2>{rng.choice(HEADINGS)}</h2>\n"
                         f"        <p>{_paragraph(rng)}</p>\n      </section>"
                         for _ in range(4))
    return (f'import Hero from "../components/Hero";\n\nconst FAQS = [\n{items}\n];\n\n'
            f"export default function Page(): JSX.Element {{\n  return (\n    <main>\n"
            f'      <Hero title="{rng.choice(SENTENCES)}" image="/img/hero.jpg" />\n'
            f"{sections}\n    </main>\n  );\n}}\n")


def _jsx(rng: random.Random) -> str:
    return _tsx(rng).replace("(): JSX.Element", "()")


def _astro(rng: random.Random) -> str:
    sections = "\n".join(f'  <section class="block">\n    <h2>{{title}}</h2>\n'
                         f"    <p>{_paragraph(rng)}</p>\n  </section>" for _ in range(5))
    return (f'---\nimport Layout from "../layouts/Layout.astro";\nconst title = "x";\n---\n'
            f'<Layout title="{rng.choice(SENTENCES)}">\n{sections}\n</Layout>\n')


def _yaml(rng: random.Random) -> str:
    items = "\n".join(f"- name: {rng.choice(HEADINGS)}\n  url: /services/{n}\n"
                      f"  summary: {rng.choice(SENTENCES)}\n  body: |\n    {_paragraph(rng)}\n"
                      f"  price: {100 + n}" for n in range(8))
    return f"{items}\n"


def _json(rng: random.Random) -> str:
    return json.dumps({"testimonials": [
        {"author": rng.choice(HEADINGS), "quote": _paragraph(rng, 3), "photo": f"/img/{n}.jpg",
         "rating": 5} for n in range(8)]}, indent=2)


FORMATS: list[tuple[str, int, str, Callable[[random.Random], str]]] = [
    ("markdown", 20, "content/{n}.md", _markdown),
    ("mdx", 10, "src/pages/{n}.mdx", _mdx),
    ("html", 10, "site/{n}.html", _html),
    ("liquid layout", 8, "_layouts/{n}.html", _liquid),
    ("go layout", 7, "layouts/_default/{n}.html", _gotemplate),
    ("tsx", 13, "app/{n}/page.tsx", _tsx),
    ("jsx", 7, "components/{n}.jsx", _jsx),
    ("astro", 5, "src/components/{n}.astro", _astro),
    ("yaml data", 10, "_data/{n}.yml", _yaml),
    ("json data", 10, "data/{n}.json", _json),
]
"""Label, share of the site in percent, path pattern, generator."""


def generate(root: Path, files: int, seed: int) -> dict[str, list[Path]]:
    rng = random.Random(seed)
    site: dict[str, list[Path]] = {}
    for label, share, pattern, make in FORMATS:
        paths = site.setdefault(label, [])
        for n in range(files * share // 100):
            path = root / pattern.format(n=n)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(make(rng), encoding="utf-8")
            paths.append(path)
    return site


def _median_rate(paths: list[Path], runs: int, action: Callable[[Path], object]) -> float:
    for path in paths:  # warm-up: lazy imports, caches
        action(path)
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        for path in paths:
            action(path)
        timings.append(time.perf_counter() - start)
    return len(paths) / statistics.median(timings)


_FIRST_FILE = """
import sys, time
from healthlint.engine import Linter
linter = Linter()
fmt = linter.format_for(sys.argv[1])
text = open(sys.argv[1], encoding="utf-8").read()
before = set(sys.modules)
start = time.perf_counter()
fmt.parse(text, sys.argv[1])
elapsed = time.perf_counter() - start
loaded = sorted(name for name in set(sys.modules) - before
                if name.startswith(("tree_sitter", "yaml", "pyromark", "tomllib", "tomli",
                                    "healthlint.builtin.formats._")))
print(f"{elapsed * 1000:.0f}", ",".join(name.replace("healthlint.builtin.formats.", "")
                                        for name in loaded) or "-")
"""


def first_file(path: Path) -> tuple[str, str]:
    result = subprocess.run([sys.executable, "-c", _FIRST_FILE, str(path)], capture_output=True,
                            text=True, check=False, cwd=path.parent)
    if result.returncode != 0:
        return "error", result.stderr.strip().splitlines()[-1] if result.stderr else ""
    milliseconds, loaded = result.stdout.split()
    return milliseconds, loaded


def _parser(fmt: Any, texts: dict[Path, str]) -> Callable[[Path], object]:
    return lambda path: fmt.parse(texts[path], str(path))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep", metavar="DIR", help="generate into DIR and keep it")
    args = parser.parse_args(argv)

    sys.path.insert(0, str(REPO / "src"))
    from healthlint.engine import Linter

    with tempfile.TemporaryDirectory(prefix="hl-formats-") as temporary:
        root = Path(args.keep or temporary)
        site = generate(root, args.files, args.seed)
        total = sum(len(paths) for paths in site.values())
        print(f"site: {total} files in {root if args.keep else 'a temporary folder'}, "
              f"median of {args.runs} runs after a warm-up", file=sys.stderr)
        linter = Linter()
        rows = []
        for label, paths in site.items():
            texts = {path: path.read_text(encoding="utf-8") for path in paths}
            size = sum(len(text.encode()) for text in texts.values())
            fmt = linter.format_for(str(paths[0]))
            assert fmt is not None
            parse_rate = _median_rate(paths, args.runs, _parser(fmt, texts))
            lint_rate = _median_rate(paths, args.runs, lambda path: linter.lint_file(str(path)))
            first_ms, loaded = first_file(paths[0])
            rows.append((label, fmt.name, len(paths), size, parse_rate, lint_rate, first_ms,
                         loaded))
            print(f"  {label}: {lint_rate:,.0f} files/s", file=sys.stderr)
        markdown = rows[0]
        print(f"{'format':<14} {'reader':<9} {'files':>5} {'KB/file':>7} {'parse f/s':>10} "
              f"{'lint f/s':>9} {'lint MB/s':>9} {'vs md':>6} {'first parse':>11}  loads")
        for label, reader, count, size, parse_rate, lint_rate, first_ms, loaded in rows:
            megabytes = lint_rate * size / count / 1e6
            ratio = lint_rate / markdown[5]
            print(f"{label:<14} {reader:<9} {count:>5} {size / count / 1000:>7.1f} "
                  f"{parse_rate:>10,.0f} {lint_rate:>9,.0f} {megabytes:>9.2f} {ratio:>6.2f} "
                  f"{first_ms:>8} ms  {loaded}")
        command = [sys.executable, "-m", "healthlint", "check", "--jobs", "1", "-q",
                   "--output-format", "json", "--no-config", str(root)]
        env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
        timings = []
        for _ in range(max(1, args.runs // 2)):
            start = time.perf_counter()
            subprocess.run(command, stdout=subprocess.DEVNULL, check=False, env=env)
            timings.append(time.perf_counter() - start)
        whole = statistics.median(timings)
        print(f"whole site, one process (healthlint check --jobs 1): {total} files in "
              f"{whole:.1f} s, {total / whole:,.0f} files/s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
