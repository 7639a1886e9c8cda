#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""experiments/schema2md.py: the key tables of experiments/SPEC.md and
experiments/RESULT.md, made from experiments/spec.schema.json and
experiments/result.schema.json.

usage: experiments/schema2md.py [--check]

A table is generated where the .md file has a marker line

  <!-- schema2md FILE#POINTER COLUMN,COLUMN,... -->

followed by the table and then "<!-- end schema2md -->". POINTER (a JSON
pointer, "$ref"s followed) names an object schema; its "properties" are
the rows, in order. Columns: "key"; "type" (the property's "x-type", else
made from its "type"); "default" ("x-default", else "default" as JSON);
any other name is the "description". A property marked "deprecated" is
left out; one with "x-doc-expand" is replaced by its own properties,
named "outer.inner". Neighbouring rows whose other cells are equal are
one row ("`rep`, `reps`"). With "values:HEADER,HEADER" instead of the
columns, POINTER names an enum, and each value is a row with its text
from "x-enum-doc". Everything outside the markers is prose and is left
alone.

Without options the .md files are rewritten; with --check nothing is
written, and the differences are printed (exit 1) if they are out of date.
Python 3 standard library only.
"""
import difflib
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
DOCS = ["SPEC.md", "RESULT.md"]
BEGIN = re.compile(r"^<!-- schema2md (\S+)#(\S*) (\S+) -->$")
END = "<!-- end schema2md -->"
TYPE_WORDS = {"integer": "integer", "number": "number", "string": "string",
              "boolean": "bool", "object": "object", "array": "array"}


class Error(Exception):
    pass


def resolve(root, s):
    while isinstance(s, dict) and "$ref" in s and "properties" not in s:
        s = pointer(root, s["$ref"].lstrip("#"))
    return s


def pointer(root, ptr):
    s = root
    for part in [p for p in ptr.split("/") if p]:
        part = part.replace("~1", "/").replace("~0", "~")
        if not isinstance(s, dict) or part not in s:
            raise Error("no %s in the schema" % ptr)
        s = s[part]
    return resolve(root, s)


def type_words(root, s):
    """The words a property's type column may use: its JSON types and the
    names of the definitions it refers to."""
    words = set()
    if not isinstance(s, dict):
        return words
    t = s.get("type")
    for x in t if isinstance(t, list) else [t] if t else []:
        words.add(TYPE_WORDS.get(x, x))
    if "$ref" in s:
        words.add(s["$ref"].rsplit("/", 1)[-1])
        words |= type_words(root, pointer(root, s["$ref"].lstrip("#")))
    for v in s.get("enum", []) + ([s["const"]] if "const" in s else []):
        words.add("string" if isinstance(v, str) else "integer" if isinstance(v, int) else "")
    for alt in s.get("anyOf", []):
        words |= type_words(root, alt)
    return words - {"", "null"}


def type_text(root, s, where):
    words = type_words(root, s)
    if "x-type" in s:
        said = s["x-type"] + (" object" if s["x-type"].lstrip("`").startswith("{") else "")
        if words and not any(w in said for w in words):
            raise Error("%s: x-type '%s' names none of %s" % (where, s["x-type"],
                                                             sorted(words)))
        return s["x-type"]
    t = s.get("type")
    ts = [TYPE_WORDS.get(x, x) for x in (t if isinstance(t, list) else [t] if t else [])
          if x != "null"]
    text = " or ".join(ts) or " or ".join(sorted(words)) or "any"
    if isinstance(t, list) and "null" in t:
        text += " or null"
    return text


def rows(root, obj, cols, prefix, where):
    out = []
    for key, s in obj.get("properties", {}).items():
        s = s if isinstance(s, dict) else {}
        if s.get("deprecated"):
            continue
        if s.get("x-doc-expand"):
            out += rows(root, resolve(root, s), cols, prefix + key + ".", where + "/" + key)
            continue
        if "description" not in s:
            raise Error("%s/%s has no description" % (where, key))
        cells = []
        for c in cols[1:]:
            if c == "type":
                cells.append(type_text(root, s, where + "/" + key))
            elif c == "default":
                cells.append(s["x-default"] if "x-default" in s else
                             "`%s`" % json.dumps(s["default"]) if "default" in s else "none")
            else:
                cells.append(s["description"])
        out.append(([prefix + key], cells))
    merged = []
    for keys, cells in out:
        if merged and merged[-1][1] == cells:
            merged[-1][0].extend(keys)
        else:
            merged.append((keys, cells))
    return merged


def values_table(root, ptr, cols):
    """One row per value of an enum, described by its "x-enum-doc"."""
    s = pointer(root, ptr)
    doc = s.get("x-enum-doc", {})
    missing = [v for v in s.get("enum", []) if v not in doc]
    if not s.get("enum") or missing or set(doc) - set(s["enum"]):
        raise Error("%s: every value of its enum needs its x-enum-doc (%s)" % (ptr, missing))
    lines = ["| %s |" % " | ".join(cols), "|" + "---|" * len(cols)]
    lines += ["| `%s` | %s |" % (v, doc[v]) for v in s["enum"]]
    return lines


def table(schema_file, ptr, cols):
    with open(os.path.join(HERE, schema_file), encoding="utf-8") as f:
        root = json.load(f)
    if cols.startswith("values:"):
        return values_table(root, ptr, cols[len("values:"):].split(","))
    cols = cols.split(",")
    if cols[0] != "key":
        raise Error("the first column must be key")
    lines = ["| %s |" % " | ".join(cols), "|" + "---|" * len(cols)]
    for keys, cells in rows(root, pointer(root, ptr), cols, "", schema_file + "#" + ptr):
        lines.append("| %s | %s |" % (", ".join("`%s`" % k for k in keys), " | ".join(cells)))
    return lines


def generate(text, name):
    out, lines, i = [], text.split("\n"), 0
    while i < len(lines):
        out.append(lines[i])
        m = BEGIN.match(lines[i])
        i += 1
        if not m:
            continue
        while i < len(lines) and lines[i] != END:
            i += 1
        if i == len(lines):
            raise Error("%s: no '%s' after '%s'" % (name, END, m.group(0)))
        out += table(m.group(1), m.group(2), m.group(3))
        out.append(END)
        i += 1
    return "\n".join(out)


def main(argv):
    check = argv[1:] == ["--check"]
    if argv[1:] and not check:
        print("usage: experiments/schema2md.py [--check]", file=sys.stderr)
        return 2
    stale = False
    for doc in DOCS:
        path = os.path.join(HERE, doc)
        with open(path, encoding="utf-8") as f:
            old = f.read()
        try:
            new = generate(old, doc)
        except Error as e:
            print("schema2md: %s" % e, file=sys.stderr)
            return 2
        if new == old:
            continue
        if check:
            stale = True
            sys.stdout.writelines(difflib.unified_diff(
                old.splitlines(True), new.splitlines(True), "experiments/" + doc,
                "experiments/%s (from the schemas)" % doc))
        else:
            with open(path, "w", encoding="utf-8") as f:
                f.write(new)
    if stale:
        print("schema2md: out of date: run experiments/schema2md.py", file=sys.stderr)
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
