"""Validates JSON files against a JSON Schema (draft 2020-12) with Debian's python3-jsonschema.

Usage: /usr/bin/python3 validate_json.py SCHEMA FILE...
A file may hold one JSON document or several written one after another. Exits 1 when any
document is invalid or unreadable, printing each error with its location.
"""
import json
import sys

import jsonschema


def documents(text):
    decoder = json.JSONDecoder()
    at = 0
    while True:
        while at < len(text) and text[at].isspace():
            at += 1
        if at >= len(text):
            return
        value, at = decoder.raw_decode(text, at)
        yield value


def leaves(error):
    """The innermost errors under one error (oneOf/anyOf errors nest the real causes)."""
    if not error.context:
        yield error
        return
    for sub in error.context:
        yield from leaves(sub)


def main(argv):
    if len(argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    with open(argv[1], encoding="utf-8") as f:
        schema = json.load(f)
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    failed = False
    for path in argv[2:]:
        try:
            with open(path, encoding="utf-8") as f:
                docs = list(documents(f.read()))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
            print(f"{path}: not JSON: {e}")
            failed = True
            continue
        if not docs:
            print(f"{path}: no JSON document")
            failed = True
        for n, doc in enumerate(docs):
            errors = sorted((leaf for e in validator.iter_errors(doc) for leaf in leaves(e)),
                            key=lambda e: [str(p) for p in e.absolute_path])
            for e in errors[:20]:
                where = "/".join(str(p) for p in e.absolute_path) or "(root)"
                print(f"{path}: document {n}: {where}: {e.message[:300]}")
            if errors:
                failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
