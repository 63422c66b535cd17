# graphcheck.py — a provtrace graph drawing as `dot -Tjson0` gives it (stdin), printed one
# line per node ("entity|activity|agent LABEL", the label's lines joined by " / ") and
# per edge ("TAIL-LABEL -label-> HEAD-LABEL"), sorted, after checking that every node has
# PROV's shape and colour for its kind and sits in the cluster of a node or none.
import json
import sys

KINDS = {("ellipse", "#FFFC87"): "entity", ("box", "#9FB1FC"): "activity",
         ("house", "#FED37F"): "agent"}
d = json.load(sys.stdin)
objs = d["objects"]
clustered = {}
for o in objs:
    if "nodes" in o:
        assert o["name"].startswith("cluster_"), o["name"]
        for i in o["nodes"]:
            clustered[i] = o["label"]
lab = {}
out = []
for i, o in enumerate(objs):
    if "nodes" in o:
        continue
    kind = KINDS.get((o.get("shape"), o.get("fillcolor")))
    if kind is None or o.get("style") != "filled":
        sys.exit("node %s: shape %s colour %s" % (o["name"], o.get("shape"), o.get("fillcolor")))
    if kind == "agent" and i in clustered:
        sys.exit("agent %s in a cluster" % o["name"])
    lab[o["_gvid"]] = " / ".join(o["label"].split("\n"))
    out.append("%s %s%s" % (kind, lab[o["_gvid"]],
                            " [%s]" % clustered[i] if sys.argv[1:] == ["-c"] and i in clustered else ""))
for e in d.get("edges", []):
    for l in e["label"].split("\n"):
        out.append("%s -%s-> %s" % (lab[e["tail"]], l, lab[e["head"]]))
print("\n".join(sorted(out)))
