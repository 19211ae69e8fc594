#!/bin/sh
# Check that the crate's modules (one per file under src/) import each other
# without a cycle: collect every `use` path and every inline `crate::`/`super::`
# path, resolve it to the module (file) it names — a name re-exported by a
# mod.rs (`pub use canvas::Canvas`) counts as the module it comes from — then
# sort the graph topologically. Prints the order (leaves first) with
# --verbose; on a cycle, prints it and fails. Run by `make lint`.
set -eu
cd "$(dirname "$0")/.."
exec python3 - "$@" <<'PY'
import os, re, sys

verbose = "--verbose" in sys.argv[1:]
files = {}  # module path (tuple) -> source
for root, _, names in os.walk("src"):
    for n in names:
        if not n.endswith(".rs"):
            continue
        rel = os.path.relpath(os.path.join(root, n), "src")[:-3].split(os.sep)
        if rel[-1] in ("mod", "lib"):
            rel = rel[:-1]
        parent = os.path.join(root, n[: -len("_tests.rs")] + ".rs")
        if n.endswith("_tests.rs") and os.path.exists(parent) and f'#[path = "{n}"]' in open(parent).read():
            # `#[path = "x_tests.rs"] mod tests;`: the tests module of x.
            rel = rel[:-1] + [rel[-1][: -len("_tests")], "tests"]
        with open(os.path.join(root, n)) as f:
            files[tuple(rel)] = f.read()

def strip(src):
    src = re.sub(r"/\*.*?\*/", "", src, flags=re.S)
    src = re.sub(r'"(?:\\.|[^"\\])*"', '""', src)
    src = re.sub(r"//[^\n]*", "", src)
    # Inside an inline `mod tests { ... }`, `super` is the file's module.
    out, i = [], 0
    for m in re.finditer(r"\bmod\s+\w+\s*\{", src):
        if m.start() < i:
            continue
        depth, j = 1, m.end()
        while j < len(src) and depth:
            depth += {"{": 1, "}": -1}.get(src[j], 0)
            j += 1
        out.append(src[i:m.end()])
        out.append(re.sub(r"\bsuper::", "self::", src[m.end():j]))
        i = j
    out.append(src[i:])
    return "".join(out)

# Only file modules are nodes; inline `mod tests { }` belongs to its file.
modules = set(files)

def is_module(p):
    return tuple(p) in modules

# Names a mod.rs re-exports from its children: (module, name) -> child.
reexports = {}
for mod, src in files.items():
    for m in re.finditer(r"pub(?:\([^)]*\))?\s+use\s+(\w+)::([^;]+);", strip(src)):
        child = mod + (m.group(1),)
        if is_module(child):
            for name in re.findall(r"\w+", m.group(2)):
                reexports[(mod, name)] = child

def expand(tree):
    """`a::{b, c::{d, self}}` -> [[a, b], [a, c, d], [a, c]]"""
    tree = re.sub(r"\s+", "", tree)
    out = []
    def walk(prefix, t):
        depth, start, parts = 0, 0, []
        for i, ch in enumerate(t):
            depth += ch == "{"
            depth -= ch == "}"
            if ch == "," and depth == 0:
                parts.append(t[start:i]); start = i + 1
        parts.append(t[start:])
        for part in filter(None, parts):
            if "{" in part:
                head, rest = part.split("{", 1)
                walk(prefix + [s for s in head.split("::") if s], rest[:-1])
            else:
                segs = [s for s in part.split(" as ")[0].split("::") if s]
                out.append(prefix + [s for s in segs if s != "self"])
    walk([], tree)
    return out

def resolve(mod, path):
    """The module a path (as written in module `mod`) names, or None (extern)."""
    if not path:
        return None
    if path[0] == "crate":
        base, rest = (), path[1:]
    elif path[0] == "super":
        base, rest = mod, path
        while rest and rest[0] == "super":
            base, rest = base[:-1], rest[1:]
    elif path[0] == "self":
        base, rest = mod, path[1:]
    elif is_module(mod + (path[0],)):
        base, rest = mod, path  # a child module, named relatively
    else:
        return None
    target = tuple(base)
    for seg in rest:
        if is_module(target + (seg,)):
            target += (seg,)
        elif (target, seg) in reexports:
            return reexports[(target, seg)]
        else:
            break
    return target

edges = {m: set() for m in modules}
for mod, src in files.items():
    code = strip(src)
    paths = []
    for m in re.finditer(r"\buse\s+([^;]+);", code):
        paths += expand(m.group(1))
    for m in re.finditer(r"\b(?:crate|super)(?:::\w+)+", code):
        paths.append(m.group(0).split("::"))
    for p in paths:
        t = resolve(mod, p)
        # A module's own children and itself are not edges: `mod x;` is not an import.
        if t is not None and t != mod and t[: len(mod)] != mod:
            edges[mod].add(t)
        elif t is not None and t != mod and mod == ():
            edges[mod].add(t)

# Drop edges from a parent (mod.rs) to its own children: declaring and
# re-exporting them is what a mod.rs is for, and not a dependency the other way.
for mod in edges:
    edges[mod] = {t for t in edges[mod] if t[: len(mod)] != mod}

name = lambda m: "::".join(m) or "crate"
order, state = [], {}
def visit(m, stack):
    if state.get(m) == "done":
        return
    if state.get(m) == "open":
        cycle = stack[stack.index(m):] + [m]
        sys.exit("module-graph: import cycle: " + " -> ".join(map(name, cycle)))
    state[m] = "open"
    for t in sorted(edges.get(m, ())):
        visit(t, stack + [m])
    state[m] = "done"
    order.append(m)
for m in sorted(modules):
    visit(m, [])
if verbose:
    for m in order:
        print(f"{name(m)}: {' '.join(sorted(map(name, edges[m]))) or '-'}")
print(f"module-graph: {len(modules)} modules, {sum(map(len, edges.values()))} imports, no cycle")
PY
