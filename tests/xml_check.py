"""The XML format against the JSON answer, parsed by Python's XML parser.

The same listing asked for as `.xml`, `?format=xml` and `Accept:
application/xml` is the same bytes, `application/xml`, an XML declaration
then DataContract elements: the root AppGetActiveSessionsResult in the
portal's namespace, sessions as SessionInfo in Voice.Api.Sessions with
EntityInfo's members first (in Voice.Api), each group in ordinal order.
Every value equals the JSON answer's (strings, numbers, booleans, enums,
nested lists, the members' map); what JSON omits is i:nil. A session with
markup, CR LF and a tab parses and keeps its text exactly (the API refuses
other control characters). Errors are ServiceStack's ErrorResponse.
Usage: xml_check.py BASE_URL READ_TOKEN WRITE_TOKEN
"""
import json
import sys
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET

BASE, TOKEN, WRITER = sys.argv[1:4]
DC = "http://schemas.datacontract.org/2004/07/"
NIL = "{http://www.w3.org/2001/XMLSchema-instance}nil"
SS = "http://schemas.servicestack.net/types"


def call(path, token, accept=None, body=None):
    headers = {"Authorization": "Bearer " + token}
    if accept:
        headers["Accept"] = accept
    if body is not None:
        headers["Content-Type"] = "application/json"
        body = json.dumps(body).encode()
    req = urllib.request.Request(BASE + path, data=body, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            return r.status, r.headers.get("Content-Type"), r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers.get("Content-Type"), e.read()


def split(tag):
    ns, local = tag[1:].split("}")
    return ns, local


def camel(name):
    return name[0].lower() + name[1:]


def check_order(elem, where):
    """Members: a base class's group first, each group ordinal by name."""
    names = [split(c.tag) for c in elem]
    groups = []
    for ns, local in names:
        if not groups or groups[-1][0] != ns:
            groups.append((ns, []))
        groups[-1][1].append(local)
    assert len({g[0] for g in groups}) == len(groups), f"{where}: namespaces interleave {names}"
    for ns, locals_ in groups:
        assert locals_ == sorted(locals_), f"{where}: not in ordinal order: {locals_}"


def compare(value, elem, where):
    if isinstance(value, dict):
        children = list(elem)
        if children and split(children[0].tag)[1].startswith("KeyValueOf"):
            entries = {}
            for kv in children:
                key = kv.find("{*}Key").text or ""
                entries[key] = kv.find("{*}Value").text or ""
            assert entries == value, f"{where}: map {entries} != {value}"
            return
        check_order(elem, where)
        seen = set()
        for child in children:
            name = split(child.tag)[1]
            key = camel(name)
            seen.add(key)
            if key not in value:
                empty = child.get(NIL) == "true" or (len(child) == 0 and not child.text)
                assert empty, f"{where}.{name}: in XML, not in JSON: {ET.tostring(child)[:200]}"
                continue
            assert child.get(NIL) != "true", f"{where}.{name}: nil but JSON has {value[key]!r}"
            compare(value[key], child, f"{where}.{name}")
        missing = set(value) - seen
        assert not missing, f"{where}: JSON members missing in XML: {missing}"
    elif isinstance(value, list):
        items = list(elem)
        assert len(items) == len(value), f"{where}: {len(items)} items, JSON has {len(value)}"
        for i, (v, item) in enumerate(zip(value, items)):
            compare(v, item, f"{where}[{i}]")
    elif isinstance(value, bool):
        assert elem.text == ("true" if value else "false"), f"{where}: {elem.text} != {value}"
    elif isinstance(value, (int, float)):
        assert float(elem.text) == value, f"{where}: {elem.text} != {value}"
    else:
        assert (elem.text or "") == value, f"{where}: {elem.text!r} != {value!r}"


# A session whose text needs escaping.
nasty = "<b>Tom & Jerry</b> \"quoted\" ]]>\r\nline two\ttab"
status, _, body = call("/v1/sessions:upsert", WRITER, body={"session": {
    "id": "xml-nasty", "dateCreated": "2026-11-25T08:00:00Z", "displayName": nasty}})
assert status == 200, body

status, ctype, raw_json = call("/portal/active-sessions", TOKEN, accept="application/json")
assert status == 200
answer = json.loads(raw_json)
assert len(answer["sessions"]) > 1

bodies = []
for path, accept in [("/portal/active-sessions.xml", None),
                     ("/portal/active-sessions?format=xml", None),
                     ("/portal/active-sessions", "application/xml"),
                     ("/api/AppGetActiveSessions", "text/xml")]:
    status, ctype, raw = call(path, TOKEN, accept=accept)
    assert status == 200, (path, raw[:300])
    assert ctype == "application/xml", (path, ctype)
    assert raw.startswith(b'<?xml version="1.0" encoding="utf-8"?><AppGetActiveSessionsResult '), raw[:120]
    bodies.append(raw)
assert all(b == bodies[0] for b in bodies), "the three ways of asking differ"

root = ET.fromstring(bodies[0])
assert root.tag == "{" + DC + "Voice.Api.App.Portal}AppGetActiveSessionsResult", root.tag
compare(answer, root, "AppGetActiveSessionsResult")
sessions = root.find("{*}Sessions")
for s in sessions:
    assert s.tag == "{" + DC + "Voice.Api.Sessions}SessionInfo", s.tag
    first = [split(c.tag) for c in list(s)[:5]]
    assert first == [(DC + "Voice.Api", n) for n in
                     ["CreatedBy", "DateCreated", "DateLastModified", "Id", "LastModifiedBy"]], first
    for b in s.findall("{*}CustomerBreadcrumb/*"):
        assert b.tag == "{" + DC + "Voice.Api.Customers}CustomerBreadcrumb", b.tag
text = {s.find("{*}Id").text: s.find("{*}DisplayName").text for s in sessions}
assert text["xml-nasty"] == nasty, repr(text["xml-nasty"])

# Errors: ServiceStack's ErrorResponse in its own namespace.
status, ctype, raw = call("/portal/active-sessions.xml?startDate=nope", TOKEN)
assert status == 400 and ctype == "application/xml", (status, ctype)
error = ET.fromstring(raw)
assert error.tag == "{" + SS + "}ErrorResponse", error.tag
assert error.find("{*}ResponseStatus/{*}ErrorCode").text == "InvalidArgument"
assert error.find("{*}ResponseStatus/{*}Errors/{*}ResponseError/{*}FieldName").text == "StartDate"
status, ctype, raw = call("/portal/active-sessions.xml", "not-a-token")
assert status == 401 and ctype == "application/xml", (status, ctype)
assert ET.fromstring(raw).find("{*}ResponseStatus/{*}ErrorCode").text == "Unauthorized"
print("xml check: ok,", len(answer["sessions"]), "sessions")
