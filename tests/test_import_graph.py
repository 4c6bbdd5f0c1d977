"""Which way imports go (docs/architecture.md), read from the source: the modules of gis_app,
boundaries and layers import each other without a cycle, counting imports at module level and
inside functions alike (a deferred import is still a dependency); `layers` imports no view
module but its own, from its URLconf; the domain apps import no `rest_framework`."""
import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("gis_app", "boundaries", "layers")
DOMAIN = ("boundaries", "gis_app.enforcement", "gis_app.incidents", "gis_app.patrols")
VIEW_BASES = ("View", "ViewSet", "ViewSetMixin")


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def project_modules() -> dict[str, ast.Module]:
    found = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            found[module_name(path)] = ast.parse(path.read_text(encoding="utf-8"), str(path))
    return found


MODULES = project_modules()


def imported_names(name: str, tree: ast.Module) -> set[str]:
    """Every module named by an import anywhere in the module (top level, functions, methods,
    conditional blocks), absolute, relative ones resolved; `from a import b` names `a.b` when
    that is a module of ours, else `a`."""
    package = name if (ROOT / Path(*name.split(".")) / "__init__.py").exists() else name.rpartition(".")[0]
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            for alias in node.names:
                full = f"{base}.{alias.name}"
                out.add(full if full in MODULES else base)
    return out


def graph() -> dict[str, set[str]]:
    """module -> the project modules it imports."""
    return {name: {t for t in imported_names(name, tree) if t in MODULES and t != name}
            for name, tree in MODULES.items()}


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan), each sorted."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(edges.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return sorted(found)


def defines_a_view_class(tree: ast.Module) -> bool:
    """A class based on a View or ViewSet (APIView, LoginView, FeatureViewSet, ...)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef):
            for base in node.bases:
                base_name = base.attr if isinstance(base, ast.Attribute) else getattr(base, "id", "")
                if base_name.endswith(VIEW_BASES):
                    return True
    return False


def mounted_view_modules() -> set[str]:
    """The modules defining a view the URLconf mounts (function, class or viewset)."""
    from django.urls import URLResolver, get_resolver

    found, todo = set(), list(get_resolver().url_patterns)
    while todo:
        pattern = todo.pop()
        if isinstance(pattern, URLResolver):
            todo.extend(pattern.url_patterns)
            continue
        view = pattern.callback
        view = getattr(view, "view_class", None) or getattr(view, "cls", None) or view
        found.add(view.__module__)
    return found


def view_modules() -> set[str]:
    return {name for name, tree in MODULES.items() if defines_a_view_class(tree)} | mounted_view_modules()


def test_the_project_imports_have_no_cycle():
    assert cycles(graph()) == []


def test_function_level_imports_count_as_dependencies():
    """The walk sees an import deferred into a function (else a lazy cycle would pass)."""
    tree = ast.parse("def f():\n    from layers import folium_pages\n")
    assert "layers.folium_pages" in imported_names("layers.pages", tree)


def test_a_cycle_through_a_deferred_import_is_found():
    edges = {"layers.registry": {"layers.catalogue"}, "layers.catalogue": {"layers.registry"},
             "layers.tiles": {"layers.registry"}}
    assert cycles(edges) == [["layers.catalogue", "layers.registry"]]


def test_layers_imports_no_view_module():
    """Only the URLconf of `layers` imports a view module, its own views; and the OGC and page
    views their shared base (layers.views)."""
    views = view_modules()
    assert {"layers.views", "layers.ogc_views", "layers.map_views", "gis_app.api.route",
            "gis_app.pages.shell", "gis_app.pages.workspace"} <= views
    found = {(name, target) for name, targets in graph().items() if name.startswith("layers.")
             for target in targets & views}
    assert found == {("layers.urls", "layers.views"), ("layers.urls", "layers.ogc_views"),
                     ("layers.urls", "layers.map_views"), ("layers.ogc_views", "layers.views"),
                     ("layers.map_views", "layers.views")}


@pytest.mark.parametrize("package", DOMAIN)
def test_domain_apps_import_no_rest_framework(package):
    found = [name for name, tree in MODULES.items() if (name == package or name.startswith(package + "."))
             and any(t.split(".")[0] == "rest_framework" for t in imported_names(name, tree))]
    assert found == []
