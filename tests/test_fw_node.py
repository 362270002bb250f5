"""Node and TypeScript packages: how their files are entered, through the real CLI.

Each fixture is a small project shaped like a real one, with at least one truly dead file:
`orphans` must list exactly those, and `investigate` must keep the live files and say why.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from repo_support import RepoFactory, consolidate
from repo_support import orphan_paths as orphans
from repo_support import verdicts as investigate

from consolidate.demo import build_sample


def verdict_and_chain(rows: dict[str, dict[str, Any]], path: str) -> tuple[str, list[str]]:
    return rows[path]["verdict"], rows[path]["chain"]


# --- a package without `main`, and one with `exports` patterns and `#imports` ----------------

PACKAGES = {
    "services/mailer/package.json": json.dumps(
        {
            "name": "mailer",
            "version": "2.3.0",
            "private": True,
            "scripts": {"test": "node --test test/"},
            "dependencies": {"nodemailer": "^6.9.0"},
        },
        indent=2,
    ),
    "services/mailer/index.js": (
        '"use strict";\n'
        'const { render } = require("./lib/templates");\n\n'
        "module.exports = function send(to, template, data) {\n"
        "  return { to, html: render(template, data) };\n"
        "};\n"
    ),
    "services/mailer/lib/templates.js": (
        "exports.render = (name, data) => `<h1>${name}</h1>${JSON.stringify(data)}`;\n"
    ),
    "services/mailer/lib/legacy-smtp.js": "// replaced by nodemailer in 2.0\nexports.connect = () => null;\n",
    "packages/textkit/package.json": """{
  "name": "@acme/textkit",
  "version": "0.4.1",
  "type": "module",
  "exports": {
    ".": { "import": "./src/index.js" },
    "./formats/*": {
      "types": "./types/formats/*.d.ts",
      "default": "./src/formats/*.js"
    },
    "./package.json": "./package.json"
  },
  "imports": {
    "#internal/*": "./src/internal/*.js"
  }
}
""",
    "packages/textkit/src/index.js": 'export { slugify } from "./slug.js";\n',
    "packages/textkit/src/slug.js": "export const slugify = (s) => s.toLowerCase();\n",
    "packages/textkit/src/formats/csv.js": (
        'import { escape } from "#internal/escape";\n\n'
        'export const toCsv = (rows) => rows.map((r) => r.map(escape).join(",")).join("\\n");\n'
    ),
    "packages/textkit/src/formats/markdown/table.js": (
        'export const toTable = (rows) => rows.map((r) => `| ${r.join(" | ")} |`).join("\\n");\n'
    ),
    "packages/textkit/src/internal/escape.js": "export const escape = (v) => JSON.stringify(v);\n",
    "packages/textkit/src/legacy/wrap.js": "export const wrap = (s) => s;\n",
}


def test_default_entries_and_exports_patterns(make_repo: RepoFactory) -> None:
    repo = make_repo(PACKAGES)
    assert orphans(repo) == [
        "packages/textkit/src/legacy/wrap.js",
        "services/mailer/lib/legacy-smtp.js",
    ]
    # every file the `*` stands for, in nested folders too; `#internal/*` from the code
    formats = investigate(repo, "formats")
    pattern = 'run by packages/textkit/package.json:9: exports["./formats/*"].default'
    assert verdict_and_chain(formats, "packages/textkit/src/formats/csv.js") == (
        "keep",
        ["packages/textkit/src/formats/csv.js", pattern],
    )
    assert verdict_and_chain(formats, "packages/textkit/src/formats/markdown/table.js") == (
        "keep",
        ["packages/textkit/src/formats/markdown/table.js", pattern],
    )
    assert verdict_and_chain(formats, "packages/textkit/src/internal/escape.js") == (
        "keep",
        ["packages/textkit/src/internal/escape.js", "packages/textkit/src/formats/csv.js", pattern],
    )
    # Node's index.js of a package without main keeps what it requires...
    templates = investigate(repo, "templates")
    assert verdict_and_chain(templates, "services/mailer/lib/templates.js") == (
        "keep",
        [
            "services/mailer/lib/templates.js",
            "services/mailer/index.js",
            "run by services/mailer/index.js: Node's default entry of "
            "services/mailer/package.json (no main or exports)",
        ],
    )
    # ...but goes with the package it belongs to
    mailer = investigate(repo, "mailer")
    assert {path: row["verdict"] for path, row in mailer.items()} == {
        "services/mailer/index.js": "remove",
        "services/mailer/lib/legacy-smtp.js": "remove",
        "services/mailer/lib/templates.js": "remove",
        "services/mailer/package.json": "remove",
    }


# --- a TypeScript package whose entries are build output ------------------------------------

LEDGER = {
    "tsconfig.base.json": (
        "{\n  // shared by every package\n"
        '  "compilerOptions": { "target": "ES2022", "module": "NodeNext", "strict": true, },\n}\n'
    ),
    "packages/ledger/package.json": """{
  "name": "@acme/ledger",
  "version": "1.4.0",
  "main": "dist/index.js",
  "types": "dist/index.d.ts",
  "bin": { "ledger": "dist/cli/main.js" },
  "scripts": {
    "build": "tsc -p tsconfig.build.json",
    "start": "node dist/server.js",
    "test": "vitest run"
  },
  "imports": { "#db/*": "./dist/db/*.js" },
  "devDependencies": { "typescript": "^5.5.0", "vitest": "^2.0.0" }
}
""",
    "packages/ledger/tsconfig.json": (
        '{\n  "extends": "../../tsconfig.base.json",\n'
        '  "compilerOptions": { "outDir": "./dist", "declaration": true },\n'
        '  "include": ["app"]\n}\n'
    ),
    "packages/ledger/tsconfig.build.json": (
        '{ "extends": "./tsconfig.json", "exclude": ["app/**/*.test.ts"] }\n'
    ),
    "packages/ledger/app/index.ts": 'export * from "./books.js";\n',
    "packages/ledger/app/books.ts": "export const balance = (xs: number[]) => xs.reduce((a, b) => a + b, 0);\n",
    "packages/ledger/app/books.test.ts": 'import { balance } from "./books.js";\nbalance([1]);\n',
    "packages/ledger/app/server.ts": 'import { post } from "./posting.js";\npost(1);\n',
    "packages/ledger/app/posting.ts": (
        'import { pool } from "#db/pool";\n\nexport const post = (n: number) => pool(n);\n'
    ),
    "packages/ledger/app/db/pool.ts": "export const pool = (n: number) => n;\n",
    "packages/ledger/app/cli/main.ts": 'import { report } from "../report.js";\nreport();\n',
    "packages/ledger/app/report.ts": "export const report = () => 0;\n",
    "packages/ledger/app/legacy/import-qif.ts": "export const importQif = () => [];\n",
}


def test_build_output_is_traced_to_the_tsconfig_source_root(make_repo: RepoFactory) -> None:
    repo = make_repo(LEDGER)
    assert orphans(repo) == ["packages/ledger/app/legacy/import-qif.ts"]
    books = investigate(repo, "books")
    assert verdict_and_chain(books, "packages/ledger/app/books.ts") == (
        "keep",
        [
            "packages/ledger/app/books.ts",
            "packages/ledger/app/index.ts",
            "run by packages/ledger/package.json:4: main",
        ],
    )
    assert books["packages/ledger/app/books.test.ts"]["verdict"] == "remove"
    report = investigate(repo, "report")
    assert verdict_and_chain(report, "packages/ledger/app/report.ts") == (
        "keep",
        [
            "packages/ledger/app/report.ts",
            "packages/ledger/app/cli/main.ts",
            "run by packages/ledger/package.json:6: bin.ledger",
        ],
    )
    posting = investigate(repo, "posting")
    assert verdict_and_chain(posting, "packages/ledger/app/posting.ts") == (
        "keep",
        [
            "packages/ledger/app/posting.ts",
            "packages/ledger/app/server.ts",
            "run by packages/ledger/package.json:9: scripts.start",
        ],
    )
    # `#db/*` names build output: the import is traced to the source through the tsconfig
    pool = investigate(repo, "pool")
    assert verdict_and_chain(pool, "packages/ledger/app/db/pool.ts") == (
        "keep",
        [
            "packages/ledger/app/db/pool.ts",
            "packages/ledger/app/posting.ts",
            "packages/ledger/app/server.ts",
            "run by packages/ledger/package.json:9: scripts.start",
        ],
    )


# --- HTML pages: a vite index.html, an inline module script, tsc output in public/ ----------

DASHBOARD = {
    "web/package.json": json.dumps(
        {
            "name": "dashboard",
            "private": True,
            "type": "module",
            "scripts": {"dev": "vite", "build": "tsc && vite build", "preview": "vite preview"},
            "devDependencies": {"typescript": "^5.5.0", "vite": "^5.4.0"},
        },
        indent=2,
    ),
    "web/tsconfig.json": '{ "compilerOptions": { "noEmit": true, "jsx": "react-jsx" }, "include": ["src"] }\n',
    "web/tsconfig.embed.json": (
        '{ "compilerOptions": { "rootDir": "embed-src", "outDir": "public/embed" } }\n'
    ),
    "web/index.html": (
        "<!doctype html>\n<html>\n  <head><title>Dashboard</title></head>\n  <body>\n"
        '    <div id="root"></div>\n'
        '    <!-- <script src="/src/legacy/OldChart.tsx"></script> -->\n'
        '    <script type="module" src="/src/main.tsx"></script>\n'
        "  </body>\n</html>\n"
    ),
    "web/admin.html": (
        "<!doctype html>\n<html>\n  <body>\n"
        '    <script type="module">\n      import "/src/admin/boot.ts";\n    </script>\n'
        "  </body>\n</html>\n"
    ),
    "web/public/widget.html": (
        '<!doctype html>\n<html>\n  <body>\n    <script src="/embed/loader.js" defer></script>\n'
        "  </body>\n</html>\n"
    ),
    "web/src/main.tsx": 'import { App } from "./App";\nApp();\n',
    "web/src/App.tsx": (
        'const pages = import.meta.glob("./pages/*.tsx");\n'
        "export const App = () => Object.keys(pages);\n"
    ),
    "web/src/pages/Home.tsx": "export default () => null;\n",
    "web/src/pages/Billing.tsx": "export default () => null;\n",
    "web/src/admin/boot.ts": 'import { audit } from "./audit";\naudit();\n',
    "web/src/admin/audit.ts": "export const audit = () => 0;\n",
    "web/embed-src/loader.ts": 'import { frame } from "./frame.js";\nframe();\n',
    "web/embed-src/frame.ts": "export const frame = () => 0;\n",
    "web/src/legacy/OldChart.tsx": "export const OldChart = () => null;\n",
}


def test_html_script_entries(make_repo: RepoFactory) -> None:
    repo = make_repo(DASHBOARD)
    assert orphans(repo) == ["web/src/legacy/OldChart.tsx"]
    pages = investigate(repo, "pages")
    assert verdict_and_chain(pages, "web/src/pages/Billing.tsx") == (
        "keep",
        [
            "web/src/pages/Billing.tsx",
            "web/src/App.tsx",
            "web/src/main.tsx",
            "run by web/index.html:7: <script src=/src/main.tsx>",
        ],
    )
    audit = investigate(repo, "audit")
    assert verdict_and_chain(audit, "web/src/admin/audit.ts") == (
        "keep",
        [
            "web/src/admin/audit.ts",
            "web/src/admin/boot.ts",
            "run by web/admin.html:4: <script type=module> import",
        ],
    )
    frame = investigate(repo, "frame")
    assert verdict_and_chain(frame, "web/embed-src/frame.ts") == (
        "keep",
        [
            "web/embed-src/frame.ts",
            "web/embed-src/loader.ts",
            "run by web/public/widget.html:4: <script src=/embed/loader.js>",
        ],
    )


# --- workers, child processes, service workers, globs ---------------------------------------

FARM_SERVER = """\
"use strict";
const path = require("node:path");
const { fork, spawn, execFile } = require("node:child_process");
const { Worker } = require("node:worker_threads");

const thumbnails = fork(path.join(__dirname, "jobs", "thumbnail.js"));
const hasher = new Worker(path.resolve(__dirname, "workers/hash.js"));
spawn(process.execPath, [path.join(__dirname, "tasks", "cleanup.js"), "--older-than", "7d"]);
execFile("node", [`${__dirname}/tasks/report.js`]);
fork(path.join(__dirname, "esm", "scheduler.mjs"));
fork(process.env.FAST_AGENT ? "./src/agent-fast.js" : "./src/agent.js");
// new Worker("./src/workers/retired.js") was replaced by the hasher above

function runPlugin(name) {
  return fork(path.join(__dirname, "plugins", name), { silent: true });
}

module.exports = { thumbnails, hasher, runPlugin };
"""

SCHEDULER = """\
import { Worker } from "node:worker_threads";
import { fork } from "node:child_process";
import { fileURLToPath } from "node:url";

new Worker(new URL("./tick.mjs", import.meta.url));
fork(fileURLToPath(new URL("../jobs/purge.js", import.meta.url)));
export const loader = import.meta.resolve("./loader.mjs");
"""

VIEWER_MAIN = """\
const decoder = new Worker(new URL("./decoder.worker.ts", import.meta.url), { type: "module" });
const clock = new SharedWorker(new URL("./clock.shared.ts", import.meta.url));
if ("serviceWorker" in navigator) {
  navigator.serviceWorker.register("/sw.js");
}
const panels = import.meta.glob(["./panels/*.ts", "./overlays/*.ts"]);
export { decoder, clock, panels };
"""

WORKERS = {
    "farm/package.json": json.dumps(
        {
            "name": "render-farm",
            "version": "3.1.0",
            "main": "src/server.js",
            "scripts": {"start": "node src/server.js"},
            "dependencies": {"express": "^4.19.0"},
        },
        indent=2,
    ),
    "farm/src/server.js": FARM_SERVER,
    "farm/src/jobs/thumbnail.js": "process.on('message', () => {});\n",
    "farm/src/jobs/purge.js": "process.exit(0);\n",
    "farm/src/workers/hash.js": "require('node:worker_threads');\n",
    "farm/src/workers/retired.js": "// superseded by hash.js\n",
    "farm/src/tasks/cleanup.js": "console.log('cleanup');\n",
    "farm/src/tasks/report.js": "console.log('report');\n",
    "farm/src/esm/scheduler.mjs": SCHEDULER,
    "farm/src/esm/tick.mjs": "export {};\n",
    "farm/src/esm/loader.mjs": "export {};\n",
    "farm/src/agent.js": "process.send?.('ready');\n",
    "farm/src/agent-fast.js": "process.send?.('ready');\n",
    "farm/src/plugins/pdf.js": "module.exports = 'pdf';\n",
    "farm/src/plugins/zip.js": "module.exports = 'zip';\n",
    "viewer/package.json": json.dumps(
        {"name": "viewer", "private": True, "scripts": {"build": "vite build"}}, indent=2
    ),
    "viewer/index.html": '<!doctype html>\n<script type="module" src="/src/main.ts"></script>\n',
    "viewer/src/main.ts": VIEWER_MAIN,
    "viewer/src/decoder.worker.ts": "self.onmessage = () => {};\n",
    "viewer/src/clock.shared.ts": "export {};\n",
    "viewer/public/sw.js": "self.addEventListener('fetch', () => {});\n",
    "viewer/src/panels/histogram.ts": "export default 1;\n",
    "viewer/src/overlays/grid.ts": "export default 1;\n",
    "viewer/src/legacy/old-worker.ts": "export {};\n",
}


def test_workers_and_child_processes(make_repo: RepoFactory) -> None:
    repo = make_repo(WORKERS)
    assert orphans(repo) == ["farm/src/workers/retired.js", "viewer/src/legacy/old-worker.ts"]
    server = ["farm/src/server.js", "run by farm/package.json: main"]
    jobs = investigate(repo, "jobs")
    assert verdict_and_chain(jobs, "farm/src/jobs/thumbnail.js") == (
        "keep",
        ["farm/src/jobs/thumbnail.js", *server],
    )
    assert verdict_and_chain(jobs, "farm/src/jobs/purge.js") == (
        "keep",
        ["farm/src/jobs/purge.js", "farm/src/esm/scheduler.mjs", *server],
    )
    # `fork(path.join(__dirname, "plugins", name))`: any file of that folder
    plugins = investigate(repo, "plugins")
    for path in ("farm/src/plugins/pdf.js", "farm/src/plugins/zip.js"):
        assert verdict_and_chain(plugins, path) == ("keep", [path, *server])
    # `cond ? a : b`: either may run; relative to the working directory, the package's folder
    agent = investigate(repo, "agent")
    assert verdict_and_chain(agent, "farm/src/agent.js") == ("keep", ["farm/src/agent.js", *server])
    tasks = investigate(repo, "tasks")
    for path in ("farm/src/tasks/cleanup.js", "farm/src/tasks/report.js"):
        assert verdict_and_chain(tasks, path) == ("keep", [path, *server])
    viewer = ["viewer/src/main.ts", "run by viewer/index.html:2: <script src=/src/main.ts>"]
    sw = investigate(repo, "sw")
    assert verdict_and_chain(sw, "viewer/public/sw.js") == (
        "keep",
        ["viewer/public/sw.js", *viewer],
    )
    overlays = investigate(repo, "overlays")
    assert verdict_and_chain(overlays, "viewer/src/overlays/grid.ts") == (
        "keep",
        ["viewer/src/overlays/grid.ts", *viewer],
    )


# --- the bundled sample: index.html loads dist/main.js, which tsc builds from src/main.ts ----


def test_sample_frontend_is_entered_through_index_html(tmp_path: Path) -> None:
    repo = build_sample(tmp_path / "taskhub").root
    assert orphans(repo) == []
    rows = investigate(repo, "ai-orchestrator")
    assert verdict_and_chain(rows, "frontend/src/ai-orchestrator.service.ts") == (
        "keep",
        [
            "frontend/src/ai-orchestrator.service.ts",
            "frontend/src/main.ts",
            "run by frontend/index.html:34: <script src=dist/main.js>",
        ],
    )
    target = tmp_path / "demo"
    result = consolidate(tmp_path, "demo", "--dir", str(target), "--json", "--no-docker")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["status"] == "complete"
    assert orphans(target) == []
