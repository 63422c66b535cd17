#!/usr/bin/env python3
# sink.py — a stand-in for Virtuoso's endpoints that keeps no triples: it answers what
# provtrace publish sends (GSP PUT/POST, the SPARQL COUNT, DROP/DELETE/MOVE) and only counts.
#
#   bench/publish/sink.py PORTFILE [PORT]
#
# Listens on 127.0.0.1:PORT (default 0: any free port), writes the port it got to PORTFILE,
# and serves until SIGTERM.  Each graph's count is the newlines received for it (one
# N-Triples statement per line); a PUT replaces the count, a POST adds, DROP and DELETE
# empty the graph, MOVE carries the count over, so publish's COUNT check sees exactly what
# arrived.  After each MOVE it prints "moved TRIPLES triples BYTES bytes REQUESTS requests"
# on stdout.  For bench/publish/bench.sh -s: the publisher's time and memory without a store.
import http.server
import os
import re
import signal
import sys
import urllib.parse

graphs = {}
totals = {"bytes": 0, "requests": 0}


def iri(text, after):
    """the IRI between <> following keyword `after` in a SPARQL text"""
    m = re.search(after + r"\s*<([^>]*)>", text)
    return m.group(1) if m else None


class Sink(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def answer(self, status, body=b"", ctype="text/plain"):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def body_lines(self):
        """read the request body in pieces: (newlines, bytes)"""
        left = int(self.headers.get("Content-Length", "0"))
        lines = n = 0
        while left > 0:
            b = self.rfile.read(min(left, 1 << 20))
            if not b:
                break
            lines += b.count(b"\n")
            n += len(b)
            left -= len(b)
        return lines, n

    def form(self):
        left = int(self.headers.get("Content-Length", "0"))
        return urllib.parse.parse_qs(self.rfile.read(left).decode())

    def gsp(self, replace):
        q = urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query)
        g = (q.get("graph") or q.get("graph-uri") or [""])[0]
        lines, n = self.body_lines()
        graphs[g] = lines + (0 if replace else graphs.get(g, 0))
        totals["bytes"] += n
        totals["requests"] += 1
        self.answer(201 if replace else 200)

    def do_PUT(self):
        self.gsp(True)

    def do_POST(self):
        if not urllib.parse.urlsplit(self.path).path.startswith("/sparql-graph-crud"):
            return self.sparql()
        self.gsp(False)

    def sparql(self):
        f = self.form()
        if "query" in f:
            g = iri(f["query"][0], "GRAPH")
            return self.answer(200, b'"n"\n%d\n' % graphs.get(g, 0), "text/csv")
        u = f.get("update", [""])[0]
        if "MOVE" in u:
            src, dst = iri(u, "GRAPH"), iri(u, "TO GRAPH")
            graphs[dst] = graphs.pop(src, 0)
            print("moved %d triples %d bytes %d requests" % (graphs[dst], totals["bytes"],
                                                           totals["requests"]), flush=True)
        elif "DROP" in u or "DELETE" in u:
            graphs.pop(iri(u, "GRAPH"), None)
        else:
            return self.answer(400, b"sink.py: not an update it knows\n")
        self.answer(200)


def main():
    if len(sys.argv) not in (2, 3):
        sys.exit("usage: sink.py PORTFILE [PORT]")
    srv = http.server.HTTPServer(("127.0.0.1", int(sys.argv[2]) if len(sys.argv) > 2 else 0), Sink)
    signal.signal(signal.SIGTERM, lambda *a: sys.exit(0))
    with open(sys.argv[1] + ".tmp", "w") as f:
        f.write("%d\n" % srv.server_address[1])
    os.rename(sys.argv[1] + ".tmp", sys.argv[1])
    srv.serve_forever()


if __name__ == "__main__":
    main()
