#!/usr/bin/env python3
"""Validate JSON Lines of extractions against the JSON Schema: validate_schema.py SCHEMA FILE.jsonl

Prints one line per invalid record and exits 1 if any; a record is one line."""
import json
import sys

import jsonschema

schema = json.load(open(sys.argv[1], encoding="utf-8"))
validator = jsonschema.Draft202012Validator(schema)
bad = 0
for n, line in enumerate(open(sys.argv[2], encoding="utf-8"), 1):
    if not line.strip():
        continue
    for error in validator.iter_errors(json.loads(line)):
        bad += 1
        print(f"line {n}: {'/'.join(map(str, error.absolute_path))}: {error.message}")
sys.exit(1 if bad else 0)
