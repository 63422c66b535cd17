#!/usr/bin/python3
"""train_ml.py --config CFG.yaml --data SHARD.npy [--data ...] --out DIR [options]
[KEY=VALUE ...] — a training run that writes down what it does the way ML jobs do: its
settings come from a YAML configuration, argparse flags and Hydra-style KEY=VALUE
overrides (optimizer.momentum=0.5); it writes a CSV log, a TensorBoard event file
(by the small writer below: no TensorFlow needed) and the model, DIR/model.pt.

The model is a linear classifier trained by mini-batch gradient descent with momentum,
in plain Python arithmetic so that the numbers are the same on every machine.
Each shard is an .npy array of rows (x1, x2, label); the last quarter of the rows of
each shard is held out for validation."""
import argparse
import os
import struct
import time

import numpy as np
import yaml


# ---- a TensorBoard event file: TFRecord frames of Event protos, scalar summaries

def crc32c(data):
    crc = 0xFFFFFFFF
    for b in data:
        crc ^= b
        for _ in range(8):
            crc = (crc >> 1) ^ 0x82F63B78 if crc & 1 else crc >> 1
    return crc ^ 0xFFFFFFFF


def masked(crc):
    return (((crc >> 15) | (crc << 17)) + 0xA282EAD8) & 0xFFFFFFFF


def varint(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def field(number, wire, payload):
    key = varint(number << 3 | wire)
    if wire == 2:
        return key + varint(len(payload)) + payload
    return key + payload


class EventWriter:
    def __init__(self, f):
        self.f = f
        self.event(field(3, 2, b"brain.Event:2"), 0)

    def event(self, body, step):
        data = field(1, 1, struct.pack("<d", time.time())) + field(2, 0, varint(step)) + body
        header = struct.pack("<Q", len(data))
        self.f.write(header + struct.pack("<I", masked(crc32c(header))))
        self.f.write(data + struct.pack("<I", masked(crc32c(data))))

    def scalar(self, tag, value, step):
        value = field(1, 2, tag.encode()) + field(2, 5, struct.pack("<f", value))
        self.event(field(5, 2, field(1, 2, value)), step)

    def close(self):
        self.f.close()


# ---- settings: the configuration, then flags, then KEY=VALUE overrides

def override(cfg, key, text):
    *parents, last = key.split(".")
    node = cfg
    for p in parents:
        node = node.setdefault(p, {})
    node[last] = yaml.safe_load(text)


def settings():
    ap = argparse.ArgumentParser()
    ap.add_argument("--config", required=True)
    ap.add_argument("--data", action="append", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--lr", type=float)
    ap.add_argument("--epochs", type=int)
    ap.add_argument("--batch-size", type=int)
    args, rest = ap.parse_known_args()
    with open(args.config) as f:
        cfg = yaml.safe_load(f)
    if args.lr is not None:
        cfg["optimizer"]["lr"] = args.lr
    if args.epochs is not None:
        cfg["epochs"] = args.epochs
    if args.batch_size is not None:
        cfg["batch_size"] = args.batch_size
    for word in rest:
        key, _, text = word.lstrip("+").partition("=")
        override(cfg, key, text)
    return args, cfg


def main():
    args, cfg = settings()
    rows = [tuple(float(v) for v in r) for path in args.data for r in np.load(path)]
    cut = len(rows) * 3 // 4
    train, val = rows[:cut], rows[cut:]
    lr, mom = cfg["optimizer"]["lr"], cfg["optimizer"]["momentum"]
    bs, epochs = cfg["batch_size"], cfg["epochs"]
    w, v = [0.0, 0.0, 0.0], [0.0, 0.0, 0.0]

    os.makedirs(args.out, exist_ok=True)
    tb = EventWriter(open(os.path.join(args.out, "events.out.tfevents.0.example"), "wb"))
    with open(os.path.join(args.out, "log.csv"), "w") as log:
        log.write("epoch,loss,val_acc\n")
        for epoch in range(1, epochs + 1):
            total = 0.0
            for i in range(0, len(train), bs):
                batch = train[i:i + bs]
                g = [0.0, 0.0, 0.0]
                for x1, x2, y in batch:
                    err = w[0] * x1 + w[1] * x2 + w[2] - y
                    total += err * err
                    g[0] += err * x1
                    g[1] += err * x2
                    g[2] += err
                for k in range(3):
                    v[k] = mom * v[k] - lr * g[k] / len(batch)
                    w[k] += v[k]
            loss = round(total / len(train), 6)
            right = sum((w[0] * x1 + w[1] * x2 + w[2] > 0.5) == (y > 0.5) for x1, x2, y in val)
            acc = round(right / len(val), 6)
            log.write(f"{epoch},{loss},{acc}\n")
            tb.scalar("train/loss", loss, epoch)
            tb.scalar("val/acc", acc, epoch)
    tb.close()
    with open(os.path.join(args.out, "model.pt"), "wb") as f:
        np.save(f, np.array(w))
    print(f"{args.out}: loss {loss} val_acc {acc}")


if __name__ == "__main__":
    main()
