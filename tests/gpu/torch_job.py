"""torch_job.py — the PyTorch job of tests/gpu/check.sh: a small MLP trained for a fixed
number of steps on the GPU.  Prints one JSON line: steps, seconds per timed step and, with
--profile, the kernels torch.profiler saw (the whole job runs inside the profiler, so that
the count covers every kernel the process launched).

usage: torch_job.py [--profile] [--steps N] [--warmup N]
       torch_job.py --touch     (initialise CUDA, create no context: prints nothing)
"""
import argparse
import json
import sys
import time

import torch


def train(steps, warmup):
    torch.manual_seed(0)
    model = torch.nn.Sequential(
        torch.nn.Linear(256, 512), torch.nn.ReLU(),
        torch.nn.Linear(512, 512), torch.nn.ReLU(),
        torch.nn.Linear(512, 10)).cuda()
    opt = torch.optim.SGD(model.parameters(), lr=0.01)
    x = torch.randn(64, 256, device="cuda")
    y = torch.randint(0, 10, (64,), device="cuda")
    loss_fn = torch.nn.CrossEntropyLoss()

    def step():
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()

    for _ in range(warmup):
        step()
    torch.cuda.synchronize()
    t0 = time.perf_counter()
    for _ in range(steps):
        step()
    torch.cuda.synchronize()
    return (time.perf_counter() - t0) / steps


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--profile", action="store_true")
    ap.add_argument("--touch", action="store_true")
    ap.add_argument("--steps", type=int, default=2000)
    ap.add_argument("--warmup", type=int, default=50)
    a = ap.parse_args()
    if a.touch:
        # cuInit without a context: the injection module loads and must stay silent
        return 0 if torch.cuda.is_available() else 1
    out = {"steps": a.steps, "warmup": a.warmup}
    if a.profile:
        from torch.profiler import ProfilerActivity, profile
        with profile(activities=[ProfilerActivity.CUDA]) as prof:
            out["s_step"] = train(a.steps, a.warmup)
        kernels = [e for e in prof.events() if e.device_type == torch.autograd.DeviceType.CUDA]
        out["profiler_kernels"] = sum(1 for e in kernels
                                      if "memcpy" not in e.name.lower()
                                      and "memset" not in e.name.lower())
    else:
        out["s_step"] = train(a.steps, a.warmup)
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
