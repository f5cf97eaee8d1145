#!/usr/bin/env python3
"""gen_rules.py - rebuild the generated rule files from the evaluation data.

usage: python3 rules/tools/gen_rules.py EVAL_DIR [--out RULES_DIR] [--check]

EVAL_DIR is the shared evaluation folder (../shared/eval from the repository
root); it must hold fda/foiclass.txt and the IMDRF AET 2023 CSVs in imdrf/.
RULES_DIR defaults to the rules/ tree this script lives in.

Writes, deterministically (same inputs -> same bytes):
  concepts/device_class.tsv      FDA product codes (foiclass, 2019-07)
  concepts/device_component.tsv  IMDRF Annex G
  concepts/device_problem.tsv    IMDRF Annex A
  concepts/health_effect.tsv     IMDRF Annex E (polyhierarchy, ';' parents)
  concepts/health_impact.tsv     IMDRF Annex F
  terms/<axis>.tsv               surface forms generated from those labels

It reads, and never writes, the curated files (terms/<axis>_curated.tsv,
context/*.tsv, VERSION) and tools/stoplist.tsv. A term spelled in a curated
file of the same axis wins: the generator emits no row for it.

How terms are made (see rules/README.md for the full rules):
  * FDA names are inverted ("Pump, Infusion, Insulin"): parts after the
    first comma are modifiers, read back to front ("insulin infusion pump");
    parts starting with a preposition ("For Pain Relief") trail the head.
    Short forms: first modifier + head, last modifier + head (two
    modifiers, last not generic), name without its trailing part. A short
    form loses to any full name spelling the same words.
  * IMDRF labels: "/", " or ", "and/or" and comma lists are alternations
    (word-level unless both sides are phrases); "(s)" is a plural marker;
    other parentheses are dropped (an upper-case one is kept as an
    abbreviation term); "Convulsion, Clonic" is inverted.
  * Every form gets hyphen (pulse-generator / pulse generator), US/UK
    spelling (hemorrhage / haemorrhage) and singular/plural variants.
  * A term mapping to more than one code of an axis, a one-word term of
    three characters or less, and a term listed as `ambiguous` in
    tools/stoplist.tsv get status=ambiguous; a term listed as `drop` is
    not written.

Not here: reading or writing MedDRA (the Annex E MedDRA map is never read),
brand/model/manufacturer dictionaries, context triggers (hand-written).

Standard library only. SOURCE_DATE_EPOCH, when set, gives the date written
in the file headers; otherwise it is GEN_DATE below (bump it with the code).
"""

import argparse
import csv
import datetime
import hashlib
import os
import re
import sys

GEN_VERSION = "0.1.0"
GEN_DATE = "2026-11-24"
GENERATOR = "rules/tools/gen_rules.py"

FDA_FILE = "fda/foiclass.txt"
FDA_SOURCE = "fda-foiclass-2019-07"
FDA_LICENCE = "public-domain"
IMDRF_LICENCE = "IMDRF"

# axis -> (id tag, IMDRF csv file or None, annex letter)
AXES = {
    "device_class": ("dc", None, None),
    "device_component": (
        "cm", "imdrf/imdrf_aet_2023_annex_g_medical_device_component.csv", "g"),
    "device_problem": (
        "dp", "imdrf/imdrf_aet_2023_annex_a_medical_device_problem.csv", "a"),
    "health_effect": (
        "he",
        "imdrf/imdrf_aet_2023_annex_e_health_effects_clinical_signs.csv",
        "e"),
    "health_impact": (
        "hi", "imdrf/imdrf_aet_2023_annex_f_health_effects_health_impact.csv",
        "f"),
}

IMDRF_TITLES = {
    "device_component": "IMDRF AET 2023 Annex G, medical device component",
    "device_problem": "IMDRF AET 2023 Annex A, medical device problem",
    "health_effect": "IMDRF AET 2023 Annex E, health effects - clinical "
                     "signs, symptoms and conditions",
    "health_impact": "IMDRF AET 2023 Annex F, health effects - health impact",
}

# ---------------------------------------------------------------- text ----

WS = re.compile(r"\s+")


def squash(s):
    return WS.sub(" ", s).strip()


def strip_parens(s):
    """Drop every (...) group, innermost first, and stray parentheses."""
    prev = None
    while prev != s:
        prev = s
        s = re.sub(r"\s*\([^()]*\)", "", s)
    return squash(s.replace("(", " ").replace(")", " "))


def split_top(s, sep=","):
    """Split on sep outside parentheses."""
    parts, depth, cur = [], 0, []
    for ch in s:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth = max(0, depth - 1)
        if ch == sep and depth == 0:
            parts.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
    parts.append("".join(cur))
    return [squash(p) for p in parts if squash(p)]


# --------------------------------------------------- spelling variants ----

# (left context, US, UK, right context), regex fragments. Applied US->UK to
# make the UK form and UK->US to make the US form.
EMIA_STEMS = ("glyc|kal|natr|calc|bacter|ur|tox|hyper|leuk|septic|an|isch|"
              "hypox|phosphat|vol|lipid|bilirubin|ox|thrombocyth|lact")
IZE_STEMS = ("vapor|recogn|hospital|catheter|steril|stabil|immobil|neutral|"
             "visual|crystall|ion|pressur|anod|minim|synchron|optim|normal|"
             "character|author|util|fluid|polymer|organ")
SPELLING = [
    ("both", r"(?<!c)", "hem", "haem", r"(?=[ao])"),
    ("both", r"(?<![a-z])", "edem", "oedem", r""),
    ("both", r"", "gastroesophag", "gastro-oesophag", r""),
    ("both", r"(?<![a-z])", "esophag", "oesophag", r""),
    ("both", r"(?:" + EMIA_STEMS + r")", "emi", "aemi", r"(?=[ac])"),
    ("both", r"(?<!a)", "esthes", "aesthes", r""),
    ("both", r"(?<![a-z])", "fet", "foet", r"(?=al\b|us\b|uses\b)"),
    ("both", r"(?<![a-z])", "ped", "paed", r"(?=iatric)"),
    ("both", r"", "orthoped", "orthopaed", r""),
    ("both", r"", "gynecolog", "gynaecolog", r""),
    ("both", r"", "diarrhea", "diarrhoea", r""),
    ("both", r"", "pnea", "pnoea", r""),
    ("both", r"", "color", "colour", r"(?=\b|ed\b|s\b|ing\b|ation|less\b)"),
    ("both", r"", "tumor", "tumour", r"(?=\b|s\b)"),
    ("both", r"", "fiber", "fibre", r""),
    ("both", r"", "center", "centre", r""),
    ("both", r"", "behavior", "behaviour", r""),
    ("both", r"(?<![a-z])", "odor", "odour", r""),
    ("both", r"", "vapor", "vapour", r"(?=\b|s\b)"),
    ("both", r"", "label", "labell", r"(?=ing\b|ed\b)"),
    ("both", r"", "analyz", "analys", r"(?=e\b|ed\b|er\b|ers\b|es\b|ing\b)"),
    ("both", r"", "leukocyt", "leucocyt", r""),
    ("both", r"(?<![a-z])", "estrogen", "oestrogen", r""),
    ("both", r"", "maneuver", "manoeuvre", r""),
    ("both", r"", "aluminum", "aluminium", r""),
    ("both", r"", "celiac", "coeliac", r""),
    ("both", r"(?<![a-z])", "cesarean", "caesarean", r""),
    ("both", r"", "adapter", "adaptor", r""),
    # -ise words that occur in the sources in UK spelling; the generic -ize
    # rule below is one-way because "precise", "revise", "otherwise" ...
    # must not become -ize.
    ("both", r"(?:" + IZE_STEMS + r")", "iz", "is", r"(?=e|ing|ation)"),
    ("fwd", r"(?<=[a-z]{3})", "iz", "is",
     r"(?=e\b|ed\b|es\b|ing\b|ation|er\b|ers\b)"),
]


def _spelling_rules():
    fwd, back = [], []
    for way, left, us, uk, right in SPELLING:
        fwd.append((re.compile("(" + left + ")" + re.escape(us) + right), uk))
        if way == "both":
            back.append((re.compile("(" + left + ")" + re.escape(uk) + right),
                         us))
    return fwd, back


SPELL_FWD, SPELL_BACK = _spelling_rules()


def respell(term, rules):
    for rx, repl in rules:
        term = rx.sub(lambda m, r=repl: m.group(1) + r, term)
    return term


def spelling_variants(term):
    return {term, respell(term, SPELL_FWD), respell(term, SPELL_BACK)}


# ------------------------------------------------ hyphen, number forms ----

JOIN_PREFIXES = {"over", "under", "non", "re", "co", "pre", "post", "anti",
                 "auto", "multi", "intra", "extra", "semi", "bi", "tri",
                 "uni", "ultra", "micro"}


def hyphen_variants(term):
    out = {term}
    if re.search(r"[a-z]-[a-z]", term):
        out.add(re.sub(r"(?<=[a-z])-(?=[a-z])", " ", term))
        joined = re.sub(r"\b([a-z]+)-(?=[a-z])",
                        lambda m: m.group(1) if m.group(1) in JOIN_PREFIXES
                        else m.group(0), term)
        out.add(joined)
    return out


FUNCTION_WORDS = {"to", "of", "for", "in", "on", "with", "from", "by",
                  "during", "after", "before", "and", "or", "not", "no",
                  "will", "than", "into", "within", "without", "be", "at",
                  "the", "a", "an", "as", "via", "per", "and/or"}
NO_PLURAL_SUFFIX = ("ed", "ing", "ble", "al", "ic", "ous", "ive", "ful",
                    "less", "ary", "itis", "ia", "ism", "ness", "ics",
                    "ity", "data", "media", "ses", "xis", "us", "ax", "sis")


def plural(word):
    if word.endswith("sis"):
        return word[:-2] + "es"
    if re.search(r"[^aeiou]y$", word):
        return word[:-1] + "ies"
    if re.search(r"(s|x|z|ch|sh)$", word):
        return word + "es"
    return word + "s"


def singular(word):
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if re.search(r"(ss|x|z|ch|sh)es$", word):
        return word[:-2]
    if word.endswith("s") and not re.search(r"(ss|us|is)$", word):
        return word[:-1]
    return None


# Device problem labels often end in a participle or an adjective ("Material
# Torn", "Device Fell"): there, only these endings are taken for nouns.
PROBLEM_NOUN_END = ("tion", "sion", "ment", "ure", "age", "ance", "ence",
                    "eak", "ack", "ire", "lem", "old", "arge", "ult", "edge")


def number_variants(term, strict=False):
    """Plural or singular of the last word of a short noun phrase."""
    words = term.split(" ")
    last = words[-1]
    if strict and not last.rstrip("s").endswith(PROBLEM_NOUN_END):
        return {term}
    if (len(words) > 4 or any(w in FUNCTION_WORDS for w in words)
            or not re.fullmatch(r"[a-z][a-z-]*[a-z]", last) or len(last) < 4):
        return {term}
    out = {term}
    if last.endswith("ses"):
        return out
    if last.endswith("s") and not re.search(r"(ss|us|is)$", last):
        s = singular(last)
        if s:
            out.add(" ".join(words[:-1] + [s]))
    elif not last.endswith(NO_PLURAL_SUFFIX):
        out.add(" ".join(words[:-1] + [plural(last)]))
    return out


def expand(forms, numbers=True, strict=False):
    """All hyphen, spelling and number variants of the given forms."""
    out = set()
    for f in forms:
        for h in hyphen_variants(f):
            for s in spelling_variants(h):
                out.update(number_variants(s, strict) if numbers else {s})
    return out


# ------------------------------------------------------- FDA names -------

TRAIL_WORDS = {"for", "with", "without", "including", "incl", "incl.",
               "other", "used", "to", "in", "of", "on", "by", "via",
               "except", "when", "that", "which", "under", "over",
               "containing", "intended", "not", "no", "using", "from"}
DROP_PARTS = {"general & plastic surgery", "exempt", "etc.", "etc"}
GENERIC_MODS = {"implanted", "implantable", "powered", "ac-powered",
                "battery-powered", "reprocessed", "external", "internal",
                "manual", "automated", "automatic", "sterile", "non-sterile",
                "single use", "disposable", "permanent", "temporary",
                "absorbable", "non-absorbable", "cemented", "uncemented",
                "electric", "electrical", "electronic", "mechanical",
                "portable", "non-powered", "invasive", "non-invasive",
                "accessories", "accessory", "kit", "adult", "pediatric",
                "home use", "facility use", "prescription", "general",
                "diagnostic", "therapeutic", "surgical", "medical",
                "device", "system", "test", "control", "antigen",
                "antiserum", "all", "other", "use", "totally", "fully",
                "partially"}


def split_trailing(part):
    """'Totally Implanted For Pain Relief' -> ('Totally Implanted',
    'For Pain Relief'); a part that starts with a trailing word is all
    trailing ('', part)."""
    words = part.split(" ")
    for i, w in enumerate(words):
        lw = w.lower()
        if lw in TRAIL_WORDS or (lw == "than" and i > 0):
            if lw == "than":
                i = max(0, i - 1)
            return " ".join(words[:i]), " ".join(words[i:])
    return part, ""


def fda_parts(name):
    """(head, modifiers, trailing, dropped) of an FDA name, parentheses kept."""
    parts = split_top(name)
    head, trail0 = split_trailing(parts[0]) if parts else ("", "")
    if not head:
        head, trail0 = parts[0], ""
    mods, trailing, dropped = [], [trail0] if trail0 else [], []
    for p in parts[1:]:
        if strip_parens(p).lower() in DROP_PARTS:
            dropped.append(p)
            continue
        if trailing or p.startswith("("):
            trailing.append(p)
            continue
        m, t = split_trailing(p)
        if m:
            mods.append(m)
        if t:
            trailing.append(t)
    return head, mods, trailing, dropped


def fda_label(name):
    head, mods, trailing, dropped = fda_parts(squash(name))
    label = " ".join(list(reversed(mods)) + [head] + trailing)
    if dropped:
        label += " (" + ", ".join(dropped) + ")"
    return squash(label)


def fda_terms(name):
    """[(rank, term)]: rank 1 = the full name, 2 = a derived short form."""
    head, mods, trailing, _ = fda_parts(squash(name))
    clean = [strip_parens(x).lower() for x in [head] + mods + trailing]
    head_c = clean[0]
    mods_c = [m for m in clean[1:1 + len(mods)] if m]
    trail_c = [t for t in clean[1 + len(mods):] if t]
    if not head_c:
        return []
    core = " ".join(list(reversed(mods_c)) + [head_c])
    full = squash(" ".join([core] + trail_c))
    out = [(1, f) for f in expand([full], numbers=not trail_c)]
    shorts = []
    if trail_c:
        shorts.append(core)
    if len(mods_c) >= 2:
        shorts.append(mods_c[0] + " " + head_c)
        if len(mods_c) == 2 and not GENERIC_MODS & set(mods_c[1].split()):
            shorts.append(mods_c[1] + " " + head_c)
    out += [(2, f) for f in expand(shorts)]
    return out


# ----------------------------------------------------- IMDRF labels ------

ADJ_SUFFIX = ("ic", "al", "ible", "able", "ous", "ive", "ar", "ary")


def alternatives(text):
    """Expand "/", " or " and " and/or " alternations.

    Word level ("Fluid/Blood Leak" -> fluid leak, blood leak;
    "Inappropriate/Inadequate Shock/Stimulation" -> four forms), unless a
    form would repeat a word: then phrase level ("Heart Failure/Congestive
    Heart Failure" -> the two phrases). Labels where neither is right get
    curated terms ("Hemorrhage/Blood Loss/Bleeding" -> "bleeding").
    """
    t = re.sub(r"\s+and/or\s+", "/", text, flags=re.I)
    t = re.sub(r"\s*/\s*", "/", t)
    t = re.sub(r"\s+or\s+", "/", t, flags=re.I)
    toks = t.split(" ")
    slashed = [w for w in toks if "/" in w]
    if not slashed:
        return [text]
    segs = [s for s in t.split("/") if s]
    out = [""]
    for w in toks:
        alts = [a for a in w.split("/") if a] or [w]
        out = [(o + " " + a).strip() for o in out for a in alts]
    for o in out:
        words = o.lower().split(" ")
        if len(set(words)) < len(words):
            return segs
    return out


def comma_forms(text):
    """'Tear, Rip or Hole in X' -> list; 'Convulsion, Clonic' -> inverted."""
    parts = [p.strip() for p in text.split(",")]
    if len(parts) < 2:
        return [text]
    tail = parts[-1]
    m = re.match(r"(\S+)\s+(?:or|and)\s+(\S+)(.*)$", tail, re.I)
    if m:
        left = parts[0].split(" ")
        prefix = left[:-1]
        items = [left[-1]] + parts[1:-1] + [m.group(1), m.group(2)]
        suffix = m.group(3).split()
        if all(len(i.split(" ")) == 1 for i in items):
            return [" ".join(prefix + [i] + suffix) for i in items]
    if len(parts) == 2 and len(tail.split(" ")) == 1:
        alt = tail.split("/")[0].lower()
        if alt.endswith(ADJ_SUFFIX):
            return [t + " " + parts[0] for t in tail.split("/")]
        return parts
    return parts


# Catch-all codes ("Appropriate Term/Code Not Available", "Insufficient
# Information", "Part/Component/Sub-assembly Term not Applicable") are for
# coders, not words a reporter writes: no terms.
NO_TERMS = re.compile(r"not available|not applicable|insufficient information",
                      re.I)


def imdrf_terms(label, strict=False):
    """[(rank, term)] for one IMDRF label (all rank 1) plus abbreviations."""
    text = squash(label)
    abbrevs = [a.lower() for a in re.findall(r"\(([A-Z][A-Z0-9 ]+)\)", text)]
    text = re.sub(r"\(s\)", "", text)
    text = strip_parens(text)
    m = re.match(r"(.*?)\s*Problem:\s*(.*)$", text)
    if m:
        text = m.group(1) + " " + m.group(2)
    forms = []
    for c in comma_forms(text):
        forms += alternatives(c)
    forms = [squash(f).lower() for f in forms if squash(f)]
    out = [(1, t) for t in expand(forms, strict=strict)]
    out += [(1, a) for a in abbrevs if len(a) >= 2]
    return out


# ------------------------------------------------------- readers ---------

def sha256_file(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def read_foiclass(path):
    """Records of the pipe-delimited, CRLF, Latin-1 FDA file (18 fields)."""
    with open(path, "rb") as f:
        text = f.read().decode("latin-1")
    lines = text.replace("\r\n", "\n").split("\n")
    header = lines[0].split("|")
    recs, buf = [], None
    for line in lines[1:]:
        buf = line if buf is None else buf + " " + line
        if buf.count("|") >= len(header) - 1:
            recs.append(dict(zip(header, buf.split("|"))))
            buf = None
    if buf:
        raise SystemExit("foiclass: truncated last record")
    return recs


def read_imdrf(path):
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def read_tsv_rows(path):
    """Rows (dicts) of a devsurv TSV file: '#' comments, header, rows."""
    rows, header = [], None
    if not os.path.exists(path):
        return rows
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            cols = line.split("\t")
            if header is None:
                header = cols
            else:
                rows.append(dict(zip(header, cols)))
    return rows


# ------------------------------------------------------- writers ---------

def gen_date():
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        return datetime.datetime.fromtimestamp(
            int(epoch), datetime.timezone.utc).strftime("%Y-%m-%d")
    return GEN_DATE


def render(header_lines, columns, rows):
    out = ["# " + h if h else "#" for h in header_lines]
    out.append("\t".join(columns))
    for r in rows:
        vals = [str(r[c]) for c in columns]
        for v in vals:
            if "\t" in v or "\n" in v or v != v.strip():
                raise SystemExit("bad field %r in row %r" % (v, r))
        out.append("\t".join(vals))
    return "\n".join(out) + "\n"


def provenance(title, source_lines, licence, rel, curated_hint):
    lines = ["devsurv rules: " + rel + " - " + title]
    lines += source_lines
    lines += ["licence: " + licence,
              "generator: %s %s, %s" % (GENERATOR, GEN_VERSION, gen_date()),
              "GENERATED FILE, do not edit: run `python3 %s ../shared/eval`"
              % GENERATOR]
    if curated_hint:
        lines.append("Add or override terms in " + curated_hint + ".")
    return lines


# ------------------------------------------------------- concepts --------

def fda_concepts(recs):
    rows = []
    for r in sorted(recs, key=lambda r: r["PRODUCTCODE"]):
        code = r["PRODUCTCODE"].strip()
        if not re.fullmatch(r"[A-Z]{3}", code):
            raise SystemExit("foiclass: bad product code %r" % code)
        rows.append({
            "id": "dc." + code, "code": code,
            "label": fda_label(r["DEVICENAME"]),
            "regulation": r["REGULATIONNUMBER"].strip(),
            "device_class": r["DEVICECLASS"].strip(),
            "panel": (r["MEDICALSPECIALTY"] or r["REVIEW_PANEL"]).strip(),
            "implant": "Y" if r["Implant_Flag"].strip() == "Y" else "N",
            "life_sustaining":
                "Y" if r["Life_Sustain_support_flag"].strip() == "Y" else "N",
            "source": FDA_SOURCE, "licence": FDA_LICENCE})
    return rows


def imdrf_status(raw):
    if "Not selectable" in raw:
        return "grouping"
    if "Retired" in raw:
        return "retired"
    return "active"


def imdrf_concepts(axis, recs):
    tag, _, annex = AXES[axis]
    rows = []
    for r in recs:
        parents = r.get("parents", r.get("parent", "")) or ""
        rows.append({
            "id": tag + "." + r["code"], "code": r["code"],
            "label": squash(r["term"]), "parents": parents,
            "level": r["level"], "status": imdrf_status(r["status"]),
            "source": "imdrf-aet-2023-annex-" + annex,
            "licence": IMDRF_LICENCE})
    return rows


# ------------------------------------------------------- terms -----------

def read_stoplist(path):
    """{(axis, term): action} from tools/stoplist.tsv ('*' = every axis)."""
    out = {}
    for r in read_tsv_rows(path):
        out[(r["axis"], r["term"])] = r["action"]
    return out


def policy(stop, axis, term):
    """The stop-list action for term, or for its singular."""
    words = term.split(" ")
    keys = [term]
    one = singular(words[-1]) if len(words[-1]) > 4 else None
    if one:
        keys.append(" ".join(words[:-1] + [one]))
    for k in keys:
        act = stop.get((axis, k)) or stop.get(("*", k))
        if act:
            return act
    return None


def resolve_terms(axis, cands, curated, stop, source, licence):
    """cands: {term: {(rank, code)}} -> sorted term rows."""
    tag = AXES[axis][0]
    rows = []
    for term in sorted(cands):
        act = policy(stop, axis, term)
        if term in curated or act == "drop" or len(term) < 2:
            continue
        best = min(rank for rank, _ in cands[term])
        codes = sorted({c for rank, c in cands[term] if rank == best})
        short = " " not in term and len(term) <= 3
        status = ("ambiguous" if len(codes) > 1 or short or act == "ambiguous"
                  else "active")
        for code in codes:
            h = hashlib.sha256(term.encode("utf-8")).hexdigest()[:8]
            rows.append({"id": "%s.%s.%s" % (tag, code, h), "code": code,
                         "term": term, "boundary": "word", "status": status,
                         "source": source, "licence": licence})
    rows.sort(key=lambda r: (r["code"], r["term"]))
    seen = set()
    for r in rows:
        if r["id"] in seen:
            raise SystemExit("term id collision: " + r["id"])
        seen.add(r["id"])
    return rows


def add_cand(cands, code, pairs):
    for rank, term in pairs:
        term = squash(term)
        if term and len(term) <= 255:
            cands.setdefault(term, set()).add((rank, code))


# ------------------------------------------------------- main ------------

CONCEPT_COLS_FDA = ["id", "code", "label", "regulation", "device_class",
                    "panel", "implant", "life_sustaining", "source", "licence"]
CONCEPT_COLS_IMDRF = ["id", "code", "label", "parents", "level", "status",
                      "source", "licence"]
TERM_COLS = ["id", "code", "term", "boundary", "status", "source", "licence"]


def build(eval_dir, rules_dir):
    """{relative path: file text} of every generated file."""
    out = {}
    stop = read_stoplist(os.path.join(rules_dir, "tools", "stoplist.tsv"))
    fda_path = os.path.join(eval_dir, FDA_FILE)
    fda_src = ["source: FDA CDRH Product Classification database, "
               "foiclass.txt as of 2019-07-04 (github:ccwoolfolk/marketsize "
               "0810cf7)",
               "source-file: eval/%s sha256 %s" % (FDA_FILE,
                                                  sha256_file(fda_path)),
               "release: FDA foiclass 2019-07"]
    recs = read_foiclass(fda_path)
    for axis, (tag, csv_rel, annex) in AXES.items():
        curated = {r["term"] for r in read_tsv_rows(
            os.path.join(rules_dir, "terms", axis + "_curated.tsv"))}
        cands = {}
        if csv_rel is None:
            concepts = fda_concepts(recs)
            cols, src, lic = CONCEPT_COLS_FDA, fda_src, FDA_LICENCE
            title = "FDA product codes (device class axis)"
            for r in recs:
                add_cand(cands, r["PRODUCTCODE"], fda_terms(r["DEVICENAME"]))
            source = FDA_SOURCE
        else:
            path = os.path.join(eval_dir, csv_rel)
            imdrf = read_imdrf(path)
            concepts = imdrf_concepts(axis, imdrf)
            cols, lic = CONCEPT_COLS_IMDRF, IMDRF_LICENCE
            title = IMDRF_TITLES[axis]
            src = ["source: " + title + ", IMDRF JSON as mirrored in "
                   "github:erroronline1/qualitymanagement 6bfd7e1",
                   "source-file: eval/%s sha256 %s" % (csv_rel,
                                                      sha256_file(path)),
                   "release: IMDRF AET 2023 (March 2023)"]
            for c in concepts:
                if c["status"] == "active" and not NO_TERMS.search(c["label"]):
                    add_cand(cands, c["code"], imdrf_terms(
                        c["label"], strict=axis == "device_problem"))
            source = "imdrf-aet-2023-annex-" + annex
        rel = "concepts/%s.tsv" % axis
        out[rel] = render(provenance(title, src, lic, rel, None), cols,
                          concepts)
        rel = "terms/%s.tsv" % axis
        rows = resolve_terms(axis, cands, curated, stop, source, lic)
        out[rel] = render(
            provenance("surface forms of " + title, src, lic, rel,
                       "terms/%s_curated.tsv" % axis), TERM_COLS, rows)
    return out


def main(argv):
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    ap = argparse.ArgumentParser(
        description="Rebuild devsurv's generated rule files.")
    ap.add_argument("eval_dir", help="the shared eval folder (../shared/eval)")
    ap.add_argument("--out", default=here, help="rules tree (default: %s)"
                    % here)
    ap.add_argument("--check", action="store_true",
                    help="write nothing; exit 1 if a generated file differs")
    args = ap.parse_args(argv)
    files = build(args.eval_dir, args.out)
    stale = 0
    for rel in sorted(files):
        path = os.path.join(args.out, rel)
        data = files[rel].encode("utf-8")
        old = open(path, "rb").read() if os.path.exists(path) else None
        if old == data:
            continue
        stale += 1
        if args.check:
            print("stale: " + rel)
            continue
        os.makedirs(os.path.dirname(path), exist_ok=True)
        tmp = path + ".tmp"
        with open(tmp, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
        print("wrote %s (%d lines)" % (rel, data.count(b"\n")))
    if args.check:
        print("%d of %d generated files stale" % (stale, len(files)))
        return 1 if stale else 0
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
