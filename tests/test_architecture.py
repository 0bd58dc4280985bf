"""voiceart's layering (docs/architecture.md), checked on its source.

Every ``import`` of a voiceart module, at the top of a file or inside a function, is read with
``ast``; nothing is imported. Two things fail: a cycle of imports between modules, and an import
against the layers: plumbing importing a stage, a stage importing the window, the app or the
command line, one stage importing another's private names or its ``cli`` module, two stages
importing each other, or a leaf (errors, vocabulary) importing anything of voiceart.
"""
from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent / "voiceart"

# Each top-level module or package of voiceart, by layer. A module imports its own package and
# lower layers freely; another package of its own layer only when that layer is shared (plumbing
# helps plumbing; stages use each other's public names, never in a circle). Higher layers: never.
LAYERS = (
    ("plumbing and words", {"errors", "config", "files", "torch_files", "layers", "images", "weights", "vocabulary",
                            "samples"}),
    ("stages", {"paintings", "genre", "style", "text2image", "speech", "session"}),
    ("window", {"ui"}),
    ("app", {"app"}),
    ("command line", {"cli"}),
    ("python -m voiceart", {"__main__"}),
)
SHARED = {"plumbing and words", "stages"}
LEAVES = {"errors", "vocabulary"}  # import nothing of voiceart, so that anything may import them
LAYER = {top: (rank, name) for rank, (name, tops) in enumerate(LAYERS) for top in tops}


@dataclass(frozen=True)
class Import:
    source: str  # the importing module, "voiceart.speech.rescore"
    target: str  # the voiceart module imported, "voiceart.vocabulary"
    names: tuple[str, ...]  # what is taken from it: imported names and attributes read on it
    where: str  # "voiceart/speech/rescore.py:22"


def modules(root: Path) -> dict[str, Path]:
    """Dotted module name -> file, for every .py file under ``root`` (a package named like its folder)."""
    out = {}
    for path in sorted(root.rglob("*.py")):
        parts = path.relative_to(root.parent).with_suffix("").parts
        out[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return out


def imports(root: Path) -> list[Import]:
    """Every import of one of ``root``'s modules by another, with the names it uses from it."""
    known = modules(root)

    def module_of(dotted: str) -> str:
        while dotted and dotted not in known:
            dotted = dotted.rpartition(".")[0]
        return dotted

    out = []
    for name, path in known.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        bound: dict[str, str] = {}  # a local name -> the module it is bound to, for attribute reads
        found: list[tuple[str, list[str], int]] = []
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name.split(".")[0] == root.name:
                        target = module_of(alias.name)
                        bound[alias.asname or alias.name] = target
                        found.append((target, [], node.lineno))
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    parent = package.split(".")[:len(package.split(".")) - node.level + 1]
                    base = ".".join(parent + ([node.module] if node.module else []))
                if base.split(".")[0] != root.name:
                    continue
                for alias in node.names:
                    if f"{base}.{alias.name}" in known:  # a module: "from voiceart.speech import grammar"
                        bound[alias.asname or alias.name] = f"{base}.{alias.name}"
                        found.append((f"{base}.{alias.name}", [], node.lineno))
                    else:
                        found.append((module_of(base), [alias.name], node.lineno))
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in bound:
                found.append((bound[node.value.id], [node.attr], node.lineno))
        where = path.relative_to(root.parent).as_posix()
        out += [Import(name, target, tuple(names), f"{where}:{line}")
                for target, names, line in found if target != name]
    return out


def top(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """One shortest circle through each group of nodes that reach each other (Tarjan, then a search)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    groups = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in sorted(edges.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = set()
            while v not in group:
                group.add(stack.pop())
            if len(group) > 1:
                groups.append(group)

    for v in sorted(edges):
        if v not in index:
            visit(v)
    out = []
    for group in groups:
        start = min(group)
        paths, seen = [[start]], {start}
        while paths:
            path = paths.pop(0)
            nxt = sorted(w for w in edges.get(path[-1], ()) if w in group)
            if start in nxt:
                out.append(path + [start])
                break
            for w in nxt:
                if w not in seen:
                    seen.add(w)
                    paths.append(path + [w])
    return sorted(out)


def cycle_problems(found: list[Import]) -> list[str]:
    edges: dict[str, set[str]] = {}
    where = {}
    for i in found:
        edges.setdefault(i.source, set()).add(i.target)
        where.setdefault((i.source, i.target), i.where)
    return ["import cycle: " + " -> ".join(c) + "  (" + ", ".join(where[a, b] for a, b in zip(c, c[1:])) + ")"
            for c in cycles(edges)]


def layer_problems(found: list[Import]) -> list[str]:
    problems = []
    stage_edges: dict[str, set[str]] = {}
    for i in found:
        a, b = top(i.source), top(i.target)
        if a == b or b == "__init__":
            continue
        if a in LEAVES:
            problems.append(f"{i.where}: {i.source} imports {i.target}; {a} is a leaf, importing nothing of voiceart")
        (rank_a, layer_a), (rank_b, layer_b) = LAYER[a], LAYER[b]
        if rank_b > rank_a or (rank_b == rank_a and layer_a not in SHARED):
            problems.append(f"{i.where}: {i.source} ({layer_a}) imports {i.target} ({layer_b}),"
                            " a layer above or beside it")
        private = [n for n in i.names if n.startswith("_") and not n.startswith("__")]
        if rank_b == rank_a and private:
            problems.append(f"{i.where}: {i.source} uses {i.target}'s private {', '.join(private)}:"
                            " make it public or move it")
        if i.target.count(".") > 1 and i.target.endswith(".cli") and i.source != "voiceart.cli":
            problems.append(f"{i.where}: {i.source} imports {i.target}, a stage's command line: only voiceart.cli may")
        if layer_a == layer_b == "stages":
            stage_edges.setdefault(a, set()).add(b)
    problems += [f"stages import each other in a circle: {' -> '.join(c)}" for c in cycles(stage_edges)]
    return problems


def test_every_voiceart_package_has_a_layer():
    tops = {top(name) for name in modules(ROOT)} - {"__init__"}
    assert tops <= set(LAYER), \
        f"place {sorted(tops - set(LAYER))} in a layer of tests/test_architecture.py and docs/architecture.md"


def test_voiceart_has_no_import_cycle():
    problems = cycle_problems(imports(ROOT))
    assert not problems, "\n".join(problems)


def test_voiceart_imports_only_down_its_layers():
    problems = layer_problems(imports(ROOT))
    assert not problems, "\n".join(problems)


def test_the_checks_catch_a_cycle_a_private_name_a_command_line_and_an_upward_import(tmp_path):
    """The checks on a made-up voiceart: what each rule forbids is found, with its file and line."""
    files = {
        "__init__.py": "",
        "errors.py": "",
        "speech/__init__.py": "",
        "speech/voice.py": "def play():\n    from voiceart.speech import earcons\n    return earcons\n",
        "speech/earcons.py": "from voiceart.speech.voice import play\nfrom voiceart.ui import window\n",
        "paintings/__init__.py": "",
        "paintings/catalogue.py": "import voiceart.genre.train as t\n\ndef _name():\n    return t\n",
        "genre/__init__.py": "",
        "genre/train.py": "from voiceart.paintings import catalogue\n\nNAME = catalogue._name()\n",
        "vocabulary/__init__.py": "from voiceart import errors\n",
        "ui/__init__.py": "",
        "speech/cli.py": "",
        "ui/window.py": "from voiceart import errors\nfrom voiceart.speech.cli import main\n",
    }
    root = tmp_path / "voiceart"
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    found = imports(root)
    assert cycle_problems(found) == [
        "import cycle: voiceart.genre.train -> voiceart.paintings.catalogue -> voiceart.genre.train"
        "  (voiceart/genre/train.py:1, voiceart/paintings/catalogue.py:1)",
        "import cycle: voiceart.speech.earcons -> voiceart.speech.voice -> voiceart.speech.earcons"
        "  (voiceart/speech/earcons.py:1, voiceart/speech/voice.py:2)",
    ]
    problems = layer_problems(found)
    assert problems == [
        "voiceart/genre/train.py:3: voiceart.genre.train uses voiceart.paintings.catalogue's private _name:"
        " make it public or move it",
        "voiceart/speech/earcons.py:2: voiceart.speech.earcons (stages) imports voiceart.ui.window (window),"
        " a layer above or beside it",
        "voiceart/ui/window.py:2: voiceart.ui.window imports voiceart.speech.cli, a stage's command line:"
        " only voiceart.cli may",
        "voiceart/vocabulary/__init__.py:1: voiceart.vocabulary imports voiceart.errors; vocabulary is a leaf,"
        " importing nothing of voiceart",
        "stages import each other in a circle: genre -> paintings -> genre",
    ]
