"""The CSV format against the JSON answer, read back with Python's csv module.

The same listing asked for as `.csv`, `?format=csv` and `Accept: text/csv`
is the same bytes; parsed, it has one row per session of the JSON answer
and a header of the C# property names; every string cell equals the JSON
string (quotes, commas and line breaks survive the round trip), enums and
numbers are written as in JSON, booleans as True/False, and nested lists
as JSV. Usage: csv_check.py BASE_URL READ_TOKEN WRITE_TOKEN
"""
import csv
import io
import json
import sys
import urllib.request

BASE, TOKEN, WRITER = sys.argv[1:4]


def call(path, token, accept=None, body=None):
    headers = {"Authorization": "Bearer " + token}
    if accept:
        headers["Accept"] = accept
    if body is not None:
        headers["Content-Type"] = "application/json"
        body = json.dumps(body).encode()
    req = urllib.request.Request(BASE + path, data=body, headers=headers)
    with urllib.request.urlopen(req, timeout=60) as r:
        return r.headers.get("Content-Type"), r.read().decode("utf-8")


def pascal(camel):
    return camel[0].upper() + camel[1:]


# A session whose strings need quoting.
tricky = 'Ada "the" caller, line one\nline two'
call("/v1/sessions:upsert", WRITER, body={"session": {
    "id": "csv-1", "dateCreated": "2026-12-03T10:00:00Z", "displayName": tricky,
    "customerId": "cust-acme-hq",
    "customerBreadcrumb": [{"id": "cust-acme-hq", "name": "Acme, HQ"}]}})

_, listing = call("/portal/active-sessions", TOKEN)
sessions = json.loads(listing)["sessions"]
ctype, text = call("/portal/active-sessions.csv", TOKEN)
assert ctype == "text/csv; charset=utf-8", ctype
assert call("/portal/active-sessions?format=csv", TOKEN)[1] == text
assert call("/portal/active-sessions", TOKEN, accept="text/csv")[1] == text
assert text.endswith("\r\n")

rows = list(csv.DictReader(io.StringIO(text, newline="")))
assert len(rows) == len(sessions), (len(rows), len(sessions))
header = next(csv.reader(io.StringIO(text, newline="")))
assert header[:3] == ["DialState", "CallState", "QueueState"], header
assert header[-5:] == ["Id", "DateCreated", "DateLastModified", "CreatedBy", "LastModifiedBy"], header
checked = 0
for session, row in zip(sessions, rows):
    for key, value in session.items():
        cell = row[pascal(key)]
        if isinstance(value, bool):
            assert cell == ("True" if value else "False"), (key, value, cell)
        elif isinstance(value, (str, int, float)):
            assert cell == str(value), (key, value, cell)
        elif isinstance(value, list):
            if not value:
                assert cell == "[]", (key, cell)
            else:
                assert cell.startswith("[{") and cell.endswith("}]"), (key, cell)
                for item in value:
                    for v in item.values():
                        if isinstance(v, str) and not any(c in v for c in ',"[]{}:'):
                            assert v in cell, (key, v, cell)
        checked += 1
    for name in header:
        key = name[0].lower() + name[1:]
        if key not in session:
            assert row[name] in ("", "[]", "{}"), (name, row[name])
mine = next(row for row in rows if row["Id"] == "csv-1")
assert mine["DisplayName"] == tricky, mine["DisplayName"]
assert mine["CustomerBreadcrumb"] == '[{id:cust-acme-hq,name:"Acme, HQ"}]', mine["CustomerBreadcrumb"]
print("csv_check: ok (%d rows, %d cells compared)" % (len(rows), checked))
