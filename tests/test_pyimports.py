from __future__ import annotations

import ast
import pickle
from collections import Counter
from pathlib import Path
from textwrap import dedent

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from consolidate.analysis.import_errors import likely_import_errors
from consolidate.analysis.pyimports import (
    PyImport,
    PyScan,
    decode,
    resolve_python,
    scan_file,
)
from consolidate.analysis.pyresolve import NAME_MATCH
from consolidate.analysis.uses import Use


def resolve(files: dict[str, str]) -> list[Use]:
    """Every Use in a repository given as path -> source (non-Python files only take space)."""
    scans = {
        path: scan_file(path, dedent(source).encode())
        for path, source in files.items()
        if path.endswith((".py", ".pyi"))
    }
    return resolve_python(scans, list(files))


def uses_from(files: dict[str, str], source: str) -> dict[int, Use]:
    uses = [use for use in resolve(files) if use.source == source]
    assert len({use.line for use in uses}) == len(uses), uses
    return {use.line: use for use in uses}


def targets_from(files: dict[str, str], source: str) -> dict[int, tuple[str, ...]]:
    return {line: use.targets for line, use in uses_from(files, source).items()}


def scan(source: str, path: str = "pkg/mod.py") -> PyScan:
    return scan_file(path, dedent(source).encode())


def modules(source: str) -> list[tuple[str, tuple[str, ...], int]]:
    return [(imp.module, imp.names, imp.level) for imp in scan(source).imports]


def test_plain_import_forms() -> None:
    files = {
        "app.py": """\
            import a
            import a.b as c
            import a, d
            from a.b import x, y
            from a import (
                b,  # a submodule
                # a comment line
                name,
            )
            """,
        "a/__init__.py": "",
        "a/b.py": "",
        "d.py": "",
    }
    uses = resolve(files)
    got = [(u.line, u.targets, u.kind, u.certain) for u in uses]
    assert got == [
        (1, ("a/__init__.py",), "import", True),
        (2, ("a/__init__.py", "a/b.py"), "import", True),
        (3, ("a/__init__.py",), "import", True),
        (3, ("d.py",), "import", True),
        (4, ("a/__init__.py", "a/b.py"), "import", True),
        (5, ("a/__init__.py", "a/b.py"), "import", True),
    ]
    assert uses[5].text == "from a import ("


def test_indented_semicolon_and_compound_forms() -> None:
    source = """\
        def f():
            import one
        try:
            import two
        except ImportError:  # comment; import not_this
            two = None
        if TYPE_CHECKING:
            from three import T
        x = 1; import four; from five import g
        try: import six
        except ImportError: import seven
        class C:
            from . import eight
        """
    assert modules(source) == [
        ("one", (), 0),
        ("two", (), 0),
        ("three", ("T",), 0),
        ("four", (), 0),
        ("five", ("g",), 0),
        ("six", (), 0),
        ("seven", (), 0),
        ("", ("eight",), 1),
    ]


def test_backslash_continuation_and_lookalikes() -> None:
    source = """\
        from zipimport import zipimporter
        from a.b_import import c
        from x \\
            import y
        import p, \\
            q
        # a comment that ends in a backslash \\
        import r
        raise ValueError() from None
        yield_from = 1
        """
    assert modules(source) == [
        ("zipimport", ("zipimporter",), 0),
        ("a.b_import", ("c",), 0),
        ("x", ("y",), 0),
        ("p", (), 0),
        ("q", (), 0),
        ("r", (), 0),
    ]
    lines = [imp.line for imp in scan(source).imports]
    assert lines == [1, 2, 3, 5, 5, 8]


def test_docstrings_comments_and_strings_are_not_imports() -> None:
    source = '''\
        """Module doc.

        import hidden
        from hidden import thing
        """
        # import commented
        s = '"""'  # a triple quote inside a string does not open one
        import real
        def f():
            \'\'\'
            import hidden_too
            \'\'\'
            t = """one line"""; import also_real
            return r"""
        from hidden import raw
        """
        print("import not_at_line_start")
        '''
    assert modules(source) == [("real", (), 0), ("also_real", (), 0)]
    files = {"app.py": source, "hidden.py": "", "real.py": "", "commented.py": ""}
    assert targets_from(files, "app.py") == {8: ("real.py",)}


def test_relative_imports() -> None:
    files = {
        "pkg/__init__.py": "",
        "pkg/x.py": "",
        "pkg/sub/__init__.py": "",
        "pkg/sub/mod.py": """\
            from . import x
            from .. import x
            from .sibling import z
            from ..other.deep import w
            from .missing_name_only import q
            from ... import too_far
            """,
        "pkg/sub/x.py": "",
        "pkg/sub/sibling.py": "",
        "pkg/other/__init__.py": "",
        "pkg/other/deep.py": "",
    }
    uses = uses_from(files, "pkg/sub/mod.py")
    assert {line: u.targets for line, u in uses.items()} == {
        1: ("pkg/sub/__init__.py", "pkg/sub/x.py"),
        2: ("pkg/__init__.py", "pkg/x.py"),
        3: ("pkg/sub/__init__.py", "pkg/sub/sibling.py"),
        4: ("pkg/__init__.py", "pkg/other/__init__.py", "pkg/other/deep.py"),
        5: ("pkg/sub/__init__.py",),
    }
    assert {(u.kind, u.certain) for u in uses.values()} == {("relative import", True)}


def test_from_package_import_submodule_or_name() -> None:
    files = {
        "main.py": "from pkg import sub\nfrom pkg import helper\nfrom pkg import sub, helper\n",
        "pkg/__init__.py": "def helper(): ...\n",
        "pkg/sub.py": "",
    }
    assert targets_from(files, "main.py") == {
        1: ("pkg/__init__.py", "pkg/sub.py"),
        2: ("pkg/__init__.py",),
        3: ("pkg/__init__.py", "pkg/sub.py"),
    }


def test_namespace_package_src_layout_and_script_folder() -> None:
    files = {
        "ns/tools/fmt.py": "",  # namespace packages: no __init__.py anywhere
        "src/lib/__init__.py": "",
        "src/lib/core.py": "from lib import util\n",
        "src/lib/util.py": "",
        "tests/test_core.py": "import lib.core\nimport ns.tools.fmt\n",
        "backend/worker.py": "import jobs\n",
        "backend/jobs.py": "",
    }
    uses = resolve(files)
    got = {(u.source, u.targets, u.kind, u.certain) for u in uses}
    assert got == {
        ("src/lib/core.py", ("src/lib/__init__.py", "src/lib/util.py"), "import", True),
        ("tests/test_core.py", ("src/lib/__init__.py", "src/lib/core.py"), "import", True),
        ("tests/test_core.py", ("ns/tools/fmt.py",), "import", True),
        ("backend/worker.py", ("backend/jobs.py",), "import", True),
    }


def test_service_folder_is_a_root_for_its_own_files() -> None:
    files = {
        "services/a/app/__init__.py": "",
        "services/a/app/models.py": "",
        "services/a/app/api.py": "from app.models import User\n",
        "services/a/tests/test_api.py": "from app import api\n",
        "services/b/app/__init__.py": "",
        "services/b/app/models.py": "",
        "tools/report.py": "from app.models import User\n",
    }
    uses = {u.source: u for u in resolve(files)}
    assert uses["services/a/app/api.py"].targets == (
        "services/a/app/__init__.py",
        "services/a/app/models.py",
    )
    assert uses["services/a/app/api.py"].certain
    assert uses["services/a/tests/test_api.py"].targets == (
        "services/a/app/__init__.py",
        "services/a/app/api.py",
    )
    far = uses["tools/report.py"]  # two source roots could be it: both, not sure
    assert (far.kind, far.certain) == ("uncertain import", False)
    assert far.targets == (
        "services/a/app/__init__.py",
        "services/a/app/models.py",
        "services/b/app/__init__.py",
        "services/b/app/models.py",
    )


def test_unresolvable_import_is_uncertain_with_every_candidate() -> None:
    files = {
        "jobs/run.py": "from scheduler import next_run\nimport scheduler.cron\n",
        "backend/lib/scheduler.py": "",
        "legacy/scheduler/__init__.py": "",
        "legacy/scheduler/cron.py": "",
        "docs/scheduler.md": "",
    }
    uses = uses_from(files, "jobs/run.py")
    assert uses[1].targets == ("backend/lib/scheduler.py", "legacy/scheduler/__init__.py")
    assert (uses[1].kind, uses[1].certain) == ("uncertain import", False)
    assert uses[2].targets == ("legacy/scheduler/__init__.py", "legacy/scheduler/cron.py")


def test_stdlib_and_third_party_imports_produce_nothing() -> None:
    files = {
        "app.py": "import os, sys\nimport os.path\nfrom json import dumps\nimport requests\n",
        "README.md": "import os\n",
    }
    assert resolve(files) == []


def test_an_import_of_the_file_itself_is_not_a_use() -> None:
    files = {"backend/logging.py": "import logging\n", "backend/app.py": "import logging\n"}
    assert [(u.source, u.targets) for u in resolve(files)] == [
        ("backend/app.py", ("backend/logging.py",))
    ]


WORKER = """\
    import os
    import sys

    sys.path.insert(0, os.path.join(os.path.dirname(__file__), "lib"))

    from scheduler import next_run
    """


def test_sys_path_insert_resolves_the_real_world_case() -> None:
    files = {
        "backend/worker.py": WORKER,
        "backend/lib/scheduler.py": "",
        "other/scheduler.py": "",
    }
    assert scan(WORKER, "backend/worker.py").sys_paths == ("backend/lib",)
    (use,) = resolve(files)
    assert (use.source, use.targets, use.line) == (
        "backend/worker.py",
        ("backend/lib/scheduler.py",),
        6,
    )
    assert (use.kind, use.certain, use.text) == (
        "sys.path import",
        True,
        "from scheduler import next_run",
    )


@pytest.mark.parametrize(
    ("expression", "folder"),
    [
        ('os.path.join(os.path.dirname(__file__), "lib")', "backend/lib"),
        ('os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib")', "lib"),
        ('str(Path(__file__).parent / "lib")', "backend/lib"),
        ('str(Path(__file__).resolve().parent.parent / "shared")', "shared"),
        ('Path(__file__).parents[1] / "lib"', "lib"),
        ('os.path.dirname(__file__) + "/lib"', "backend/lib"),
        ("os.path.join(os.path.dirname(os.path.realpath(__file__)), os.pardir)", ""),
        ('pathlib.Path(__file__).absolute().parent.joinpath("vendor", "x")', "backend/vendor/x"),
        ("HERE", "backend"),
        ('os.path.join(ROOT, "shared")', "shared"),
        ('"lib"', None),  # relative to the working folder: unknown
        ("os.environ['LIB']", None),
        ("get_lib_dir()", None),
        ('"/opt/lib"', None),
    ],
)
def test_sys_path_expressions(expression: str, folder: str | None) -> None:
    source = f"""\
        import os, sys
        from pathlib import Path
        HERE = os.path.dirname(os.path.abspath(__file__))
        ROOT: str = os.path.join(HERE, "..")  # the repository
        sys.path.insert(0, {expression})
        """
    assert scan(source, "backend/worker.py").sys_paths == (folder,)


def test_sys_path_forms_append_and_addsitedir() -> None:
    source = """\
        import sys, site, os
        sys.path.append(os.path.dirname(__file__) + "/a")
        site.addsitedir(os.path.join(os.path.dirname(__file__), "b"))
        sys.path += ["c"]
        """
    assert scan(source, "x/run.py").sys_paths == ("x/a", None, "x/b")


def test_unknown_sys_path_makes_absolute_imports_uncertain() -> None:
    files = {
        "backend/worker.py": "import sys\nsys.path.insert(0, os.environ['LIB'])\nimport helpers\nfrom scheduler import next_run\n",
        "backend/helpers.py": "",
        "backend/lib/scheduler.py": "",
        "shared/scheduler/__init__.py": "",
        "tools/helpers.py": "",
    }
    uses = uses_from(files, "backend/worker.py")
    assert uses[3].targets == ("backend/helpers.py", "tools/helpers.py")
    assert uses[4].targets == ("backend/lib/scheduler.py", "shared/scheduler/__init__.py")
    assert not uses[3].certain and not uses[4].certain


def test_a_folder_put_on_sys_path_by_one_file_serves_the_others() -> None:
    files = {
        "conftest.py": 'import sys, os\nsys.path.insert(0, os.path.join(os.path.dirname(__file__), "lib"))\n',
        "tests/test_x.py": "import helpers\n",
        "lib/helpers.py": "",
    }
    assert targets_from(files, "tests/test_x.py") == {1: ("lib/helpers.py",)}


def test_dynamic_imports() -> None:
    files = {
        "pkg/__init__.py": "",
        "pkg/loader.py": """\
            import importlib
            from importlib import import_module
            a = importlib.import_module("pkg.plugins.alpha")
            b = import_module(".beta", package=__package__)
            c = __import__("pkg.plugins")
            d = import_module(name)
            e = import_module(f"pkg.plugins.{name}")
            """,
        "pkg/beta.py": "",
        "pkg/plugins/__init__.py": "",
        "pkg/plugins/alpha.py": "",
        "pkg/plugins/gamma.py": "",
    }
    uses = [(u.line, u.targets, u.kind, u.certain) for u in resolve(files)]
    plugins = ("pkg/__init__.py", "pkg/plugins/__init__.py")
    assert uses == [
        (
            3,
            ("pkg/__init__.py", "pkg/plugins/__init__.py", "pkg/plugins/alpha.py"),
            "dynamic import",
            True,
        ),
        (4, ("pkg/__init__.py", "pkg/beta.py"), "dynamic import", True),
        (5, plugins, "dynamic import", True),
        (7, plugins, "dynamic import", True),
        (7, ("pkg/plugins/alpha.py", "pkg/plugins/gamma.py"), "dynamic import", False),
    ]


def test_a_folder_that_imports_its_own_modules_by_name() -> None:
    """The plugin-folder pattern: a file lists its own folder and imports what it finds by a
    name known only at run time. Every module beside it may be imported (not certain); a
    file that does not list its folder, or a function of that name, says nothing."""
    files = {
        "app/actions/__init__.py": """\
            import os
            from importlib import import_module

            def import_module_named(x): ...

            for entry in os.listdir(os.path.dirname(__file__)):
                module = import_module(f"{__name__}.{entry[:-3]}")
            """,
        "app/actions/export.py": "",
        "app/actions/purge.py": "",
        "app/actions/sub/deep.py": "",
        "app/other.py": "from importlib import import_module\nm = import_module(name)\n",
        "app/hooks.py": (
            "import importlib, os\ndef import_module(name): ...\n"
            "os.listdir(os.path.dirname(__file__))\n"
        ),
    }
    uses = [(u.source, u.line, u.targets, u.certain) for u in resolve(files)]
    assert uses == [
        (
            "app/actions/__init__.py",
            7,
            ("app/actions/export.py", "app/actions/purge.py"),
            False,
        ),
    ]


def test_star_import_may_use_every_submodule() -> None:
    files = {
        "app.py": "from models import *\n",
        "models/__init__.py": "__all__ = ['user']\n",
        "models/user.py": "",
    }
    uses = [(u.targets, u.kind, u.certain) for u in resolve(files)]
    assert uses == [
        (("models/__init__.py",), "import", True),
        (("models/user.py",), "uncertain import", False),
    ]


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ('if __name__ == "__main__":\n    main()\n', True),
        ("if __name__ == '__main__':\n    main()\n", True),
        ("if '__main__' == __name__:\n    main()\n", True),
        ('"""\nif __name__ == "__main__":\n"""\n', False),
        ("# if __name__ == '__main__':\nx = '__main__'\n", False),
        ("import x\n", False),
    ],
)
def test_main_guard(source: str, expected: bool) -> None:
    assert scan_file("x.py", source.encode()).main_guard is expected


def test_text_line_and_odd_bytes() -> None:
    long_name = "m" * 300
    data = (
        b"\xef\xbb\xbfimport a\r\nimport \xff\r\n    from b import c  \r\nimport "
        + long_name.encode()
    )
    imports = scan_file("x.py", data).imports
    assert [(i.module, i.line, i.text) for i in imports[:2]] == [
        ("a", 1, "import a"),
        ("b", 3, "from b import c"),
    ]
    assert len(imports[2].text) == 200


def test_scan_is_picklable() -> None:
    result = scan(WORKER, "backend/worker.py")
    assert pickle.loads(pickle.dumps(result)) == result
    assert isinstance(result.imports[0], PyImport)


TRICKY = [
    "import a.b.c as d, e\nfrom f import (g as h,\n    i,  # note\n)\n",
    "from . import x\nfrom ..y import z\n",
    "from.mod import q\nfrom .import r\n",
    "def f():\n\tif x:\n\t\timport tabbed\n\telse: from other import thing\n",
    "try:\n    import ujson as json\nexcept ImportError:\n    import json\n",
    'x = """\nimport nope\n"""; import yes\n',
    "s = 'it''s'  # don't\nimport after_quotes\n",
    "import a, \\\n    b\nfrom c import \\\n    d, e\n",
    "class K:\n    '''doc with ''' \n    import inner\n",
    "if True: import one_liner\n",
    "def g():\n    return (yield from h())\nimport after_yield\n",
    'print(f"{x!r}")\nfrom __future__ import annotations\n',
    "from zipimport import zipimporter\nfrom x.test_import import y\n",
    "café = 1\nimport modülé\n",
]


@pytest.mark.parametrize("source", TRICKY)
def test_scanner_agrees_with_ast(source: str) -> None:
    expected: list[tuple[str, tuple[str, ...], int, int]] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            expected += [(alias.name, (), 0, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            names = tuple(alias.name for alias in node.names)
            expected.append((node.module or "", names, node.level, node.lineno))
    got = [(i.module, i.names, i.level, i.line) for i in scan_file("x.py", source.encode()).imports]
    assert sorted(got) == sorted(expected)


def test_scanner_misses_nothing_ast_finds_in_this_project() -> None:
    """Missing an import is the dangerous error; a string that looks like one is tolerable."""
    root = Path(__file__).resolve().parents[1]
    for path in sorted([*root.glob("consolidate/**/*.py"), *root.glob("tests/*.py")]):
        data = path.read_bytes()
        try:
            tree = ast.parse(data)
        except SyntaxError:
            continue  # someone's fixture, not Python
        expected = Counter(
            (node.module or "", node.level) if isinstance(node, ast.ImportFrom) else (alias.name, 0)
            for node in ast.walk(tree)
            if isinstance(node, ast.Import | ast.ImportFrom)
            for alias in (node.names if isinstance(node, ast.Import) else node.names[:1])
        )
        scanned = scan_file(str(path), data).imports
        got = Counter((i.module, i.level) for i in scanned if i.kind != "dynamic")
        assert not expected - got, path


# -- Python 3 semantics: the standard library, shadowing, coding lines, name matches ----------


def test_a_package_sibling_named_like_the_stdlib_is_not_what_it_imports() -> None:
    files = {
        "backend/app/__init__.py": "",
        "backend/app/views.py": "import json\nimport logging.handlers\nfrom email import message\n",
        "backend/app/json.py": "",
        "backend/app/logging.py": "",
        "backend/app/email/__init__.py": "",
    }
    assert resolve(files) == []


@pytest.mark.parametrize("name", ["imp", "distutils", "asyncore", "cgi", "telnetlib", "lib2to3"])
def test_modules_removed_from_the_stdlib_are_still_its_names(name: str) -> None:
    files = {"pkg/__init__.py": "", "pkg/mod.py": f"import {name}\n", f"pkg/{name}.py": ""}
    assert resolve(files) == []


def test_a_file_in_a_scripts_own_folder_shadows_the_stdlib() -> None:
    files = {
        "tools/report.py": "import json\nimport sys\n",
        "tools/json.py": "",  # `python tools/report.py`: tools/ is sys.path[0]
        "tools/sys.py": "",  # sys is loaded before any script runs: never shadowed
    }
    assert [(u.line, u.targets, u.kind, u.certain) for u in resolve(files)] == [
        (1, ("tools/json.py",), "import", True)
    ]


def test_the_import_root_and_an_inserted_folder_shadow_the_stdlib_an_appended_one_not() -> None:
    files = {
        "backend/app/__init__.py": "",
        "backend/app/views.py": "import logging\n",
        "backend/logging.py": "",  # backend/ must be on sys.path for `import app` to work
        "worker/run.py": (
            "import os, sys\n"
            'sys.path.insert(0, os.path.join(os.path.dirname(__file__), "lib"))\n'
            'sys.path.append(os.path.join(os.path.dirname(__file__), "vendor"))\n'
            "import queue\nimport secrets\n"
        ),
        "worker/lib/queue.py": "",
        "worker/vendor/secrets.py": "",  # appended: after the stdlib, never reached
    }
    got = [(u.source, u.targets, u.kind, u.certain) for u in resolve(files)]
    assert got == [
        ("backend/app/views.py", ("backend/logging.py",), "import", True),
        ("worker/run.py", ("worker/lib/queue.py",), "sys.path import", True),
    ]


def test_when_the_stdlib_may_be_shadowed_the_edge_stays_uncertain() -> None:
    files = {
        "cli/__init__.py": "",
        "cli/main.py": 'import json\nif __name__ == "__main__":\n    pass\n',  # python cli/main.py
        "cli/json.py": "",
        "services/api/app/__init__.py": "",
        "services/api/app/routes.py": "import csv\n",
        "services/csv.py": "",  # further up: on sys.path only if the process starts there
        "loader.py": "import sys\nsys.path.insert(0, os.environ['X'])\nimport string\n",
        "vendor/string.py": "",  # the unknown folder may be vendor/
        "vendor/pkg/__init__.py": "",
        "vendor/pkg/string.py": "",  # a package's folder is no sys.path entry
    }
    got = {u.source: (u.targets, u.kind, u.certain) for u in resolve(files)}
    assert got == {
        "cli/main.py": (("cli/json.py",), "uncertain import", False),
        "services/api/app/routes.py": (("services/csv.py",), "uncertain import", False),
        "loader.py": (("vendor/string.py",), "uncertain import", False),
    }


SHIFT_JIS = '# -*- coding: shift_jis -*-\n"""設定の一覧表"""\nimport display\n'


def test_a_coding_line_decodes_the_file_so_no_import_is_lost() -> None:
    data = SHIFT_JIS.encode("shift_jis")
    assert b'\\"""' in data  # 表 ends in 0x5C: read as UTF-8 it escapes the closing quotes
    assert not scan_file("x.py", data.replace(b"shift_jis", b"utf-8")).imports
    ast.parse(data)  # what Python reads
    assert [(i.module, i.line) for i in scan_file("x.py", data).imports] == [("display", 3)]
    assert decode(data) == SHIFT_JIS
    latin = "#!/usr/bin/env python\n# vim: set fileencoding=latin-1 :\ns = 'café'\n"
    assert decode(latin.encode("latin-1")) == latin


@pytest.mark.parametrize(
    ("data", "text"),
    [
        (b"# coding: klingon\nimport a  # \xc3\xa9\n", "# coding: klingon\nimport a  # \u00e9\n"),
        (b"# coding: klingon\nimport a  # \xe9\n", "# coding: klingon\nimport a  # \u00e9\n"),
        (b"# coding: utf-16\nimport a\n", "# coding: utf-16\nimport a\n"),
        (b"x = 1\ny = 2\n# coding: latin-1\n", "x = 1\ny = 2\n# coding: latin-1\n"),
    ],
)
def test_an_unknown_or_unusable_coding_falls_back(data: bytes, text: str) -> None:
    assert decode(data) == text


def test_a_name_match_elsewhere_is_uncertain() -> None:
    files = {
        "api/main.py": (
            "import os, sys\n"
            'sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "shared"))\n'
            "import ratelimit\n"
        ),
        "shared/ratelimit.py": "",
        "jobs/run.py": "import ratelimit\n",  # api/main.py's sys.path is not this process's
        "conftest.py": "import sys, os\nsys.path.insert(0, os.path.dirname(__file__) + '/shared')\n",
        "tests/test_limits.py": "import ratelimit\n",  # pytest ran conftest.py first
    }
    got = {u.source: (u.targets, u.kind, u.certain) for u in resolve(files)}
    assert got == {
        "api/main.py": (("shared/ratelimit.py",), "sys.path import", True),
        "jobs/run.py": (("shared/ratelimit.py",), NAME_MATCH, False),
        "tests/test_limits.py": (("shared/ratelimit.py",), "import", True),
    }


def likely_errors(files: dict[str, str]) -> list[tuple[str, int, str]]:
    data = {path: dedent(text).encode() for path, text in files.items()}
    uses = resolve_python({p: scan_file(p, d) for p, d in data.items()}, list(files))
    found = likely_import_errors(uses, list(files), data.get, set(files))
    return [(e["path"], e["line"], e["reason"]) for e in found]


BROKEN = """\
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).parent.parent / "python-scrapers"))
    from scheduler import Scheduler
    from sites import SITES
    """


def test_a_missing_sys_path_folder_makes_a_name_match_a_likely_import_error() -> None:
    files = {
        "scrapers/run.py": BROKEN,
        "scrapers/sites.py": "",
        "backend/lib/scheduler.py": "",
    }
    assert likely_errors(files) == [
        (
            "scrapers/run.py",
            5,
            "it puts python-scrapers on sys.path, a folder the repository does not have;"
            " the module is found only by name, at backend/lib/scheduler.py",
        )
    ]
    assert likely_errors({**files, "python-scrapers/README.md": ""}) == []
    unreadable = BROKEN.replace("import sys\n", "import sys\nsys.path.append(sys.argv[1])\n")
    assert likely_errors({**files, "scrapers/run.py": unreadable}) == []


LINE_PIECES = st.lists(
    st.sampled_from(
        ["import a", "from b import (c,", " d)", "#x", ";", "\\", "\n", " ", "e", "(", ")", "\r"]
    ),
    max_size=12,
).map("".join)


@given(LINE_PIECES)
@settings(max_examples=400)
def test_a_one_line_statement_is_read_as_the_joining_reader_reads_it(text: str) -> None:
    """`_statement`'s shortcut for a line with no parenthesis, comment, `;` or `\\` at its
    end gives what reading line by line gives, for any text."""
    from consolidate.analysis import pyimports

    for start in {0, text.find("import") if "import" in text else 0}:
        assert pyimports._statement(text, start) == pyimports._joined_statement(text, start)


def test_an_import_statement_seen_again_is_parsed_once() -> None:
    from consolidate.analysis import pyimports

    pyimports._parsed.cache_clear()
    one = scan_file("a.py", b"import os, app.util as u\nfrom . import b\n")
    two = scan_file("b.py", b"x = 1\nimport os, app.util as u\n")
    assert pyimports._parsed.cache_info().hits == 1
    assert [(i.module, i.line, i.text) for i in one.imports[:2]] == [
        ("os", 1, "import os, app.util as u"),
        ("app.util", 1, "import os, app.util as u"),
    ]
    assert [(i.module, i.line) for i in two.imports] == [("os", 2), ("app.util", 2)]


def test_a_statement_continued_over_lines_counts_its_line_from_its_start() -> None:
    """A line continued by `\\` is read from where its statement starts, lines further up,
    after a statement found later on the way down: its line is that start's."""
    text = b"import a; \\\nx; import c; \\\nimport b\n"
    found = {(imp.module, imp.line) for imp in scan_file("p/a.py", text).imports}
    assert found == {("a", 1), ("c", 2)}
