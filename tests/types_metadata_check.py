"""The server's /types/metadata against the seed's C# listing.

ServiceStack's MetadataTypes JSON must describe the DTOs of the seed
(tests/testdata/seed_AppGetActiveSessions.cs, parsed as csharp_compare.py
parses it): every class as a type (or as the operation's request and
response) in its namespace, with its base, its properties in order with
their .NET types (string -> String, long -> Int64, List<T> -> List`1 with
genericArgs [T], ...; value types and enums flagged), every enum with its
C# member names; the operation with its verb, route, return type and
requiresAuth; config.baseUrl this server. The paging and revision additions
(csharp_compare.EXTENSIONS) are the only extra properties.
Usage: types_metadata_check.py SEED.cs BASE_URL
"""
import json
import os
import re
import sys
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from csharp_compare import EXTENSIONS, parse  # noqa: E402

NET = {"string": "String", "bool": "Boolean", "int": "Int32", "long": "Int64",
       "uint": "UInt32", "ulong": "UInt64", "double": "Double", "float": "Single"}
VALUE_TYPES = {"Boolean", "Int32", "Int64", "UInt32", "UInt64", "Double", "Single"}


def net_type(csharp, enums):
    """(type, namespace kind, genericArgs, isValueType, isEnum) of a C# type."""
    m = re.match(r"(List|Dictionary)<(.+)>$", csharp)
    if m:
        args = [a.strip() for a in m.group(2).split(",")]
        return ("List`1" if m.group(1) == "List" else "Dictionary`2", "System.Collections.Generic",
                [NET.get(a, a) for a in args], False, False)
    if csharp in NET:
        name = NET[csharp]
        return name, "System", None, name in VALUE_TYPES, False
    return csharp, None, None, csharp in enums, csharp in enums


seed_file, base = sys.argv[1:3]
seed = parse(open(seed_file, encoding="utf-8").read())
with urllib.request.urlopen(base + "/types/metadata", timeout=60) as r:
    assert r.headers.get("Content-Type").startswith("application/json"), r.headers
    doc = json.load(r)

assert doc["config"]["baseUrl"] == base, doc["config"]
enums = {name for name, t in seed.items() if t[1] == "enum"}
described = {t["name"]: t for t in doc["types"]}
assert len(doc["operations"]) == 1, [o["request"]["name"] for o in doc["operations"]]
op = doc["operations"][0]
for t in (op["request"], op["response"]):
    assert t["name"] not in described, t["name"] + " is listed under types too"
    described[t["name"]] = t
assert op["request"]["name"] == "AppGetActiveSessions" and op["method"] == "GET"
assert op["returnType"] == {"name": "AppGetActiveSessionsResult",
                            "namespace": op["response"]["namespace"]}, op["returnType"]
assert {"path": "/portal/active-sessions", "verbs": "GET"} in op["routes"], op["routes"]
assert op["requiresAuth"] is True

problems = []
for name, (ns, kind, base_type, members) in seed.items():
    t = described.get(name)
    if t is None:
        problems.append("missing type " + name)
        continue
    if t["namespace"] != ns:
        problems.append(f"{name}: namespace {t['namespace']}, seed {ns}")
    if kind == "enum":
        if t.get("isEnum") is not True or t.get("enumNames") != members:
            problems.append(f"{name}: enum {t.get('enumNames')}, seed {members}")
        continue
    inherits = t.get("inherits", {}).get("name")
    if inherits != base_type:
        problems.append(f"{name}: inherits {inherits}, seed {base_type}")
    expected = members + EXTENSIONS.get(name, [])
    got = [p["name"] for p in t["properties"]]
    if got != [m[1] for m in expected]:
        problems.append(f"{name}: properties {got}, seed {[m[1] for m in expected]}")
        continue
    for (csharp, prop_name), p in zip(expected, t["properties"]):
        type_name, namespace, args, value_type, is_enum = net_type(csharp, enums)
        if namespace is None:
            namespace = seed[type_name][0]
        actual = (p["type"], p["namespace"], p.get("genericArgs"), p.get("isValueType", False),
                  p.get("isEnum", False))
        if actual != (type_name, namespace, args, value_type, is_enum):
            problems.append(f"{name}.{prop_name}: {actual}, expected "
                            f"{(type_name, namespace, args, value_type, is_enum)} for {csharp}")
extra = set(described) - set(seed)
if extra:
    problems.append("types not in the seed: " + ", ".join(sorted(extra)))
for t in described.values():
    assert t["namespace"] in doc["namespaces"], t["namespace"]
if problems:
    print("\n".join(problems))
    sys.exit(1)
print("types_metadata_check: ok (%d types as in the seed)" % len(seed))
