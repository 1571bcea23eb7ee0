"""Build ``rules/health/terms/condition_index.txt`` from the Human Disease Ontology.

The Human Disease Ontology (DO, https://disease-ontology.org) is dedicated to the public
domain under CC0 1.0. This script reads a DO release and writes its disease names and
exact synonyms as a term-class phrase file, normalised to how marketing copy writes them.

Inputs (any mix, all from one release):

- ``doid.obo``, the complete release (``http://purl.obolibrary.org/obo/doid.obo``, or
  ``src/ontology/releases/doid.obo`` at a release tag of
  https://github.com/DiseaseOntology/HumanDiseaseOntology): every label and exact synonym.
- ``DOreports/HumanDO.tsv`` from the same repository (columns ``id``, ``label``): every
  label, no synonyms. Together with the subset files below it stands in for doid.obo.
- any ``.obo`` subset of the release (``src/ontology/releases/subsets/*.obo``): labels and
  exact synonyms of the terms in that subset.

The shipped file was built from HumanDO.tsv and every subset ``.obo`` of release
v2026-07-31 (see ``rules/health/terms/SOURCES.md`` for the exact command).

What the normaliser does, and why (a name has to read as a page would write it):

- drops parenthetical remarks, code-book qualifiers (``unspecified``, ``NOS``, ``initial
  encounter``, laterality) and names with commas, numbers other than ``type 1/2``,
  roman numerals, or more than five words: these are classification names, not words
  people use;
- writes eponyms both ways (``Alzheimer['s|s] disease``), countable heads with a plural
  ending (``cyst[s]``) and British spellings (``leuk{e|ae}mia``);
- keeps short all-capital synonyms (``COPD``) as case-sensitive phrases, since an
  acronym in lower case is usually another word;
- drops names that are ordinary English words or generic class words (``STOPLIST``) and
  any name the wellness class lists: a structure/function word is not a disease;
- deduplicates case-insensitively (hyphen, space and possessive variants count as one)
  and sorts.

Run time needs the standard library only. ``main(argv) -> int``; exit 0 on success,
1 when ``--check`` finds the output out of date, 2 on bad input.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import re
import sys
import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from lexicon_syntax import LexiconError, expand, parse_file, surfaces  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
TERMS = REPO / "rules" / "health" / "terms"
LICENCE = "CC0 1.0 Universal (https://creativecommons.org/publicdomain/zero/1.0/)"
MAX_WORDS = 5

# Names dropped from the index, matched against the whole normalised name (lower case).
# Ordinary words whose everyday sense is not a disease ("cold" is a temperature, "shock"
# a surprise, "leeches" an animal):
ORDINARY_WORDS = frozenset(
    """
    ache aches affliction ageing aging alcohol appetite bends bite bites blister blisters
    block boil boils bruise bump burn burns carrier chill chills cold colds corn corns
    crabs crash craving cramp cramps cut distress drop fall falls fever fits grief growth
    habit hunger itch leeches mass moles obsession panic plague runs sadness scab scar
    shock sore sores spots sting stings strain stress swelling thirst tic tics wasting
    weakness wound gas stone stones
    """.split()
)
# Generic class words that name no condition by themselves ("syndrome", "disorder"):
GENERIC_WORDS = frozenset(
    """
    abnormality acute chronic condition conditions defect deficiency disability disease
    diseases disorder disorders handicap illness infection infections injuries injury
    lesion lesions neoplasm sickness syndrome syndromes trauma tumor tumour ulcer
    """.split()
)
# Everyday words that do name a condition in health copy but also name a normal state
# or a wellness topic; rules/health/terms/condition.txt decides their senses by hand
# ("anxiety" yes, "stress" and "fatigue" no, "cancer" and "stroke" with care):
HAND_CURATED = frozenset(
    """
    allergy anxiety bloating cancer cough dizziness fatigue flu fracture headache
    headaches hiccups hives inflammation insomnia lameness malaise mood nausea
    overweight pain palsy paralysis poisoning rash sneezing spasm sprain stiffness
    stroke tiredness wart warts wheezing
    """.split()
)
# Outdated or stigmatising names the ontology keeps as synonyms, and paraphilias: no
# health product is sold against them, and a finding should never quote them.
OUTDATED_NAMES = frozenset(
    """
    bestiality cretinism exhibitionism fetishism freemartinism gargoylism
    hermaphroditism leprechaunism mongolism paedophilia pedophilia transvestism
    voyeurism
    """.split()
)
OUTDATED_WORDS = frozenset("retardation retarded idiocy imbecility mongoloid cretinoid".split())
STOPLIST = ORDINARY_WORDS | GENERIC_WORDS | HAND_CURATED | OUTDATED_NAMES

# A capitalised word before one of these heads is an eponym: write it with and
# without the possessive ("Hodgkin lymphoma", "Hodgkin's lymphoma", "Hodgkins lymphoma").
EPONYM_HEADS = frozenset(
    """
    disease syndrome palsy lymphoma sarcoma tumor tumour disorder thyroiditis esophagus
    phenomenon contracture cyst neuroma anomaly ataxia dystrophy encephalopathy
    encephalitis arthritis fracture neuralgia ulcer anemia angina chorea
    """.split()
)

# Heads a page writes in the plural ("ovarian cysts", "kidney stones").
PLURAL_HEADS: dict[str, str] = {
    **{w: "[s]" for w in """
        disease disorder infection tumor tumour cancer cyst ulcer stone polyp wart
        fracture lesion migraine headache seizure aneurysm cataract sprain spasm cramp
        bunion carcinoma lymphoma sarcoma adenoma neoplasm infarction malformation defect
        condition tear hernia fibroid nodule boil blister sore
        """.split()},
    "abscess": "[es]",
    "allergy": "{y|ies}",
    "injury": "{y|ies}",
    "anomaly": "{y|ies}",
    "deformity": "{y|ies}",
    "deficiency": "{y|ies}",
}

# British spellings DO also lists, folded into the American one before decorating.
AMERICAN = (
    (re.compile(r"tumour"), "tumor"),
    (re.compile(r"aemia"), "emia"),
    (re.compile(r"^haem(?=[aoa])"), "hem"),
    (re.compile(r"^oesophag"), "esophag"),
    (re.compile(r"^oedema"), "edema"),
    (re.compile(r"diarrhoea"), "diarrhea"),
    (re.compile(r"^ischaemi"), "ischemi"),
)

# British spellings, applied to the literal text of one word.
BRITISH = (
    (re.compile(r"emia"), "{e|ae}mia"),
    (re.compile(r"^hem(?=[aoa])"), "h{e|ae}m"),
    (re.compile(r"tumor"), "tum{o|ou}r"),
    (re.compile(r"^esophag"), "{e|oe}sophag"),
    (re.compile(r"^edema"), "{e|oe}dema"),
    (re.compile(r"diarrhea"), "diarrh{e|oe}a"),
    (re.compile(r"^ischemi"), "isch{e|ae}mi"),
)

QUALIFIERS = re.compile(
    r",?\s*\b(?:unspecified|not otherwise specified|not elsewhere classified|NOS|NEC|"
    r"initial encounter|subsequent encounter|sequela|of unspecified site|"
    r"left|right|bilateral|unilateral)\b",
    re.IGNORECASE,
)
ROMAN = re.compile(r"^(?:[IVX]+|[IVX]+(?:st|nd|rd|th))$")
TYPE_NUMBER = re.compile(r"\btype (?:1|2|I|II)\b")
DIGIT_TOKENS = re.compile(r"^(?:COVID-19|H1N1|H5N1|HIV-1|HIV-2)$", re.IGNORECASE)
ACRONYM_SYNONYM = "OMO:0003012"
GENERIC_PREFIXES = ("disease of ", "disease by ", "disease with ", "disorder of ")
SHORTEST_SINGLE_WORD = 4


@dataclass
class Term:
    """One DO term: its label first, then its exact synonyms (acronyms set apart)."""

    ident: str
    names: list[str] = field(default_factory=list)
    acronyms: list[str] = field(default_factory=list)
    obsolete: bool = False


@dataclass
class Release:
    """What the inputs said about themselves, for the file header."""

    versions: set[str] = field(default_factory=set)
    inputs: list[tuple[str, str]] = field(default_factory=list)


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


OBO_SYNONYM = re.compile(r'^synonym: "((?:[^"\\]|\\.)*)" (EXACT|BROAD|NARROW|RELATED)\b(.*)$')


def read_obo(path: Path, release: Release) -> Iterator[Term]:
    """Terms of an OBO file: ``name`` and ``EXACT`` synonyms; obsolete terms flagged."""
    term: Term | None = None
    with path.open(encoding="utf-8") as handle:
        for number, raw in enumerate(handle, start=1):
            line = raw.rstrip("\n")
            if line.startswith("["):
                if term is not None:
                    yield term
                term = Term("") if line == "[Term]" else None
                continue
            if term is None:
                if line.startswith("data-version:"):
                    release.versions.add(line.split(":", 1)[1].strip())
                continue
            key, sep, value = line.partition(": ")
            if line and not sep and not line.startswith("!"):
                raise ValueError(f"{path}:{number}: not an OBO tag-value line")
            if key == "id":
                term.ident = value.strip()
            elif key == "name":
                term.names.insert(0, value.strip())
            elif key == "is_obsolete" and value.strip() == "true":
                term.obsolete = True
            elif key == "synonym":
                found = OBO_SYNONYM.match(line)
                if found is None:
                    raise ValueError(f"{path}:{number}: malformed synonym line")
                text = found.group(1).replace('\\"', '"')
                if found.group(2) != "EXACT":
                    continue
                (term.acronyms if ACRONYM_SYNONYM in found.group(3) else term.names).append(text)
    if term is not None:
        yield term


def read_tsv(path: Path) -> Iterator[Term]:
    """Terms of a DO report TSV with ``id`` and ``label`` columns (labels only)."""
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle, delimiter="\t")
        if reader.fieldnames is None or not {"id", "label"} <= set(reader.fieldnames):
            raise ValueError(f"{path}:1: needs the columns 'id' and 'label'")
        for row in reader:
            if row["id"] and row["label"]:
                yield Term(row["id"].strip(), [row["label"].strip()])


def read_terms(paths: Iterable[Path], release: Release) -> dict[str, Term]:
    """All inputs merged by DO id; a term obsolete in any input is left out."""
    merged: dict[str, Term] = {}
    for path in paths:
        release.inputs.append((path.name, _sha256(path)))
        terms = read_obo(path, release) if path.suffix == ".obo" else read_tsv(path)
        for term in terms:
            if not term.ident.startswith("DOID:"):
                continue
            have = merged.setdefault(term.ident, Term(term.ident))
            have.obsolete = have.obsolete or term.obsolete
            # Every input lists a term's label first, so ``names[0]`` stays the label.
            have.names.extend(n for n in term.names if n not in have.names)
            have.acronyms.extend(a for a in term.acronyms if a not in have.acronyms)
    return {k: v for k, v in merged.items() if not v.obsolete}


def canonical_key(name: str) -> str:
    """What two spellings of one name share: case, possessives, hyphens, accents."""
    text = unicodedata.normalize("NFKD", name)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    text = text.replace("’", "'").replace("-", " ")
    text = re.sub(r"'s\b", "", text)
    text = re.sub(r"s'(?=\s|$)", "s", text)
    return " ".join(text.split())


def _looks_like_acronym(token: str) -> bool:
    """``GvHD``, ``aCML``, ``CDGIIa``: two capitals in a word, or a capital after a small."""
    letters = [ch for ch in token if ch.isalpha()]
    return sum(ch.isupper() for ch in letters) >= 2 or any(
        a.islower() and b.isupper() for a, b in zip(token, token[1:], strict=False)
    )


def clean(name: str) -> tuple[str | None, str]:
    """A DO name as a plain phrase, or ``None`` and the reason it was dropped."""
    text = unicodedata.normalize("NFC", name).replace("’", "'").strip()
    text = re.sub("[\u2010\u2011\u2013\u2014]", "-", text)
    text = re.sub(r"\s*[(\[][^()\[\]]*[)\]]", "", text)
    text = QUALIFIERS.sub("", text).strip(" ,")
    text = " ".join(text.split())
    if not text:
        return None, "empty after qualifiers"
    if any(ch in text for ch in ",;:\"()[]{}|=@#/+"):
        return None, "punctuation (a code-book, inverted or compound name)"
    if any(not (ch.isalnum() or ch in " '-.&") for ch in text):
        return None, "character outside the phrase language"
    if text.isupper() and " " in text:
        text = text.lower()  # an OMIM-style title in capitals, not an acronym
    tokens = text.split(" ")
    if any("." in t and t not in ("St.", "st.") for t in tokens):
        return None, "punctuation (a code-book, inverted or compound name)"
    if len(tokens) > MAX_WORDS:
        return None, f"more than {MAX_WORDS} words"
    if "or" in tokens:
        return None, "two names in one (X or Y)"
    if any(t.lower() in OUTDATED_WORDS for t in tokens):
        return None, "outdated or stigmatising name"
    masked = TYPE_NUMBER.sub("type", text)
    for token in masked.split(" "):
        if ROMAN.match(token) or (any(ch.isdigit() for ch in token) and not DIGIT_TOKENS.match(token)):
            return None, "number, roman numeral or code"
    if len(tokens) == 1 and (len(text) < SHORTEST_SINGLE_WORD or _looks_like_acronym(text)):
        return None, "acronym or abbreviation"
    if all(_looks_like_acronym(t) for t in tokens if t[:1].isalpha()):
        return None, "acronym or abbreviation"
    if len(tokens) > 1 and all(t[:1].isupper() for t in tokens if t[:1].isalpha()):
        # Title Case (a heading style of some synonyms): lower every word but acronyms.
        text = " ".join(t if _looks_like_acronym(t) else t.lower() for t in tokens)
    if canonical_key(text).startswith(GENERIC_PREFIXES):
        return None, "ontology class name"
    return text, ""


def _possessive(token: str, next_token: str | None, eponyms: frozenset[str]) -> str:
    """``Alzheimer's`` -> ``Alzheimer['s|s]``; a known eponym before an eponym head too
    (``Hodgkin lymphoma``)."""
    bare, had = token, False
    if token.endswith("'s"):
        bare, had = token[:-2], True
    elif token.endswith("s'"):
        bare, had = token[:-1], True
    if not bare or not bare[-1].isalpha():
        return token
    eponym = bare.lower() in eponyms and next_token in EPONYM_HEADS
    if not (had or eponym):
        return token
    return f"{bare}[']" if bare.endswith("s") else f"{bare}['s|s]"


def _british(word: str) -> str:
    for pattern, replacement in BRITISH:
        if "{" in word:
            break
        word = pattern.sub(replacement, word, count=1)
    return word


def singular_head(text: str) -> str:
    """``adrenal cortical tumors`` -> ``adrenal cortical tumor``: the plural is an ending."""
    head, _, last = text.rpartition(" ")
    if not head:
        return text
    lower = last.lower()
    for singular, ending in PLURAL_HEADS.items():
        plural = singular[:-1] + "ies" if ending.startswith("{") else singular + ending.strip("[]")
        if lower == plural:
            return f"{head} {singular}"
    return text


def americanise(text: str) -> str:
    """``tumour`` -> ``tumor``, ``leukaemia`` -> ``leukemia`` (words not in capitals)."""
    words = []
    for word in text.split(" "):
        if word.islower() or word.istitle():
            folded = word.lower()
            for pattern, replacement in AMERICAN:
                folded = pattern.sub(replacement, folded)
            word = folded.capitalize() if word.istitle() else folded
        words.append(word)
    return " ".join(words)


def display_case(text: str, common: frozenset[str]) -> str:
    """Lower case for every word DO also writes in lower case; names keep capitals."""
    return " ".join(t.lower() if t.lower() in common else t for t in text.split(" "))


def decorate(text: str, eponyms: frozenset[str]) -> str:
    """Possessive, British and plural variants of a clean name, in phrase syntax."""
    tokens = text.split(" ")
    out: list[str] = []
    for i, token in enumerate(tokens):
        following = tokens[i + 1].lower() if i + 1 < len(tokens) else None
        word = _possessive(token, following, eponyms)
        if word != token or not token.islower():
            out.append(word)
            continue
        ending = PLURAL_HEADS.get(token) if i == len(tokens) - 1 and i > 0 else None
        if ending is None:
            out.append(_british(token))
        elif ending.startswith("{"):
            out.append(_british(token[:-1]) + ending)
        else:
            out.append(_british(token) + ending)
    return " ".join(out)


def wellness_surfaces(path: Path) -> set[str]:
    """Every text the wellness class matches (case folded), to subtract from diseases."""
    if not path.is_file():
        return set()
    found: set[str] = set()
    for phrase in parse_file(path).phrases:
        for variant in phrase.variants:
            found.update(s.lower() for s in surfaces(variant, False))
    return found


@dataclass
class Build:
    """The phrases kept and why the rest were dropped."""

    phrases: dict[str, str] = field(default_factory=dict)
    dropped: Counter[str] = field(default_factory=Counter)
    examples: dict[str, list[str]] = field(default_factory=dict)

    def drop(self, reason: str, name: str) -> None:
        self.dropped[reason] += 1
        examples = self.examples.setdefault(reason, [])
        if len(examples) < 8:
            examples.append(name)


def lowercase_vocabulary(terms: dict[str, Term]) -> frozenset[str]:
    """Words DO writes in lower case somewhere: such a word is no proper name."""
    return frozenset(
        token for term in terms.values() for name in term.names for token in name.split()
        if token.islower()
    )


def eponym_vocabulary(terms: dict[str, Term]) -> frozenset[str]:
    """Capitalised words DO writes with a possessive somewhere ("Hodgkin's"): eponyms."""
    found: set[str] = set()
    for term in terms.values():
        for name in term.names:
            for token in name.replace("’", "'").split():
                bare = token[:-2] if token.endswith("'s") else token[:-1] if token.endswith("s'") else ""
                if bare[:1].isupper() and bare.isalpha():
                    found.add(bare.lower())
    return frozenset(found)


def build(terms: dict[str, Term], wellness: set[str]) -> Build:
    """Normalise every name; keep one phrase per canonical key."""
    result = Build()
    common = lowercase_vocabulary(terms)
    eponyms = eponym_vocabulary(terms)
    preferred: dict[str, tuple[int, str]] = {}
    for term in sorted(terms.values(), key=lambda t: t.ident):
        for acronym in term.acronyms:
            # Acronyms collide with words, brands and product names (PRP names a skin
            # disease too); the common ones are curated by hand in condition.txt.
            result.drop("acronym synonym", acronym)
        for rank, name in enumerate(term.names):
            text, reason = clean(name)
            if text is None:
                result.drop(reason, name)
                continue
            text = americanise(display_case(singular_head(text), common))
            key = canonical_key(text)
            if key in STOPLIST:
                result.drop("ordinary, generic or hand-curated word", name)
                continue
            phrase = decorate(text, eponyms)
            variants = expand(phrase, ("<generated>", 0))
            if any(s.lower() in wellness for v in variants for s in surfaces(v, False)):
                result.drop("wellness phrase", name)
                continue
            # Prefer a label to a synonym, and a hyphenated spelling (it matches the
            # spaced and closed ones too) to a spaced one.
            score = (0 if rank == 0 else 10) + (0 if "-" in text else 1)
            if key not in preferred or score < preferred[key][0]:
                preferred[key] = (score, phrase)
    for key in sorted(preferred):
        result.phrases[key] = preferred[key][1]
    return result


def release_dates(release: Release) -> list[str]:
    """Release dates named by the inputs' ``data-version`` lines."""
    dates = {m.group(1) for v in release.versions for m in [re.search(r"(\d{4}-\d{2}-\d{2})", v)] if m}
    return sorted(dates)


def render(result: Build, release: Release, command: str) -> str:
    """The phrase file: a short description block, the provenance block, the phrases."""
    dates = release_dates(release)
    version = f"release {', '.join(dates)}" if dates else "release not stated in the inputs"
    lines = [
        "# Disease and condition names from the Human Disease Ontology (labels and exact",
        "# synonyms), normalised to how health marketing writes them. Generated file.",
        "",
        "# Do not edit by hand: change scripts/build_condition_lexicon.py and regenerate.",
        f"# Source: Human Disease Ontology (https://disease-ontology.org), {version}",
        f"# Licence: {LICENCE}",
        "# Inputs (sha256):",
        *(f"#   {name} {digest}" for name, digest in release.inputs),
        f"# Regenerate: {command}",
        f"# Phrases: {len(result.phrases)}",
        "",
        *result.phrases.values(),
    ]
    return "\n".join(lines) + "\n"


def _relative(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(REPO))
    except ValueError:
        return path.name


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("inputs", nargs="+", type=Path, help="doid.obo, HumanDO.tsv or subset .obo files")
    parser.add_argument("--out", type=Path, default=TERMS / "condition_index.txt")
    parser.add_argument("--wellness", type=Path, default=TERMS / "wellness.txt")
    parser.add_argument("--check", action="store_true", help="exit 1 if --out differs from a fresh build")
    parser.add_argument("--report", action="store_true", help="print why names were dropped")
    args = parser.parse_args(argv)

    release = Release()
    try:
        wellness = wellness_surfaces(args.wellness)
        terms = read_terms(sorted(args.inputs, key=lambda p: p.name), release)
    except (OSError, ValueError, LexiconError) as exc:
        print(f"build_condition_lexicon: {exc}", file=sys.stderr)
        return 2
    result = build(terms, wellness)
    command = "python scripts/build_condition_lexicon.py INPUTS... (see rules/health/terms/SOURCES.md)"
    text = render(result, release, command)
    if args.report:
        print(f"terms read: {len(terms)}; phrases kept: {len(result.phrases)}")
        for reason, count in result.dropped.most_common():
            print(f"  dropped {count:6d}  {reason}: {'; '.join(result.examples[reason])}")
    if args.check:
        current = args.out.read_text(encoding="utf-8") if args.out.is_file() else ""
        if current != text:
            print(f"{_relative(args.out)} is out of date; rerun without --check", file=sys.stderr)
            return 1
        return 0
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    print(f"wrote {_relative(args.out)}: {len(result.phrases)} phrases from {len(terms)} terms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
