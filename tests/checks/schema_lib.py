# SPDX-License-Identifier: GPL-2.0
"""tests/checks/schema_lib.py: the JSON Schemas of experiments/ (spec and
result formats) loaded for python3-jsonschema, with the two things the
plain schemas cannot say: an integer is a JSON integer (JSON Schema takes
2.0 as an integer; spec.c and the result writer do not), and messages
that name the path as "a.b[0].c" with the key or type that is wrong.

Used by tests/validate_result.py and tests/checks/schema_spec.py. Needs
python3-jsonschema with draft 2020-12 (4.0 or later; Debian 12: 4.10).
"""
import json
import os
import re
import sys

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
SCHEMA_DIR = os.path.join(ROOT, "experiments")


class Missing(Exception):
    """python3-jsonschema is not there, or too old for draft 2020-12."""


def _jsonschema():
    try:
        import jsonschema
        from jsonschema import validators
        base = validators.Draft202012Validator
    except (ImportError, AttributeError) as e:
        raise Missing("python3-jsonschema with draft 2020-12 is needed (%s; "
                      "scripts/deps test installs it)" % e)
    return jsonschema, base


def _is_int(checker, v):
    return isinstance(v, int) and not isinstance(v, bool)


def load(name):
    """experiments/NAME.schema.json, parsed."""
    with open(os.path.join(SCHEMA_DIR, name + ".schema.json"), encoding="utf-8") as f:
        return json.load(f)


def closed(schema):
    """A copy of @schema in which every object schema ("type": "object")
    that lists its properties and says nothing of others refuses
    undocumented keys (--strict). Conditions and the fragments that
    if/then add (no "type") are left as they are."""
    if isinstance(schema, list):
        return [closed(x) for x in schema]
    if not isinstance(schema, dict):
        return schema
    out = {k: closed(v) if k not in ("const", "enum", "default") else v
           for k, v in schema.items()}
    types = schema.get("type")
    is_obj = types == "object" or (isinstance(types, list) and "object" in types)
    if is_obj and "properties" in schema and not any(
            k in schema for k in ("additionalProperties", "unevaluatedProperties")):
        out["additionalProperties"] = False
    return out


def validator(schema):
    """A draft 2020-12 validator for @schema whose integers are JSON integers."""
    jsonschema, base = _jsonschema()
    checker = base.TYPE_CHECKER.redefine("integer", _is_int)
    cls = jsonschema.validators.extend(base, type_checker=checker)
    return cls(schema)


def join(path, key):
    if isinstance(key, int):
        return "%s[%d]" % (path, key)
    if re.match(r"^[A-Za-z_][A-Za-z0-9_]*$", key):
        return "%s.%s" % (path, key) if path else key
    return '%s["%s"]' % (path, key)


def path_of(err, prefix=""):
    p = prefix
    for k in err.absolute_path:
        p = join(p, k)
    return p


def type_name(v):
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, int):
        return "integer"
    if isinstance(v, float):
        return "number"
    if isinstance(v, str):
        return "string"
    if isinstance(v, list):
        return "array"
    return "object"


TYPE_WORDS = {"integer": "an integer", "number": "a number", "string": "a string",
              "boolean": "a bool", "object": "an object", "array": "an array", "null": "null"}


def _short(v):
    s = json.dumps(v, ensure_ascii=False)
    return s if len(s) <= 60 else s[:57] + "..."


def message(err):
    """One line for @err: what the schema wanted, in its words where it
    has them ("x-message", for what is wrong with a value of the right
    type)."""
    v, kw, arg = err.instance, err.validator, err.validator_value
    custom = err.schema.get("x-message") if isinstance(err.schema, dict) else None
    if custom and kw not in ("type", "required"):
        return "%s: %s" % (_short(v), custom)
    if kw == "required":
        m = re.match(r"^'(.*)' is a required property$", err.message)
        return "missing key '%s'" % (m.group(1) if m else err.message)
    if kw == "type":
        want = arg if isinstance(arg, list) else [arg]
        return "expected %s, got %s" % (" or ".join(TYPE_WORDS.get(t, t) for t in want),
                                        type_name(v))
    if kw in ("additionalProperties", "unevaluatedProperties") and isinstance(v, dict):
        known = set(err.schema.get("properties", {}))
        pats = list(err.schema.get("patternProperties", {}))
        extra = sorted(k for k in v if k not in known and not any(re.search(p, k) for p in pats))
        return "undocumented key '%s'" % "', '".join(extra) if extra else err.message
    if kw == "enum":
        return "%s is not one of %s" % (_short(v), ", ".join(_short(x) for x in arg))
    if kw == "const":
        return "%s, want %s" % (_short(v), _short(arg))
    return err.message


def deepest(err):
    """Of an anyOf's or oneOf's failed alternatives, the one that got
    furthest into the value says most; where all of them stop at the value
    itself on its type, one error that names every type."""
    while err.validator in ("anyOf", "oneOf") and err.context:
        depth = max(len(e.absolute_path) for e in err.context)
        far = [e for e in err.context if len(e.absolute_path) == depth]
        if all(e.validator == "type" for e in far) and len(far) > 1:
            types = []
            for e in far:
                for t in e.validator_value if isinstance(e.validator_value, list) \
                        else [e.validator_value]:
                    if t not in types:
                        types.append(t)
            far[0].validator_value = types
            return far[0]
        err = next((e for e in far if e.validator != "type"), far[0])
    return err


def errors(schema_validator, instance, prefix=""):
    """[(path, message)] sorted by path, one per failing keyword."""
    out = []
    for e in schema_validator.iter_errors(instance):
        e = deepest(e)
        out.append((path_of(e, prefix) or prefix or "top", message(e)))
    return sorted(set(out), key=lambda x: (x[0], x[1]))


if __name__ == "__main__":
    # "python3 tests/checks/schema_lib.py": can the schemas be checked here?
    try:
        _jsonschema()
    except Missing as e:
        print(e)
        sys.exit(1)
