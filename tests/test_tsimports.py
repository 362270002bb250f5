from __future__ import annotations

import pickle
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from consolidate.analysis import tsimports
from consolidate.analysis.tsimports import TS_SUFFIXES, TsScan, resolve_ts, scan_file
from consolidate.analysis.uses import Use


def specs(code: str) -> list[tuple[str, int, str, str]]:
    return list(scan_file("src/a.ts", code.encode()).specifiers)


def uses_in(files: dict[str, str]) -> list[Use]:
    """Scan and resolve a small in-memory repository."""
    data = {path: text.encode() for path, text in files.items()}
    scans = {path: scan_file(path, raw) for path, raw in data.items() if path.endswith(TS_SUFFIXES)}
    return resolve_ts(scans, list(data), data.get)


def targets_of(files: dict[str, str], source: str = "src/main.ts") -> list[tuple[str, ...]]:
    return [use.targets for use in uses_in(files) if use.source == source]


def one_use(files: dict[str, str], source: str = "src/main.ts") -> Use:
    found = [use for use in uses_in(files) if use.source == source]
    assert len(found) == 1, found
    return found[0]


# Scanning: forms.


@pytest.mark.parametrize(
    ("code", "spec", "kind"),
    [
        ('import x from "./a"', "./a", "import"),
        ("import {a, b} from './b'", "./b", "import"),
        ('import * as m from "./c"', "./c", "import"),
        ('import "./side-effect"', "./side-effect", "import"),
        ('import type {T} from "./types"', "./types", "type import"),
        ('import type T from "./types"', "./types", "type import"),
        ('import def, { type Y } from "./m"', "./m", "import"),
        ('import typeof Flow from "./flow"', "./flow", "type import"),
        ('export type * from "./all-types"', "./all-types", "export from"),
        ('const c = import(/* webpackChunkName: "c" */ "./chunk")', "./chunk", "dynamic import"),
        ('const r = require(/* why */ "./r").default', "./r", "require"),
        ('import def, * as all from "./m"', "./m", "import"),
        ('import {a}from"./tight"', "./tight", "import"),
        ('import data from "./data.json" with { type: "json" }', "./data.json", "import"),
        ('export {x} from "./d"', "./d", "export from"),
        ('export { default as X, y } from "./d"', "./d", "export from"),
        ('export * from "./e"', "./e", "export from"),
        ('export * as ns from "./f"', "./f", "export from"),
        ('export type { A } from "./p"', "./p", "export from"),
        ('const h = import("./h")', "./h", "dynamic import"),
        ("const i = await import('./i')", "./i", "dynamic import"),
        ('const o = import("./o", { with: { type: "json" } })', "./o", "dynamic import"),
        ("const l = import(`./l`)", "./l", "dynamic import"),
        ('const j = require("./j")', "./j", "require"),
        ("const t = require(`./t`)", "./t", "require"),
        ('const k = require.resolve("./k")', "./k", "require"),
        ('import x2 = require("./n")', "./n", "require"),
        ("const pages = import.meta.glob('./pages/*.tsx')", "./pages/*.tsx", "dynamic import"),
        ("const ctx = require.context('./ctx', true, /x$/)", "./ctx/**", "require"),
        ('/// <reference path="types.d.ts" />', "./types.d.ts", "type import"),
    ],
)
def test_scan_finds_each_form(code: str, spec: str, kind: str) -> None:
    assert specs(code) == [(spec, 1, kind, code)]


def test_multi_line_import_reports_the_line_of_the_specifier() -> None:
    code = (
        'const a = 1\nimport {\n  a, // first }\n  /* b */ b\n} from "./g"\nimport y from "./y"\n'
    )
    assert specs(code) == [
        ("./g", 5, "import", '} from "./g"'),
        ("./y", 6, "import", 'import y from "./y"'),
    ]


def test_concatenation_after_the_string_is_a_substitution() -> None:
    assert specs('require("./cmd/" + name); import("./x" + y)') == [
        ("./cmd/${}", 1, "require", 'require("./cmd/" + name); import("./x" + y)'),
        ("./x${}", 1, "dynamic import", 'require("./cmd/" + name); import("./x" + y)'),
    ]


def test_template_with_substitution_is_kept_for_the_resolver() -> None:
    assert specs("load(await import(`./locales/${lang}.ts`))")[0][:3] == (
        "./locales/${lang}.ts",
        1,
        "dynamic import",
    )


@pytest.mark.parametrize(
    "code",
    [
        '// import q from "./nope"',
        '/* import q from "./nope" */',
        '/**\n * import q from "./nope"\n * require("./nope")\n */',
        "const s = \"import q from './nope'\"",
        "const s = 'export * from \"./nope\"'",
        'const s = `import("./nope")`',
        'const s = `\nimport q from "./nope"\n`',
        "const s = 'please import the module from here'",
        "const label = 'import'",
        "const url = import.meta.url",
        'obj.import("./nope"); reimport("./nope"); myrequire("./nope"); $import("./nope")',
        'const imported = importer("./nope"); const required = requireAll("./nope")',
        "import(name); require(path)",
        "import x = Foo.Bar",
    ],
)
def test_comments_strings_and_lookalikes_are_not_imports(code: str) -> None:
    assert specs(code) == []


def test_comment_markers_inside_strings_do_not_hide_imports() -> None:
    code = 'const u = "http://example.com/*"; import a from "./a" // "*/\nimport b from "./b"'
    assert [spec for spec, *_ in specs(code)] == ["./a", "./b"]


def test_escaped_quotes_do_not_end_a_string() -> None:
    code = 'const s = "say \\"hi\\" import x from \'./nope\'"; import ok from "./ok"'
    assert [spec for spec, *_ in specs(code)] == ["./ok"]


def test_text_is_stripped_and_cut_to_200_characters() -> None:
    code = "   import {" + "a, " * 100 + '} from "./long"   '
    ((_, _, _, text),) = specs(code)
    assert text == code.strip()[:200]


def test_file_without_keywords_is_not_decoded() -> None:
    assert scan_file("a.js", b"\xff\xfe const x = 1;") == TsScan(())


def test_invalid_utf8_does_not_crash() -> None:
    assert scan_file("a.js", b'\xff import a from "./a"').specifiers[0][0] == "./a"


def test_scan_pickles() -> None:
    scan = scan_file("a.ts", b'import a from "./a"')
    assert pickle.loads(pickle.dumps(scan)) == scan


def test_crlf_line_endings() -> None:
    code = 'import a from "./a"\r\n\r\nimport b from "./b"\r\n'
    assert [(spec, line, text) for spec, line, _, text in specs(code)] == [
        ("./a", 1, 'import a from "./a"'),
        ("./b", 3, 'import b from "./b"'),
    ]


# Resolution: relative specifiers.


def test_use_carries_source_line_kind_and_text() -> None:
    files = {"src/main.ts": '\n\nimport { a } from "./a"\n', "src/a.ts": ""}
    assert uses_in(files) == [
        Use("src/main.ts", ("src/a.ts",), 3, "import", True, 'import { a } from "./a"')
    ]


@pytest.mark.parametrize(
    "target", ["a.ts", "a.tsx", "a.d.ts", "a.js", "a.jsx", "a.mjs", "a.cjs", "a.mts", "a.cts"]
)
def test_suffix_is_added(target: str) -> None:
    assert targets_of({"src/main.ts": 'import "./lib/a"', f"src/lib/{target}": ""}) == [
        (f"src/lib/{target}",)
    ]


def test_exact_file_with_any_extension() -> None:
    files = {"src/main.ts": 'import "./styles.css"\nimport "../data.json"', "src/styles.css": ""}
    files["data.json"] = "{}"
    assert targets_of(files) == [("src/styles.css",), ("data.json",)]


def test_dotted_name_gains_a_suffix() -> None:
    files = {"src/main.ts": 'import "./user.service"', "src/user.service.ts": ""}
    assert targets_of(files) == [("src/user.service.ts",)]


def test_folder_index() -> None:
    files = {"src/main.ts": 'import "./ui"\nimport "."', "src/ui/index.tsx": "", "src/index.ts": ""}
    assert targets_of(files) == [("src/ui/index.tsx",), ("src/index.ts",)]


def test_file_wins_over_folder() -> None:
    files = {"src/main.ts": 'import "./ui"', "src/ui.ts": "", "src/ui/index.ts": ""}
    assert targets_of(files) == [("src/ui.ts",)]


def test_folder_with_package_json_main_and_types() -> None:
    files = {
        "src/main.ts": 'import "./vendor"',
        "src/vendor/package.json": '{"main": "./lib/entry.js", "types": "types/entry.d.ts"}',
        "src/vendor/lib/entry.js": "",
        "src/vendor/types/entry.d.ts": "",
        "src/vendor/index.js": "",
    }
    use = one_use(files)
    assert use.targets == ("src/vendor/lib/entry.js", "src/vendor/types/entry.d.ts")
    assert not use.certain


@pytest.mark.parametrize(
    ("spec", "source"),
    [
        ("./util.js", "util.ts"),
        ("./util.js", "util.tsx"),
        ("./util.js", "util.d.ts"),
        ("./view.jsx", "view.tsx"),
        ("./esm.mjs", "esm.mts"),
        ("./cjs.cjs", "cjs.cts"),
    ],
)
def test_js_specifier_means_its_typescript_source(spec: str, source: str) -> None:
    use = one_use({"src/main.ts": f'import "{spec}"', f"src/{source}": ""})
    assert (use.targets, use.certain) == ((f"src/{source}",), True)


def test_js_and_ts_both_present_are_both_kept() -> None:
    use = one_use({"src/main.ts": 'import "./util.js"', "src/util.js": "", "src/util.ts": ""})
    assert (use.targets, use.certain) == (("src/util.js", "src/util.ts"), False)


def test_several_suffixes_present_are_all_kept_uncertain() -> None:
    use = one_use({"src/main.ts": 'import "./a"', "src/a.js": "", "src/a.d.ts": ""})
    assert (use.targets, use.certain) == (("src/a.d.ts", "src/a.js"), False)


@pytest.mark.parametrize("spec", ["./missing", "../../../../outside", "./missing.js", ".."])
def test_unresolved_relative_specifier_gives_no_use(spec: str) -> None:
    assert targets_of({"src/main.ts": f'import "{spec}"', "src/other.ts": ""}) == []


def test_self_import_is_dropped() -> None:
    assert uses_in({"src/main.ts": 'import "./main"'}) == []


def test_loader_prefix_and_query_are_ignored() -> None:
    files = {"src/main.ts": 'import a from "./a.svg?url"\nrequire("raw-loader!./b.txt")'}
    files |= {"src/a.svg": "", "src/b.txt": ""}
    assert targets_of(files) == [("src/a.svg",), ("src/b.txt",)]


def test_triple_slash_reference_resolves_relative_to_the_file() -> None:
    files = {"src/main.ts": '/// <reference path="globals.d.ts" />', "src/globals.d.ts": ""}
    assert (one_use(files).targets, one_use(files).kind) == (("src/globals.d.ts",), "type import")


def test_template_with_substitution_matches_every_file_it_can_mean() -> None:
    files = {
        "src/main.ts": "const m = await import(`./locales/${lang}`)",
        "src/locales/en.ts": "",
        "src/locales/fr.json": "",
        "src/locales/de/index.ts": "",
        "src/other.ts": "",
    }
    use = one_use(files)
    assert sorted(use.targets) == [
        "src/locales/de/index.ts",
        "src/locales/en.ts",
        "src/locales/fr.json",
    ]
    assert not use.certain


def test_concatenated_require_is_a_template() -> None:
    files = {
        "bin/cli.js": 'const run = (cmd) => require("../commands/" + cmd)(argv)',
        "commands/build.js": "",
        "commands/test.js": "",
        "lib/other.js": "",
    }
    use = one_use(files, "bin/cli.js")
    assert (use.targets, use.certain) == (("commands/build.js", "commands/test.js"), False)


def test_glob_and_require_context() -> None:
    files = {
        "src/main.ts": "import.meta.glob('./pages/*.tsx')\nrequire.context('./plugins', true, /x/)",
        "src/pages/a.tsx": "",
        "src/pages/b.ts": "",
        "src/pages/deep/c.tsx": "",
        "src/plugins/x/y.js": "",
    }
    assert targets_of(files) == [("src/pages/a.tsx",), ("src/plugins/x/y.js",)]


# Resolution: tsconfig.json.

TSCONFIG = """{
  // comments and trailing commas, as tsconfig allows
  "compilerOptions": {
    /* base */ "baseUrl": "./src",
    "paths": {
      "@app/*": ["app/*", "legacy/*",],
      "@config": ["config/index.ts"],
      "~/*": ["./*"],
    },
  },
}"""


@pytest.mark.parametrize(
    ("spec", "expected", "certain"),
    [
        ("@app/button", ("src/app/button.tsx",), True),
        ("@app/both", ("src/app/both.ts", "src/legacy/both.ts"), False),
        ("@app/old", ("src/legacy/old.ts",), True),
        ("@config", ("src/config/index.ts",), True),
        ("~/app/button", ("src/app/button.tsx",), True),
        ("shared/util", ("src/shared/util.ts",), True),
    ],
)
def test_tsconfig_paths_and_base_url(spec: str, expected: tuple[str, ...], certain: bool) -> None:
    files = {
        "tsconfig.json": TSCONFIG,
        "src/main.ts": f'import x from "{spec}"',
        "src/app/button.tsx": "",
        "src/app/both.ts": "",
        "src/legacy/both.ts": "",
        "src/legacy/old.ts": "",
        "src/config/index.ts": "",
        "src/shared/util.ts": "",
    }
    use = one_use(files)
    assert (use.targets, use.certain) == (expected, certain)


def test_longest_prefix_pattern_wins() -> None:
    files = {
        "tsconfig.json": '{"compilerOptions": {"paths": {"@/*": ["src/*"], "@/ui/*": ["ui/*"]}}}',
        "src/main.ts": 'import "@/ui/button"',
        "ui/button.ts": "",
        "src/ui/button.ts": "",
    }
    assert targets_of(files) == [("ui/button.ts",)]


def test_paths_without_base_url_are_relative_to_their_config() -> None:
    files = {
        "web/tsconfig.json": '{"compilerOptions": {"paths": {"@/*": ["./src/*"]}}}',
        "web/src/main.ts": 'import "@/lib/x"',
        "web/src/lib/x.ts": "",
    }
    assert targets_of(files, "web/src/main.ts") == [("web/src/lib/x.ts",)]


def test_nearest_tsconfig_wins() -> None:
    files = {
        "tsconfig.json": '{"compilerOptions": {"paths": {"@/*": ["root/*"]}}}',
        "pkg/tsconfig.json": '{"compilerOptions": {"paths": {"@/*": ["./src/*"]}}}',
        "pkg/src/deep/main.ts": 'import "@/x"',
        "pkg/src/x.ts": "",
        "root/x.ts": "",
    }
    assert targets_of(files, "pkg/src/deep/main.ts") == [("pkg/src/x.ts",)]


@pytest.mark.parametrize(
    "extends", ["../tsconfig.base.json", "../tsconfig.base", "@org/tsconfig/base.json"]
)
def test_extends_is_followed(extends: str) -> None:
    files = {
        "tsconfig.base.json": '{"compilerOptions": {"baseUrl": ".", "paths": {"@lib/*": ["libs/*/src"]}}}',
        "config/package.json": '{"name": "@org/tsconfig"}',
        "config/base.json": '{"extends": "../tsconfig.base.json"}',
        "app/tsconfig.json": f'{{"extends": "{extends}", "compilerOptions": {{"strict": true}}}}',
        "app/main.ts": 'import "@lib/auth"',
        "libs/auth/src/index.ts": "",
    }
    assert targets_of(files, "app/main.ts") == [("libs/auth/src/index.ts",)]


def test_child_base_url_with_inherited_paths() -> None:
    files = {
        "base.json": '{"compilerOptions": {"paths": {"@/*": ["src/*"]}}}',
        "app/tsconfig.json": '{"extends": ["../base.json"], "compilerOptions": {"baseUrl": "."}}',
        "app/main.ts": 'import "@/x"',
        "app/src/x.ts": "",
    }
    assert targets_of(files, "app/main.ts") == [("app/src/x.ts",)]


@pytest.mark.parametrize(
    "broken", ["{ not json", "[1, 2]", '{"extends": "./tsconfig.json"}', '{"compilerOptions": 3}']
)
def test_broken_tsconfig_is_ignored(broken: str) -> None:
    """Its `paths` are not read: `@/a` is then only an unresolved local alias (not certain)."""
    files = {"tsconfig.json": broken, "src/main.ts": 'import "./a"\nimport "@/a"', "src/a.ts": ""}
    found = [(u.targets, u.certain) for u in uses_in(files) if u.source == "src/main.ts"]
    assert found == [(("src/a.ts",), True), (("src/a.ts",), False)]


def test_extends_cycle_ends() -> None:
    files = {
        "tsconfig.json": '{"extends": "./b.json", "compilerOptions": {"baseUrl": "src"}}',
        "b.json": '{"extends": "./tsconfig.json", "compilerOptions": {"paths": {"@/*": ["*"]}}}',
        "src/main.ts": 'import "@/a"',
        "src/a.ts": "",
    }
    assert targets_of(files) == [("src/a.ts",)]


def test_sibling_tsconfig_app_json_is_used_when_tsconfig_json_only_references() -> None:
    files = {
        "tsconfig.json": '{"files": [], "references": [{"path": "./tsconfig.app.json"}]}',
        "tsconfig.app.json": '{"compilerOptions": {"paths": {"@/*": ["./src/*"]}}}',
        "src/main.ts": 'import "@/a"',
        "src/a.ts": "",
    }
    assert targets_of(files) == [("src/a.ts",)]


def test_jsconfig_paths() -> None:
    files = {
        "jsconfig.json": '{"compilerOptions": {"baseUrl": "src"}}',
        "src/main.js": 'require("components/a")',
        "src/components/a.jsx": "",
    }
    assert targets_of(files, "src/main.js") == [("src/components/a.jsx",)]


# Resolution: workspace packages.


def workspace(package_json: str, *extra: str) -> dict[str, str]:
    files = {"apps/web/main.ts": "", "packages/ui/package.json": package_json}
    files |= {path: "" for path in extra}
    return files


def resolve_in(files: dict[str, str], spec: str) -> Use | None:
    files = files | {"apps/web/main.ts": f'import x from "{spec}"'}
    found = [use for use in uses_in(files) if use.source == "apps/web/main.ts"]
    return found[0] if found else None


@pytest.mark.parametrize(
    ("package_json", "files", "spec", "expected"),
    [
        (
            '{"name": "@org/ui", "exports": "./src/index.ts"}',
            ["src/index.ts"],
            "@org/ui",
            ["src/index.ts"],
        ),
        (
            '{"name": "@org/ui", "exports": {".": "./src/main.ts", "./button": "./src/button.tsx"}}',
            ["src/main.ts", "src/button.tsx"],
            "@org/ui/button",
            ["src/button.tsx"],
        ),
        (
            '{"name": "@org/ui", "exports": {".": "./src/main.ts"}}',
            ["src/main.ts"],
            "@org/ui",
            ["src/main.ts"],
        ),
        (
            '{"name": "@org/ui", "exports": {"./*": "./src/components/*.tsx"}}',
            ["src/components/card.tsx"],
            "@org/ui/card",
            ["src/components/card.tsx"],
        ),
        (
            '{"name": "@org/ui", "exports": {"./features/*": {"types": "./src/f/*.ts", "default": "./dist/f/*.js"}}}',
            ["src/f/a.ts"],
            "@org/ui/features/a",
            ["src/f/a.ts"],
        ),
        ('{"name": "@org/ui", "main": "lib/main.js"}', ["lib/main.js"], "@org/ui", ["lib/main.js"]),
        ('{"name": "@org/ui", "module": "./esm.mjs"}', ["esm.mjs"], "@org/ui", ["esm.mjs"]),
        ('{"name": "@org/ui", "types": "./index.d.ts"}', ["index.d.ts"], "@org/ui", ["index.d.ts"]),
        ('{"name": "@org/ui"}', ["index.ts"], "@org/ui", ["index.ts"]),
        ('{"name": "@org/ui"}', ["src/deep/x.ts"], "@org/ui/src/deep/x", ["src/deep/x.ts"]),
        ('{"name": "plain"}', ["index.js"], "plain", ["index.js"]),
        ('{"name": "plain"}', ["sub/y.js"], "plain/sub/y.js", ["sub/y.js"]),
    ],
)
def test_workspace_package(
    package_json: str, files: list[str], spec: str, expected: list[str]
) -> None:
    use = resolve_in(workspace(package_json, *[f"packages/ui/{f}" for f in files]), spec)
    assert use is not None
    assert use.targets == tuple(f"packages/ui/{f}" for f in expected)
    assert use.certain


def test_conditional_exports_keep_every_existing_target() -> None:
    package_json = """{"name": "@org/ui", "exports": {".": {
        "types": "./src/index.ts", "import": "./esm/index.mjs",
        "require": "./cjs/index.cjs", "default": "./missing.js"}}}"""
    files = workspace(package_json, "packages/ui/src/index.ts", "packages/ui/esm/index.mjs")
    files["packages/ui/cjs/index.cjs"] = ""
    use = resolve_in(files, "@org/ui")
    assert use is not None
    assert use.targets == (
        "packages/ui/src/index.ts",
        "packages/ui/esm/index.mjs",
        "packages/ui/cjs/index.cjs",
    )
    assert not use.certain


def test_untracked_build_output_is_traced_back_to_source_as_a_guess() -> None:
    package_json = '{"name": "@org/ui", "main": "dist/index.js", "types": "dist/index.d.ts"}'
    use = resolve_in(workspace(package_json, "packages/ui/src/index.ts"), "@org/ui")
    assert use is not None
    assert (use.targets, use.certain) == (("packages/ui/src/index.ts",), False)


def test_exports_to_build_output_are_traced_back_to_source() -> None:
    package_json = '{"name": "@org/ui", "exports": {"./button": {"import": "./dist/button.mjs"}}}'
    use = resolve_in(workspace(package_json, "packages/ui/src/button.tsx"), "@org/ui/button")
    assert use is not None
    assert (use.targets, use.certain) == (("packages/ui/src/button.tsx",), False)


@pytest.mark.parametrize("spec", ["react", "@types/node", "node:fs", "@org/other", "fs/promises"])
def test_external_packages_give_nothing(spec: str) -> None:
    assert resolve_in(workspace('{"name": "@org/ui"}', "packages/ui/index.ts"), spec) is None


def test_broken_package_json_is_ignored() -> None:
    assert resolve_in(workspace("{broken", "packages/ui/index.ts"), "@org/ui") is None


def test_two_packages_with_one_name_are_both_kept() -> None:
    files = {
        "a/package.json": '{"name": "dup"}',
        "a/index.ts": "",
        "b/package.json": '{"name": "dup"}',
        "b/index.ts": "",
        "main.ts": 'import "dup"',
    }
    use = one_use(files, "main.ts")
    assert (use.targets, use.certain) == (("a/index.ts", "b/index.ts"), False)


def test_package_imports_field() -> None:
    files = {
        "svc/package.json": '{"name": "svc", "imports": {"#db/*": "./src/db/*.ts", "#ui": "@org/ui"}}',
        "svc/src/db/client.ts": "",
        "svc/src/app/main.ts": 'import "#db/client"\nimport "#ui"\nimport "#nope"',
        "packages/ui/package.json": '{"name": "@org/ui"}',
        "packages/ui/index.ts": "",
    }
    assert targets_of(files, "svc/src/app/main.ts") == [
        ("svc/src/db/client.ts",),
        ("packages/ui/index.ts",),
    ]


def test_tsconfig_paths_win_over_workspace_packages() -> None:
    files = {
        "tsconfig.json": '{"compilerOptions": {"paths": {"@org/ui": ["./ui-src/index.ts"]}}}',
        "ui-src/index.ts": "",
        "packages/ui/package.json": '{"name": "@org/ui"}',
        "packages/ui/index.ts": "",
        "main.ts": 'import "@org/ui"',
    }
    assert targets_of(files, "main.ts") == [("ui-src/index.ts",)]


# Speed.


def test_scanning_is_fast() -> None:
    body = "\n".join(
        [f'import {{ a{i} }} from "../m/a{i}";' for i in range(10)]
        + ['const s = "text with // and /* inside";', "// a comment", "function f() { return 1 }"]
        * 30
    ).encode()
    start = time.perf_counter()
    for index in range(2000):
        assert len(scan_file(f"src/f{index}.ts", body).specifiers) == 10
    assert time.perf_counter() - start < 2.0


def test_an_unresolved_local_alias_may_mean_any_file_its_path_ends() -> None:
    """`~/x` and `@/x` are never packages: with no alias that resolves them, every file whose
    path ends with the rest may be meant (not certain); a scoped package `@scope/x` is not."""
    files = {
        "src/main.ts": (
            "import App from '~/App.vue'\nimport { card } from '@/components/Card'\n"
            "import { z } from '@acme/zod'\n"
        ),
        "src/App.vue": "",
        "src/components/Card/index.ts": "",
        "legacy/components/Card.tsx": "",
        "src/components/Cards.ts": "",
    }
    found = [(u.targets, u.certain) for u in uses_in(files)]
    assert found == [
        (("src/App.vue",), False),
        (("legacy/components/Card.tsx", "src/components/Card/index.ts"), False),
    ]


def _every_match(data: bytes) -> tuple[tuple[str, int, str, str], ...]:
    """The scan without its early stop: every token of the file, to the end."""
    text = data.decode("utf-8", "replace")
    found = []
    for match in tsimports._TOKEN.finditer(text):
        group = match.lastindex
        if group is None:
            continue
        start = match.start(group)
        line = text.count("\n", 0, start) + 1
        itype = group == tsimports._IMPORT and match.start(tsimports._ITYPE) >= 0
        spec = tsimports._specifier(group, match.group(group), text[match.end() - 1] == "+")
        kind = "type import" if itype else tsimports._KINDS[group]
        found.append((spec, line, kind, tsimports._line_text(text, start)))
    return tuple(found)


PIECES = [
    'import { a } from "./a";\n',
    "import type { T } from './t';\n",
    'export * from "./reexport";\n',
    'const lazy = () => import("./lazy");\n',
    'const cfg = require("./cfg");\n',
    '/// <reference path="./types.d.ts" />\n',
    "/* import { x } from './in-comment' */\n",
    "// require('./in-line-comment')\n",
    "const s = \"import x from './in-string'\";\n",
    "const t = `SELECT * FROM users ${from}`;\n",
    "const fromDate = importedAt + requireAuth;\n",
    "export function f(x: number): number { return x * 2; }\n",
    "const re = /from/g; // a regular expression\n",
    "import {\n  b,\n} from\n  './multi-line';\n",
    "`unclosed template import('./never')\n",
    "/* an unclosed comment import './never2'\n",
    "'a string \\' with import(\"./escaped\")';\n",
    "export default { name: 'reference' };\n",
]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=12))
def test_the_scan_stops_early_with_the_same_specifiers(pieces: list[str]) -> None:
    data = "".join(pieces).encode()
    assert scan_file("a.ts", data).specifiers == _every_match(data)


def test_an_import_after_the_code_is_found_and_the_code_after_it_is_not_read() -> None:
    body = "export const x = 1;\n" * 50
    data = f'{body}import("./late");\n{body}const s = "import(\'./not-code\')";\n'.encode()
    assert [s[0] for s in scan_file("a.ts", data).specifiers] == ["./late"]
