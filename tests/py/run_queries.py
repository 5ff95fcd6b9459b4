#!/usr/bin/env python3
"""Run SPARQL query files, unchanged, on pyoxigraph over an exported Turtle file.

usage: run_queries.py DATA.ttl QUERY.rq... > results.json

The Turtle export flattens all article graphs into one default graph; the canned queries must
give the same answers there as on newskg's own store. Prints {query file name: [row, ...]}, each
row a {column: value} dict of lexical forms (IRIs as strings), parameter columns left out.
"""
import json
import sys

import pyoxigraph as ox


def value(term):
    if isinstance(term, (ox.NamedNode, ox.Literal)):
        return term.value
    return str(term)


def main():
    data, *queries = sys.argv[1:]
    store = ox.Store()
    store.load(path=data, format=ox.RdfFormat.TURTLE)
    out = {}
    for path in queries:
        with open(path, encoding="utf-8") as f:
            text = f.read()
        solutions = store.query(text, use_default_graph_as_union=True)
        names = [v.value for v in solutions.variables if not v.value.startswith("param_")]
        rows = []
        for solution in solutions:
            row = {}
            for name in names:
                term = solution[name]
                if term is not None:
                    row[name] = value(term)
            rows.append(row)
        out[path.rsplit("/", 1)[-1][: -len(".rq")]] = rows
    json.dump(out, sys.stdout, ensure_ascii=False)


main()
