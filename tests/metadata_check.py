"""ServiceStack's metadata pages of the real server, read as a browser would.

/metadata lists the operations and every link on it answers 200; the
operation page /json/metadata?op=AppGetActiveSessions says "Requires
Authentication", lists the routes, shows the C# DTOs and a sample HTTP
request and response per format whose bodies are what those formats look
like (the JSON one parses); the pages are well-formed HTML (every opened
element closed, in order), carry no script and a CSP without scripts; an
unknown operation is a 404 whose echoed name is escaped.
Usage: metadata_check.py BASE_URL
"""
import html.parser
import json
import xml.etree.ElementTree as ET
import sys
import urllib.error
import urllib.request

BASE = sys.argv[1]
VOID = {"meta", "br", "hr", "img", "input", "link"}


class Page(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.stack, self.links, self.pres, self.text = [], [], [], []
        self.scripts = 0
        self._pre = None

    def handle_starttag(self, tag, attrs):
        if tag == "script":
            self.scripts += 1
        if tag == "a":
            self.links.append(dict(attrs).get("href"))
        if tag == "pre":
            self._pre = []
        if tag not in VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        assert self.stack and self.stack[-1] == tag, "</%s> closes %s" % (tag, self.stack[-1:])
        self.stack.pop()
        if tag == "pre":
            self.pres.append("".join(self._pre))
            self._pre = None

    def handle_data(self, data):
        self.text.append(data)
        if self._pre is not None:
            self._pre.append(data)


def get(path):
    try:
        with urllib.request.urlopen(BASE + path, timeout=60) as r:
            return r.status, r.headers, r.read().decode("utf-8")
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read().decode("utf-8")


def page(path):
    status, headers, body = get(path)
    assert status == 200, (path, status)
    assert headers["Content-Type"] == "text/html; charset=utf-8", headers["Content-Type"]
    csp = headers["Content-Security-Policy"]
    assert "default-src 'none'" in csp and "script" not in csp, csp
    parsed = Page()
    parsed.feed(body)
    parsed.close()
    assert not parsed.stack, "unclosed %s in %s" % (parsed.stack, path)
    assert parsed.scripts == 0, path
    return parsed


index = page("/metadata")
assert "/json/metadata?op=AppGetActiveSessions" in index.links, index.links
for link in index.links:
    status, _, _ = get(link)
    assert status == 200, (link, status)

op = page("/json/metadata?op=AppGetActiveSessions")
text = "".join(op.text)
for expected in ("Requires Authentication", "/portal/active-sessions", "/api/AppGetActiveSessions",
                 "HTTP + JSON", "HTTP + JSV", "HTTP + CSV", "HTTP + XML"):
    assert expected in text, expected
csharp = next(p for p in op.pres if "public partial class AppGetActiveSessions" in p)
assert "[Route(\"/portal/active-sessions\", \"GET\")]" in csharp
responses = [p for p in op.pres if p.startswith("HTTP/1.1 200 OK")]
assert len(responses) == 4, len(responses)
bodies = [r.split("\n\n", 1)[1] for r in responses]
sample = json.loads(bodies[0])
assert sample["sessions"][0]["id"] == "String" and sample["sessions"][0]["ended"] is False
assert bodies[1].startswith("{sessions:[{dialState:None,"), bodies[1][:40]
assert bodies[2].startswith("DialState,CallState,"), bodies[2][:40]
xml_sample = ET.fromstring(bodies[3])
assert xml_sample.tag.endswith("}AppGetActiveSessionsResult"), xml_sample.tag
assert xml_sample.find("{*}Sessions/{*}SessionInfo/{*}Id").text == "String"

status, headers, body = get("/json/metadata?op=%3Cscript%3Ealert(1)%3C/script%3E")
assert status == 404, status
assert "<script" not in body and "&lt;script&gt;alert(1)&lt;/script&gt;" in body, body
print("metadata_check: ok (%d links on /metadata, %d samples)" % (len(index.links), len(responses)))
