"""Run a notebook's code cells in the child, the way a Jupyter kernel would, without one.

The parent has already turned each cell into plain Python with IPython's
TransformerManager (`%magic` -> `get_ipython().run_line_magic(...)`, `!cmd` ->
`get_ipython().system(...)`), so this side needs only the standard library: a
small `get_ipython()` stand-in runs the harmless magics, refuses shell escapes and
installs (and records them), and `display` and `IPython.display` exist even where
IPython is not installed. Like Jupyter, a cell stops at its first exception and the
next cell still runs; unlike Jupyter, each cell has a time limit and the whole
notebook a budget, so a looping notebook costs its budget once.
"""
from __future__ import annotations

import ast
import io
import sys
import time
import types
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .deadline import TimeLimit, limit
from .encode import ArrayWriter, encode
from .loader import describe, student_frame

MAX_CELL_OUTPUT = 20_000
MAX_FIGURES = 20
SAFE_LINE_MAGICS = {"matplotlib", "config", "load_ext", "reload_ext", "autoreload", "precision", "pylab_off",
                    "xmode", "pdb", "colors", "aimport", "reset_selective", "pinfo", "pinfo2", "psearch", "who", "whos"}


class CellOutput(io.TextIOBase):
    """Keeps a cell's printed text (capped) and still passes it on to the child's stdout file."""

    def __init__(self, real: Any):
        self.real = real
        self.parts: list[str] = []
        self.size = 0

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        text = str(text)
        if not text:
            return 0
        if self.size < MAX_CELL_OUTPUT:
            self.parts.append(text[: MAX_CELL_OUTPUT - self.size])
            self.size += len(self.parts[-1])
        try:
            self.real.write(text)
        except Exception:  # a stream the student closed; the time limit (a BaseException) still goes through
            pass
        return len(text)

    def flush(self) -> None:
        pass

    def text(self) -> str:
        return "".join(self.parts)


class Events:
    """`get_ipython().events`: matplotlib registers a post-execute hook here; nothing fires it."""

    def register(self, event: str, function: Any) -> None:
        pass

    def unregister(self, event: str, function: Any) -> None:
        pass


class Shell:
    """What `get_ipython()` returns: enough of InteractiveShell for transformed cells and common calls."""

    def __init__(self, namespace: dict[str, Any]):
        self.user_ns = namespace
        self.skipped: list[str] = []  # commands not run, for the report
        self.displayed: list[str] = []  # text of display() calls in the current cell
        self.kernel = None
        self.events = Events()

    def enable_gui(self, gui: Any = None) -> None:
        pass

    def enable_matplotlib(self, gui: Any = None) -> tuple[None, None]:
        return None, None

    def system(self, command: str) -> None:
        self.skipped.append(f"!{command}")

    def getoutput(self, command: str, split: bool = True) -> list[str]:
        self.skipped.append(f"!{command}")
        return []

    def run_line_magic(self, name: str, line: str, _stack_depth: int = 1) -> Any:
        if name in SAFE_LINE_MAGICS:
            return None
        if name == "time":  # `%time x = train()` defines x; %timeit runs in a namespace of its own in IPython
            return self._run_source(line)
        if name == "timeit":
            return None
        if name == "run" and _workspace_file(line.strip()) and line.strip().endswith(".py"):
            path = _workspace_file(line.strip())
            exec(compile(path.read_text(encoding="utf-8"), str(path), "exec"), self.user_ns)
            return None
        self.skipped.append(f"%{name} {line}".rstrip())
        return None

    def run_cell_magic(self, name: str, line: str, cell: str) -> Any:
        if name in ("time", "capture"):
            return self._run_source(cell)
        if name == "timeit":
            return None
        if name == "writefile" and _workspace_file(line.replace("-a", "").strip()):
            mode = "a" if line.strip().startswith("-a") else "w"
            with open(_workspace_file(line.replace("-a", "").strip()), mode, encoding="utf-8") as f:
                f.write(cell)
            return None
        self.skipped.append(f"%%{name} {line}".rstrip())
        return None

    def magic(self, text: str) -> Any:
        name, _, line = text.lstrip("%").partition(" ")
        return self.run_line_magic(name, line)

    def _run_source(self, source: str) -> None:
        exec(compile(source, "<magic>", "exec"), self.user_ns)

    def show_usage(self) -> None:
        pass


def _workspace_file(name: str) -> Path | None:
    """A plain file name in the private working directory (no folders, no way out of it), or None."""
    name = name.strip().strip("'\"")
    if not name or "/" in name or "\\" in name or name.startswith(".") or len(name) > 100:
        return None
    return Path.cwd() / name


class DisplayObject:
    """IPython.display.HTML, Markdown, Image, ... stand-ins: keep the data, show its text."""

    def __init__(self, data: Any = None, *args: Any, **kwargs: Any):
        self.data = data

    def __repr__(self) -> str:
        return f"<{type(self).__name__}>"


def _display_module(shell: Shell) -> types.ModuleType:
    def display(*objs: Any, **kwargs: Any) -> None:
        for obj in objs:
            shell.displayed.append(_text_of(obj))

    def clear_output(*args: Any, **kwargs: Any) -> None:
        pass

    module = types.ModuleType("IPython.display")
    module.display = display
    module.clear_output = clear_output
    for name in ("HTML", "Markdown", "Image", "Latex", "Math", "SVG", "JSON", "Javascript", "IFrame", "Audio"):
        setattr(module, name, type(name, (DisplayObject,), {}))
    return module


def install_ipython_stand_in(namespace: dict[str, Any]) -> Shell:
    """`get_ipython`, `display` and importable IPython/IPython.display modules for the student's cells."""
    shell = Shell(namespace)
    display_module = _display_module(shell)
    package = types.ModuleType("IPython")
    package.__path__ = []  # a package, so `import IPython.display` finds the submodule below
    package.display = display_module
    package.get_ipython = lambda: shell
    package.version_info = (8, 30, 0, "")  # matplotlib asks, and takes a recent IPython's code path
    package.__version__ = "8.30.0"
    core = types.ModuleType("IPython.core")
    core.__path__ = []
    core.display = display_module
    pylabtools = types.ModuleType("IPython.core.pylabtools")
    pylabtools.backend2gui = {}  # matplotlib before 3.9 looks the GUI of its backend up here
    core.pylabtools = pylabtools
    sys.modules.update({"IPython": package, "IPython.display": display_module, "IPython.core": core,
                        "IPython.core.display": display_module, "IPython.core.pylabtools": pylabtools})
    namespace["get_ipython"] = lambda: shell
    namespace["display"] = display_module.display
    namespace.setdefault("exit", _exit)  # missing from builtins when the child runs without site
    namespace.setdefault("quit", _exit)
    return shell


def _exit(*args: Any) -> None:
    raise SystemExit(*args)


def _text_of(value: Any) -> str:
    try:
        text = repr(value)
    except Exception as exc:  # a hostile __repr__; the time limit (a BaseException) still goes through
        text = f"<unprintable: {describe(exc)}>"
    return str(text)[:MAX_CELL_OUTPUT]


def _silenced(source: str) -> bool:
    """IPython shows no result when the cell's last code line ends with ';'."""
    lines = [line.split("#", 1)[0].rstrip() for line in source.splitlines()]
    lines = [line for line in lines if line]
    return bool(lines) and lines[-1].endswith(";")


def _split_last_expression(tree: ast.Module, source: str) -> tuple[ast.Module, ast.Expression | None]:
    """A cell's last bare expression is its result (Out[n]), as in Jupyter, unless a ';' silences it."""
    if tree.body and isinstance(tree.body[-1], ast.Expr) and not _silenced(source):
        last = tree.body.pop()
        return tree, ast.Expression(body=last.value)
    return tree, None


def _override(tree: ast.Module, overrides: dict[str, Any]) -> list[str]:
    """After each top-level assignment of an overridden constant, assign the rubric's value instead:
    `N_SAMPLES = 60000` then runs as `N_SAMPLES = 60000; N_SAMPLES = 64` for the rest of the cell."""
    applied: list[str] = []
    body: list[ast.stmt] = []
    for node in tree.body:
        body.append(node)
        targets = node.targets if isinstance(node, ast.Assign) else \
            [node.target] if isinstance(node, (ast.AnnAssign, ast.AugAssign)) else []
        for target in targets:
            if isinstance(target, ast.Name) and target.id in overrides:
                replacement = ast.parse(f"{target.id} = {overrides[target.id]!r}").body[0]
                body.append(ast.copy_location(replacement, node))
                applied.append(target.id)
    tree.body = body
    ast.fix_missing_locations(tree)
    return applied


CO_COROUTINE = 0x80  # inspect.CO_COROUTINE: inspect and asyncio cost every child 35 ms to import, and few use them


def _run_code(code: types.CodeType, namespace: dict[str, Any]) -> Any:
    """Top-level `await` compiles to a coroutine code object: run it to the end on a fresh loop."""
    if code.co_flags & CO_COROUTINE:
        import asyncio

        coroutine = eval(code, namespace)
        loop = asyncio.new_event_loop()
        try:
            return loop.run_until_complete(coroutine)
        finally:
            loop.close()
    return eval(code, namespace)


def _figures(out: ArrayWriter | None) -> list[dict[str, Any]]:
    """Figures the cell left open, described (and saved as PNG if asked), then closed like Jupyter's
    inline backend. What is drawn never depends on whether a picture could be saved."""
    plt = sys.modules.get("matplotlib.pyplot")
    if plt is None:
        return []
    found: list[dict[str, Any]] = []
    try:
        for number in list(plt.get_fignums())[:MAX_FIGURES]:
            figure = plt.figure(number)
            axes = figure.get_axes()
            drawn = sum(len(ax.lines) + len(ax.collections) + len(ax.images) + len(ax.patches) for ax in axes)
            entry: dict[str, Any] = {"axes": len(axes), "artists": drawn}
            found.append(entry)
            if out is not None:
                try:
                    picture = io.BytesIO()
                    figure.savefig(picture, format="png", dpi=60)
                    entry["png"] = out.add(picture.getvalue())
                except Exception as exc:  # bad LaTeX in a title: the figure still counts, without a picture
                    entry["error"] = describe(exc)
    except Exception as exc:  # a student's patched pyplot: the cell's figures are simply unknown
        found.append({"error": describe(exc)})
    finally:
        try:
            plt.close("all")
        except Exception:
            pass
    return found


def _is_number(value: Any) -> bool:
    """Only numbers come back as a cell's result: what a cell check can compare (arrays stay in the child)."""
    if type(value) in (int, float, bool):
        return True
    try:
        return type(value).__module__ == "numpy" and getattr(value, "ndim", 1) == 0
    except Exception:
        return False


def _changed(before: dict[str, int], namespace: dict[str, Any]) -> list[str]:
    return [k for k, v in namespace.items() if not k.startswith("__") and before.get(k) != id(v)][:200]


def run_cells(module: types.ModuleType, notebook: dict[str, Any], cell_seconds: float, budget: float,
              arrays: ArrayWriter, figures: bool,
              emit: Callable[[dict[str, Any]], None], read: Callable[[str], Any]) -> None:
    """Execute every code cell into the module's namespace; emit one record per cell as soon as it ends,
    so cells finished before the parent has to kill the child keep their results."""
    namespace = module.__dict__
    namespace["__shown__"] = notebook["file"]  # "backprop.ipynb defines no `gradient_step`"
    # as in Jupyter, the notebook is __main__: guarded code runs, and its classes pickle and inspect
    module_name, namespace["__name__"] = namespace.get("__name__"), "__main__"
    worker_main, sys.modules["__main__"] = sys.modules.get("__main__"), module
    try:
        _run_all(namespace, notebook, cell_seconds, budget, arrays, figures, emit, read)
    finally:
        namespace["__name__"] = module_name
        sys.modules["__main__"] = worker_main


def _run_all(namespace: dict[str, Any], notebook: dict[str, Any], cell_seconds: float, budget: float,
             arrays: ArrayWriter, figures: bool,
             emit: Callable[[dict[str, Any]], None], read: Callable[[str], Any]) -> None:
    shell = install_ipython_stand_in(namespace)
    overrides = notebook.get("overrides", {})
    namespace.update(overrides)  # defined even where the notebook does not assign them
    started = time.monotonic()
    watch = {int(k): v for k, v in notebook.get("watch", {}).items()}
    for cell in notebook["cells"]:
        index = cell["index"]
        record: dict[str, Any] = {"record": "cell", "file": notebook["name"], "index": index, "status": "ok"}
        left = budget - (time.monotonic() - started)
        if left <= 0:
            emit({**record, "status": "skipped",
                  "error": f"not run: the notebook's time budget of {budget:g} s was used up"})
            continue
        filename = f"<{notebook['file']} cell {index}>"
        shell.skipped, shell.displayed = [], []
        stdout = CellOutput(sys.stdout)
        real_stdout = sys.stdout
        before = {k: id(v) for k, v in namespace.items()}
        cell_started = time.monotonic()
        result: Any = None
        try:
            sys.stdout = stdout
            with limit(min(cell_seconds, left)):
                tree = ast.parse(cell["source"], filename=filename)
                record["overridden"] = _override(tree, overrides)
                body, last = _split_last_expression(tree, cell["source"])
                flags = ast.PyCF_ALLOW_TOP_LEVEL_AWAIT
                _run_code(compile(body, filename, "exec", flags=flags), namespace)
                if last is not None:
                    result = _run_code(compile(last, filename, "eval", flags=flags), namespace)
        except TimeLimit:
            record.update(status="timeout", error=f"the cell ran longer than {min(cell_seconds, left):g} s and was stopped")
        except SyntaxError as exc:
            record.update(status="error", error=f"SyntaxError: {exc.msg}", line=exc.lineno)
        except BaseException as exc:  # student exceptions of every kind, SystemExit included
            frame = student_frame(exc, {filename})
            record.update(status="error", error=describe(exc), line=frame[1] if frame else None)
        finally:
            sys.stdout = real_stdout
        record["seconds"] = round(time.monotonic() - cell_started, 4)
        record["stdout"] = stdout.text()
        record["displayed"] = [text[:2000] for text in shell.displayed[:20]]
        if shell.skipped:
            record["skipped"] = [command[:300] for command in shell.skipped[:20]]
        record["names"] = _changed(before, namespace)
        try:  # the result's __repr__, figures and watched names are student code too
            with limit(cell_seconds):
                if result is not None:
                    record["result_text"] = _text_of(result)[:2000]
                    if _is_number(result):
                        record["result"] = encode(result, arrays)
                record["figures"] = _figures(arrays if figures else None)
                if index in watch:
                    record["watch"] = {path: read(path) for path in watch[index]}
        except TimeLimit:
            record["late"] = f"reading the cell's result, figures or names took longer than {cell_seconds:g} s"
        emit(record)
