"""CPU time of a process's threads, summed by thread name (xtraderd names its stages: io, ws,
sequencer, seq-complete, trade-store, market-data, surveillance, ...).

  threads.py PID              prints {"name": seconds, ...}
  threads.py PID BEFORE N     prints {"name": microseconds per request, ...} since BEFORE
                              (a JSON object printed by the first form) for N requests
"""
import json
import os
import sys

HZ = os.sysconf("SC_CLK_TCK")


def snapshot(pid):
    totals = {}
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{tid}/stat") as f:
                stat = f.read()
        except OSError:
            continue  # the thread ended meanwhile
        name = stat[stat.index("(") + 1:stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2:].split()
        seconds = (int(fields[11]) + int(fields[12])) / HZ  # utime + stime
        totals[name] = totals.get(name, 0.0) + seconds
    return totals


now = snapshot(int(sys.argv[1]))
if len(sys.argv) == 2:
    print(json.dumps(now))
else:
    before, requests = json.loads(sys.argv[2]), int(sys.argv[3])
    per = {name: round((s - before.get(name, 0.0)) * 1e6 / requests, 2) for name, s in now.items()}
    per = {name: us for name, us in sorted(per.items(), key=lambda kv: -kv[1]) if us > 0}
    per["total"] = round(sum(per.values()), 2)
    print(json.dumps(per))
