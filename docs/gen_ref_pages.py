"""Generate one API reference page per module of ``src/lfr``, with its navigation.

Run by mkdocs-gen-files at build time, so the reference follows the package tree: a module
added, moved or renamed appears under its new name with no edit here or in ``mkdocs.yml``.
"""

from pathlib import Path

import mkdocs_gen_files

root = Path(__file__).parent.parent
src = root / "src"
nav = mkdocs_gen_files.Nav()

for path in sorted(src.rglob("*.py")):
    module_path = path.relative_to(src).with_suffix("")
    parts = tuple(module_path.parts)
    if parts[-1] == "__main__":
        continue
    if parts[-1] == "__init__":
        parts = parts[:-1]
        doc_path = Path(*parts, "index.md")
    else:
        doc_path = module_path.with_suffix(".md")
    # Only importable modules: every folder a package (Alembic's migrations folder is not), and
    # every name an identifier (Alembic's revision files, 0001_..., are not).
    if not parts or not all(part.isidentifier() for part in parts):
        continue
    if not all((src / Path(*parts[:i]) / "__init__.py").exists() for i in range(1, len(parts))):
        continue
    full_doc_path = Path("reference", doc_path)
    nav[parts] = doc_path.as_posix()
    identifier = ".".join(parts)
    with mkdocs_gen_files.open(full_doc_path, "w") as fd:
        fd.write(f"::: {identifier}\n")
    mkdocs_gen_files.set_edit_path(full_doc_path, path.relative_to(root))

with mkdocs_gen_files.open("reference/index.md", "w") as fd:
    fd.write(
        "# API reference\n\n"
        "One page per module of the `lfr` package, generated from its docstrings at build time"
        " (`docs/gen_ref_pages.py`), so it follows the package tree as modules move."
        " Start at the [package](lfr/index.md).\n"
    )

with mkdocs_gen_files.open("reference/SUMMARY.md", "w") as nav_file:
    nav_file.write("* [Overview](index.md)\n")
    nav_file.writelines(nav.build_literate_nav())
