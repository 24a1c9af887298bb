"""The server's /types/csharp against the seed's C# listing.

The seed (tests/testdata/seed_AppGetActiveSessions.cs: the C# DTOs of the
original API page, ../shared/seed/AppGetActiveSessions.txt) and the
generated file are parsed alike: per namespace, each class with its base
and its properties (type and name, in order) and each enum with its
members. They must declare the same types in the same namespaces with the
same bases, properties and enum members. The generated DTOs may carry the
gRPC API's additions after the seed's properties, and only those listed
in EXTENSIONS (paging and revisions, which REST clients may use too).
Usage: csharp_compare.py SEED.cs BASE_URL
"""
import re
import sys
import urllib.request

EXTENSIONS = {
    "AppGetActiveSessions": [("int", "PageSize"), ("string", "PageToken"), ("long", "MinRevision")],
    "AppGetActiveSessionsResult": [("string", "NextPageToken"), ("long", "Revision")],
}


def parse(text):
    """Returns {type name: (namespace, kind, base, members)}."""
    types = {}
    namespace = None
    current = None
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i].strip()
        m = re.match(r"namespace ([\w.]+)$", line)
        if m:
            namespace = m.group(1)
        m = re.match(r"public (?:partial )?class (\w+)$", line)
        if m:
            base = None
            following = lines[i + 1].strip() if i + 1 < len(lines) else ""
            b = re.match(r":\s*(\w+)", following)
            if b and not b.group(1).startswith("IReturn"):
                base = b.group(1)
            current = [namespace, "class", base, []]
            types[m.group(1)] = current
        m = re.match(r"public enum (\w+)$", line)
        if m:
            current = [namespace, "enum", None, []]
            types[m.group(1)] = current
            i += 1
            while not lines[i].strip().startswith("{"):
                i += 1
            i += 1
            while not lines[i].strip().startswith("}"):
                member = lines[i].strip().rstrip(",")
                if member:
                    current[3].append(member.split("=")[0].strip())
                i += 1
        m = re.match(r"public virtual ([\w<>, \[\]]+?) (\w+) \{ get; set; \}$", line)
        if m and current is not None and current[1] == "class":
            current[3].append((m.group(1), m.group(2)))
        i += 1
    return types


def main():
    seed_file, base = sys.argv[1:3]
    seed = parse(open(seed_file, encoding="utf-8").read())
    with urllib.request.urlopen(base + "/types/csharp", timeout=60) as r:
        generated_text = r.read().decode("utf-8")
    assert "Options:" in generated_text and "BaseUrl: " in generated_text
    generated = parse(generated_text)

    problems = []
    for name in sorted(set(seed) | set(generated)):
        if name not in generated:
            problems.append("missing type %s" % name)
            continue
        if name not in seed:
            problems.append("type %s is not in the seed" % name)
            continue
        s_ns, s_kind, s_base, s_members = seed[name]
        g_ns, g_kind, g_base, g_members = generated[name]
        if (s_ns, s_kind, s_base) != (g_ns, g_kind, g_base):
            problems.append("%s: seed %s %s : %s, generated %s %s : %s" % (
                name, s_kind, s_ns, s_base, g_kind, g_ns, g_base))
        expected = s_members + EXTENSIONS.get(name, [])
        if g_members != expected:
            problems.append("%s members differ:\n  seed      %s\n  generated %s" % (
                name, expected, g_members))
    if problems:
        print("\n".join(problems))
        sys.exit(1)
    classes = sum(1 for t in seed.values() if t[1] == "class")
    enums = sum(1 for t in seed.values() if t[1] == "enum")
    properties = sum(len(t[3]) for t in seed.values() if t[1] == "class")
    print("csharp_compare: ok (%d classes, %d properties, %d enums as in the seed)" % (
        classes, properties, enums))


if __name__ == "__main__":
    main()
