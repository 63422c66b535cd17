"""failproxy.py PORT UPSTREAM N -- an HTTP relay to a store that breaks down half way.

Forwards every request (method, path, headers, body) to UPSTREAM (http://host:port) and
relays the answer, until the N-th request that carries a body to a Graph Store Protocol
endpoint (a path with "graph-crud"): that one and every later one are answered 503, as a
store that fails in the middle of a load.  Used by tests/rdf/publish.sh.  Prints "ready"
once listening."""
import http.client
import http.server
import sys
import urllib.parse

PORT, UPSTREAM, N = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
up = urllib.parse.urlsplit(UPSTREAM)
loads = 0


class Relay(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def relay(self):
        global loads
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n) if n else None
        if "graph-crud" in self.path and n > 0 and self.headers.get("Authorization"):
            loads += 1
            if loads >= N:
                msg = b"store out of service\n"
                self.send_response(503)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(msg)))
                self.end_headers()
                self.wfile.write(msg)
                return
        c = http.client.HTTPConnection(up.hostname, up.port, timeout=120)
        headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "connection")}
        c.request(self.command, self.path, body=body, headers=headers)
        r = c.getresponse()
        data = r.read()
        self.send_response(r.status, r.reason)
        for k, v in r.getheaders():
            if k.lower() not in ("transfer-encoding", "connection", "content-length"):
                self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
        c.close()

    do_GET = do_POST = do_PUT = do_DELETE = relay


srv = http.server.HTTPServer(("127.0.0.1", PORT), Relay)
print("ready", flush=True)
srv.serve_forever()
