#!/usr/bin/env python3
"""Writes the machine a benchmark ran on as JSON: CPU model, cores, the ISA flags the kernels
care about, kernel release and UTC date, plus any key=value arguments (the run's settings).

    machine_info.py OUT.json [key=value ...]
"""
import datetime
import json
import os
import platform
import sys


def cpu_model_and_flags():
    model, flags = "", []
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name") and not model:
                    model = line.split(":", 1)[1].strip()
                elif line.startswith(("flags", "Features")) and not flags:
                    flags = line.split(":", 1)[1].split()
    except OSError:
        pass
    return model, flags


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    model, flags = cpu_model_and_flags()
    isa = [f for f in ("avx2", "fma", "avx512f", "avx512_vnni", "avx_vnni", "asimd", "asimddp")
           if f in flags]
    info = {"cpu": model, "cores": os.cpu_count(), "isa": isa, "machine": platform.machine(),
            "kernel": platform.release(),
            "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")}
    for setting in sys.argv[2:]:
        key, _, value = setting.partition("=")
        info[key] = int(value) if value.lstrip("-").isdigit() else value
    with open(sys.argv[1], "w") as out:
        json.dump(info, out, indent=2)
        out.write("\n")


if __name__ == "__main__":
    main()
