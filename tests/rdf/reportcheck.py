# reportcheck.py — reads what headless Chromium made of a provtrace report, for
# tests/rdf/report*.sh:
#   reportcheck.py pids DOM        the data-pid of every process in the tree, one a line
#   reportcheck.py files DOM       the file paths of the lineage SVG's entities, sorted
#   reportcheck.py mpi DOM         "from to messages bytes" of each MPI matrix cell
#   reportcheck.py folded DOM      the lines of "Folded in this report"
#   reportcheck.py net NETLOG      URLs the page asked the network for (Chromium's own
#                                  background requests, not made for a file:// page, aside)
import html.parser
import json
import re
import sys


class Dom(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.pids, self.titles, self.cells, self.folded = [], [], [], []
        self.stack, self.text, self.in_folded = [], None, False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "li" and "data-pid" in a:
            self.pids.append(int(a["data-pid"]))
        if tag == "g":
            self.stack.append(a.get("class"))
        if tag == "title" and self.stack and self.stack[-1] == "node":
            self.text = ""
        if tag == "td" and a.get("title") and "→" in a["title"]:
            m = re.match(r"(\d+) → (\d+): (\d+) messages, (\d+) bytes", a["title"])
            self.cells.append(" ".join(m.groups()))
        if tag == "h3":
            self.text = ""
        if tag == "li" and self.in_folded:
            self.text = ""

    def handle_endtag(self, tag):
        if tag == "g" and self.stack:
            self.stack.pop()
        if tag == "title" and self.text is not None:
            self.titles.append(self.text)
            self.text = None
        if tag == "h3" and self.text is not None:
            self.in_folded = self.text == "Folded in this report"
            self.text = None
        if tag == "li" and self.in_folded and self.text is not None:
            self.folded.append(self.text)
            self.text = None

    def handle_data(self, data):
        if self.text is not None:
            self.text += data


def dom(path):
    d = Dom()
    with open(path, encoding="utf-8") as f:
        d.feed(f.read())
    return d


def entity_path(title):
    """entity:PATH, or entity:PATH@HOST:PID:START for a version a process wrote"""
    if not title.startswith("entity:/"):
        return None
    p = title[len("entity:"):]
    m = re.match(r"(.*)@[^@/]*:-?\d+:\d+$", p)
    return m.group(1) if m else p


cmd, arg = sys.argv[1], sys.argv[2]
if cmd == "pids":
    print("\n".join(str(p) for p in dom(arg).pids))
elif cmd == "files":
    print("\n".join(sorted({p for p in map(entity_path, dom(arg).titles) if p})))
elif cmd == "mpi":
    print("\n".join(dom(arg).cells))
elif cmd == "folded":
    print("\n".join(dom(arg).folded))
elif cmd == "net":
    with open(arg) as f:
        log = json.load(f)
    urls = set()
    for e in log.get("events", []):
        p = e.get("params", {})
        if "url" in p and "file://" in str(p.get("network_isolation_key", "")):
            urls.add(p["url"])
    print("\n".join(sorted(urls)))
else:
    sys.exit("reportcheck.py: unknown command " + cmd)
