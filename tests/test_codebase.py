"""Static checks of the codebase's shape: no import cycles, no private names used across packages,
nothing outside tests/ imports tests, modules of a readable size, and every module importable on its
own. Read from the source with `ast` (one subprocess for the import check), so they run in seconds."""

import ast
import json
import subprocess
import sys
from collections import deque
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Iterator, List, Optional, Set, Tuple

REPO_ROOT = Path(__file__).resolve().parents[1]
PROJECT = ("bot", "actions", "harness", "benchmarks")
MAX_LINES = 400


def module_name(path: Path) -> str:
    parts = list(path.relative_to(REPO_ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def project_files() -> Dict[str, Path]:
    """Module name -> file, for every module of the project's packages."""
    return {
        module_name(path): path
        for top in PROJECT
        for path in sorted((REPO_ROOT / top).rglob("*.py"))
        if "__pycache__" not in path.parts
    }


MODULES = project_files()


def package_of(module: str) -> str:
    """What may share private names: the first two components (`bot.eligibility`, `bot.cli`)."""
    return ".".join(module.split(".")[:2])


def is_private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


@dataclass(frozen=True)
class Import:
    line: int
    target: str  # the module imported (a project module when resolved, else as written)
    names: Tuple[str, ...] = ()  # `from target import names`


def is_package(module: str) -> bool:
    return MODULES.get(module, Path()).name == "__init__.py"


def resolve(module: str, level: int, name: Optional[str], importer: str) -> str:
    """The absolute name of a (possibly relative) `from ... import`."""
    if not level:
        return name or ""
    base = importer.split(".")
    base = base if is_package(importer) else base[:-1]
    base = base[: len(base) - (level - 1)]
    return ".".join(base + ([name] if name else []))


def type_checking_only(tree: ast.AST) -> Set[int]:
    """ids of the statements under `if TYPE_CHECKING:` (never run)."""
    skipped: Set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skipped.update(id(child) for stmt in node.body for child in ast.walk(stmt))
    return skipped


def imports_of(module: str, tree: ast.AST) -> Iterator[Import]:
    """Every import of a module, at module level or inside a function or class."""
    skipped = type_checking_only(tree)
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield Import(node.lineno, alias.name)
        elif isinstance(node, ast.ImportFrom):
            yield Import(
                node.lineno, resolve(module, node.level, node.module, module), tuple(a.name for a in node.names)
            )


def project_target(name: str) -> Optional[str]:
    """The project module `name` loads: itself, else its longest prefix that is one."""
    parts = name.split(".")
    while parts:
        if ".".join(parts) in MODULES:
            return ".".join(parts)
        parts.pop()
    return None


PARSED: Dict[str, ast.AST] = {name: ast.parse(path.read_text(), str(path)) for name, path in MODULES.items()}


def dependency_graph() -> Dict[str, Dict[str, int]]:
    """module -> {project module it imports: first line}. `from package import module` counts as
    importing that module; `from module import name` as importing the module."""
    graph: Dict[str, Dict[str, int]] = {name: {} for name in MODULES}
    for module, tree in PARSED.items():
        for imp in imports_of(module, tree):
            targets = [f"{imp.target}.{n}" for n in imp.names if f"{imp.target}.{n}" in MODULES]
            if len(targets) < len(imp.names) or not imp.names:
                targets.append(imp.target)
            for target in filter(None, map(project_target, targets)):
                # Importing a.b.c runs a and a.b first: the packages not already started by
                # the time this module runs (its own ancestors) count as imported too.
                for needed in [*ancestors(target), target]:
                    if needed != module and needed not in ancestors(module) and needed in MODULES:
                        graph[module].setdefault(needed, imp.line)
    return graph


def ancestors(module: str) -> List[str]:
    parts = module.split(".")
    return [".".join(parts[:i]) for i in range(1, len(parts))]


def strongly_connected(graph: Dict[str, Dict[str, int]]) -> List[List[str]]:
    """Tarjan's algorithm (iterative): the components with more than one module."""
    index: Dict[str, int] = {}
    low: Dict[str, int] = {}
    stack: List[str] = []
    on_stack: Set[str] = set()
    found: List[List[str]] = []
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(graph[root]))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(graph[child])))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def shortest_cycle(graph: Dict[str, Dict[str, int]], component: List[str]) -> str:
    """One cycle through the component's first module, with the line of each import."""
    members, start = set(component), component[0]
    previous: Dict[str, str] = {}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        for child in graph[node]:
            if child == start:
                path = [node]
                while path[-1] != start:
                    path.append(previous[path[-1]])
                path.reverse()
                hops = [f"{a}:{graph[a][b]} -> {b}" for a, b in zip(path, path[1:] + [start])]
                return "\n    ".join(hops)
            if child in members and child not in previous and child != start:
                previous[child] = node
                queue.append(child)
    return " ↔ ".join(component)


def test_no_import_cycles():
    graph = dependency_graph()
    cycles = strongly_connected(graph)
    message = "\n".join(f"cycle among {', '.join(c)}:\n    {shortest_cycle(graph, c)}" for c in sorted(cycles, key=len))
    print(message)
    assert not cycles, f"import cycles (function-level imports count):\n{message}"


def package_graph(graph: Dict[str, Dict[str, int]]) -> Dict[str, Dict[str, int]]:
    """The module graph folded onto packages (`package_of`); an edge keeps one of its imports' lines."""
    folded: Dict[str, Dict[str, int]] = {package_of(m): {} for m in graph}
    for module, targets in graph.items():
        for target, line in targets.items():
            if package_of(target) != package_of(module):
                folded[package_of(module)].setdefault(package_of(target), line)
    return folded


def test_no_import_cycles_between_packages():
    """Packages (bot.policy, bot.eligibility, …) depend on each other one way only: a cycle of
    packages is a module cycle waiting for one more import."""
    graph = dependency_graph()
    found = []
    for component in strongly_connected(package_graph(graph)):
        imports = [
            f"{m}:{line} -> {t}"
            for m, targets in graph.items()
            for t, line in targets.items()
            if package_of(m) in component and package_of(t) in component and package_of(m) != package_of(t)
        ]
        found.append(f"cycle among {', '.join(component)}:\n    " + "\n    ".join(imports))
    assert not found, "import cycles between packages:\n" + "\n".join(found)


def private_uses(module: str, tree: ast.AST) -> Iterator[str]:
    """`from x import _y`, `import x._y` and `x._y` with x a project module of another package."""
    mine = package_of(module)
    bound: Dict[str, str] = {}  # local name -> project module it refers to
    for imp in imports_of(module, tree):
        target = project_target(imp.target)
        if target is None:
            continue
        if imp.names:
            for name in imp.names:
                if f"{imp.target}.{name}" in MODULES:
                    bound[name] = f"{imp.target}.{name}"
                if is_private(name) and package_of(imp.target) != mine:
                    yield f"{module}:{imp.line} imports {name} from {imp.target}"
        else:
            bound[imp.target.split(".")[0]] = imp.target.split(".")[0]
        if any(is_private(part) for part in imp.target.split(".")) and package_of(imp.target) != mine:
            yield f"{module}:{imp.line} imports the private module {imp.target}"
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname and project_target(alias.name):
                    bound[alias.asname] = alias.name
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Attribute) and is_private(node.attr)):
            continue
        chain, value = [], node.value
        while isinstance(value, ast.Attribute):
            chain.append(value.attr)
            value = value.value
        if not isinstance(value, ast.Name) or value.id not in bound:
            continue
        owner = ".".join([bound[value.id], *reversed(chain)])
        if owner in MODULES and package_of(owner) != mine:
            yield f"{module}:{node.lineno} uses {owner}.{node.attr}"


def test_no_private_names_across_packages():
    found = [use for module, tree in PARSED.items() for use in private_uses(module, tree)]
    assert not found, "private names used outside their package:\n" + "\n".join(found)


def test_only_tests_import_tests():
    found = [
        f"{module}:{imp.line} imports {imp.target}"
        for module, tree in PARSED.items()
        for imp in imports_of(module, tree)
        if imp.target == "tests" or imp.target.startswith("tests.")
    ]
    assert not found, "tests/ is imported outside the tests:\n" + "\n".join(found)


def test_modules_are_short():
    files = [*MODULES.values(), *sorted((REPO_ROOT / "scripts").glob("*.py"))]
    long = sorted(
        (n, str(path.relative_to(REPO_ROOT))) for path in files if (n := len(path.read_text().splitlines())) > MAX_LINES
    )
    assert not long, f"modules over {MAX_LINES} lines: " + ", ".join(f"{path} ({n})" for n, path in long)


# Each module imported on its own, in one interpreter: the project's modules are forgotten before each
# (third-party ones such as rasa stay loaded, so this takes seconds, not minutes).
IMPORT_EACH = """
import importlib, json, sys, traceback
failures = {}
for name in json.loads(sys.argv[1]):
    for loaded in [m for m in sys.modules if m.split(".")[0] in ("bot", "actions", "harness", "benchmarks")]:
        del sys.modules[loaded]
    try:
        importlib.import_module(name)
    except BaseException:
        failures[name] = traceback.format_exc(limit=-3)
print(json.dumps(failures))
"""


def test_every_module_imports_on_its_own():
    names = sorted(
        n
        for n in MODULES
        if n.split(".")[0] in ("bot", "actions")
        and not n.endswith("__main__")
        and not n.startswith("bot.store.migrations")  # Alembic's scripts, run by Alembic only
    )
    done = subprocess.run(
        [sys.executable, "-c", IMPORT_EACH, json.dumps(names)],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    failures = json.loads(done.stdout.strip().splitlines()[-1])
    assert not failures, "modules that fail to import on their own:\n" + "\n".join(
        f"{name}:\n{trace}" for name, trace in failures.items()
    )


def test_the_checks_see_what_they_look_for():
    """The graph and the private-name check on a made-up module (the checks are not vacuous)."""
    tree = ast.parse(
        "import bot.store.db as db\nfrom bot.store.db import _engines\n"
        "def f():\n    from bot.console import traffic\n    return db._engines, traffic._connect\n"
    )
    found = list(private_uses("bot.elsewhere", tree))
    assert any("imports _engines from bot.store.db" in f for f in found)
    assert any("uses bot.store.db._engines" in f for f in found)
    assert any("uses bot.console.traffic._connect" in f for f in found)
    assert not list(private_uses("bot.store.other", ast.parse("from bot.store.db import _engines\n")))
    graph = {"a": {"b": 1}, "b": {"c": 2}, "c": {"a": 3}, "d": {"a": 4}}
    assert strongly_connected(graph) == [["a", "b", "c"]]
    assert shortest_cycle(graph, ["a", "b", "c"]) == "a:1 -> b\n    b:2 -> c\n    c:3 -> a"
    assert resolve("bot.store.db", 1, "models", "bot.store.db") == "bot.store.models"
    assert resolve("bot.store", 1, "db", "bot.store") == "bot.store.db"
    assert ancestors("a.b.c") == ["a", "a.b"]


def test_actions_speak_only_through_the_masking_replies():
    """Every reply of an action is masked because actions speak through actions/base.py's Replies;
    a direct dispatcher.utter_message elsewhere would bypass it."""
    direct = [
        f"{name}:{number}"
        for name, path in MODULES.items()
        if name.startswith("actions.") and name != "actions.base"
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if "utter_message" in line
    ]
    assert not direct, "dispatcher.utter_message outside actions/base.py: " + ", ".join(direct)
