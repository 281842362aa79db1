"""The paper exchange's modules import each other without a cycle (not even under TYPE_CHECKING), and
take nothing from the app but the header that names it: it must check the client's signatures with its
own code. Read from the source with `ast`, so an import inside a function or an `if` counts too."""

import ast
from pathlib import Path

import gatecancel_gui.paper

PACKAGE = "gatecancel_gui.paper"
FOLDER = Path(gatecancel_gui.paper.__file__).parent


def module_name(path: Path) -> str:
    return PACKAGE if path.name == "__init__.py" else f"{PACKAGE}.{path.stem}"


def imports_of(path: Path) -> list[tuple[str, list[str]]]:
    """(module, names) for every import statement anywhere in the file, relative ones made absolute."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(alias.name, []) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join([*PACKAGE.split(".")[: 3 - node.level], *([base] if base else [])])
            found.append((base, [alias.name for alias in node.names]))
    return found


def paper_graph() -> dict[str, set[str]]:
    modules = {module_name(p): p for p in sorted(FOLDER.glob("*.py"))}
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        for imported, names in imports_of(path):
            if imported == PACKAGE:  # `from gatecancel_gui.paper import x`: a submodule, or a name of __init__
                graph[name] |= {f"{PACKAGE}.{n}" if f"{PACKAGE}.{n}" in modules else PACKAGE for n in names}
            elif imported in modules:
                graph[name].add(imported)
        graph[name].discard(name)
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle as the path that closes it (depth-first search, three colours), or None."""
    state: dict[str, int] = {}  # absent: not seen; 1: on the current path; 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt):], nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        path.pop()
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state and (cycle := visit(start)):
            return cycle
    return None


def test_the_cycle_finder_finds_a_cycle_and_accepts_a_tree():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b", "c"}, "b": {"c"}, "c": set()}) is None


def test_paper_modules_import_each_other_without_a_cycle():
    graph = paper_graph()
    assert len(graph) > 5 and any(graph.values())  # the graph was really read
    cycle = find_cycle(graph)
    assert cycle is None, "import cycle in paper/: " + " -> ".join(m.rpartition(".")[2] for m in cycle)


def test_paper_takes_from_the_app_only_the_header_that_names_it():
    """One import line of PAPER_HEADER (so a move of it in core is one edit), and nothing else of the app:
    in particular not the client's signing, which the paper exchange exists to check."""
    from_app = [(p.name, module, names) for p in sorted(FOLDER.glob("*.py")) for module, names in imports_of(p)
                if module.startswith("gatecancel_gui") and not module.startswith(PACKAGE)]
    assert [names for _file, _module, names in from_app] == [["PAPER_HEADER"]], from_app
