"""The layout README shows is the tree: one package per concern, none too big to read, each saying
what it owns, and Rasa's internals changed in one module only (runtime/patches.py)."""
import ast
import re
import subprocess

import settings

ROOT = settings.ROOT
PACKAGES = ["actions", "channels", "content", "understanding", "runtime", "privacy", "name_finder", "review", "web", "measure",
            "rasa_sdk_plugins", "scripts"]


def tracked() -> list:
    return subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()


def test_readme_layout_table_is_the_tree():
    section = re.search(r"^## Layout\n(.*?)^## ", (ROOT / "README.md").read_text(), re.S | re.M).group(1)
    listed = {path.rstrip("/") for path in re.findall(r"^\| `([^`]+)` \|", section, re.M)}
    top = {path.split("/")[0] for path in tracked() if not path.startswith(".")}
    assert listed == top


def test_no_package_holds_more_than_2000_lines():
    sizes = {package: sum(len((ROOT / p).read_text().splitlines()) for p in tracked()
                          if p.startswith(package + "/") and p.endswith(".py")) for package in PACKAGES}
    assert all(size > 0 for size in sizes.values()), sizes
    assert {p: n for p, n in sizes.items() if n > 2000} == {}


def test_each_package_says_what_it_owns():
    for package in ["channels", "content", "understanding", "runtime", "privacy", "name_finder", "review", "rasa_sdk_plugins"]:
        assert ast.get_docstring(ast.parse((ROOT / package / "__init__.py").read_text())), package


def rasa_names(tree) -> set:
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {(a.asname or a.name).split(".")[0] for a in node.names if a.name.split(".")[0] == "rasa"}
        elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "rasa":
            names |= {a.asname or a.name for a in node.names}
    return names


def test_rasa_is_changed_only_in_runtime_patches():
    """No assignment to an attribute of anything imported from Rasa, except in runtime/patches.py."""
    found = []
    for path in (p for p in tracked() if p.endswith(".py") and p.split("/")[0] in PACKAGES):
        tree = ast.parse((ROOT / path).read_text())
        imported = rasa_names(tree)
        for node in ast.walk(tree):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(
                node, (ast.AugAssign, ast.AnnAssign)) else []
            for target in targets:
                root = target
                while isinstance(root, ast.Attribute):
                    root = root.value
                if isinstance(target, ast.Attribute) and isinstance(root, ast.Name) and root.id in imported:
                    found.append(f"{path}:{node.lineno} {ast.unparse(target)}")
    assert [f for f in found if not f.startswith("runtime/patches.py:")] == []
    assert len(found) >= 4  # the check sees patches.py's own rebindings
