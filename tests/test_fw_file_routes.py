"""File-based routing and auto-imported components through the real CLI: React Router's
`app/` files, TanStack Router's `src/routes/`, Vue's `src/pages/` plugins, and components an
unplugin imports by tag name (kept for review, never orphans)."""

from __future__ import annotations

import json

from repo_support import RepoFactory
from repo_support import orphan_paths as orphans
from repo_support import verdicts as investigate


def manifest(*packages: str) -> str:
    return json.dumps({"devDependencies": dict.fromkeys(packages, "1.0.0")})


def test_react_router_app_files_and_routes(make_repo: RepoFactory) -> None:
    repo = make_repo(
        {
            "shop/package.json": manifest("@react-router/dev", "react-router"),
            "shop/app/root.tsx": "export default function Root() { return null }\n",
            "shop/app/routes.ts": "export default []\n",
            "shop/app/entry.server.tsx": "export default function handle() {}\n",
            "shop/app/routes/_index.tsx": "import { total } from '../lib/cart'\nexport default total\n",
            "shop/app/routes/orders.$id.tsx": "export default function Order() { return null }\n",
            "shop/app/lib/cart.ts": "export const total = 0\n",
            "shop/app/lib/stale.ts": "export const stale = 0\n",
        }
    )
    assert orphans(repo) == ["shop/app/lib/stale.ts"]


def test_tanstack_routes_but_ignored_files(make_repo: RepoFactory) -> None:
    repo = make_repo(
        {
            "package.json": manifest("@tanstack/router-plugin", "@tanstack/react-router"),
            "src/routes/__root.tsx": "export const Route = {}\n",
            "src/routes/posts/$postId.tsx": "export const Route = {}\n",
            "src/routes/posts/-helpers.ts": "export const unused = 1\n",  # `-`: not a route
        }
    )
    assert orphans(repo) == ["src/routes/posts/-helpers.ts"]


def test_vue_pages_and_auto_imported_components(make_repo: RepoFactory) -> None:
    repo = make_repo(
        {
            "package.json": manifest("vue", "unplugin-vue-router", "unplugin-vue-components"),
            "src/pages/index.vue": "<template><CartBadge /></template>\n",
            "src/pages/users/[id].vue": "<template><p /></template>\n",
            "src/components/CartBadge.vue": "<script setup>\nimport { n } from '../lib/count'\n</script>\n",
            "src/lib/count.ts": "export const n = 1\n",
            "src/lib/stale.ts": "export const stale = 1\n",
        }
    )
    assert orphans(repo) == ["src/lib/stale.ts"]
    # Used by tag name only: a person decides, the tool does not call it production code.
    count = investigate(repo, "count")["src/lib/count.ts"]
    assert count["verdict"] == "review"
