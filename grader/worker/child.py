"""Entry point of the isolated child: `python -I -S child.py PLAN.json`.

Runs with the interpreter's isolated mode and without site processing, so neither
the environment nor the project's editable install reaches it; the parent passes
the library folders (numpy, matplotlib) in the plan, added here before the worker
(which needs numpy) is imported.
"""
import json
import sys
from pathlib import Path

if __name__ == "__main__":
    with open(sys.argv[1], encoding="utf-8") as _f:
        sys.path.extend(json.load(_f).get("sys_path", []))
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from worker import main as _main
    sys.path.pop(0)
    for _name in [n for n in sys.modules if n == "worker" or n.startswith("worker.")]:
        del sys.modules[_name]
    sys.exit(_main.run(sys.argv[1]))
