"""Test runners (`frameworks.testrunners`) through the CLI.

A web shop with Jest for its legacy code, Vitest for unit tests, Playwright and Cypress for
end-to-end tests, Mocha for the API and Storybook for components, each with test names its
own config sets (no `.test.`/`.spec.` names, no `tests/` folders), setup files, and a module
alias. One file nothing uses: `orphans` must list exactly it; what only tests reach is
`review`, with the chain up to the config line that runs the test.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from repo_support import RepoFactory, consolidate
from repo_support import verdicts as investigate

SHOP = {
    "package.json": json.dumps(
        {
            "name": "shop-web",
            "private": True,
            "scripts": {
                "test": "jest && vitest run",
                "e2e": "playwright test",
                "storybook": "storybook dev -p 6006",
            },
            "dependencies": {"react": "^18.3.0"},
            "devDependencies": {
                "jest": "^29.7.0",
                "vitest": "^2.1.0",
                "mocha": "^10.7.0",
                "@playwright/test": "^1.47.0",
                "cypress": "^13.15.0",
                "@storybook/react-vite": "^8.3.0",
            },
        }
    ),
    # -- Jest: its own test names under legacy/, a setup file, a moduleNameMapper alias --------
    "jest.config.js": (
        "/** @type {import('jest').Config} */\n"
        "module.exports = {\n"
        "  roots: ['<rootDir>/legacy'],\n"
        "  testMatch: ['**/checks/**/*.check.js'],\n"
        "  setupFilesAfterEnv: ['<rootDir>/legacy/setup-env.js'],\n"
        "  moduleNameMapper: {\n"
        "    '^~legacy/(.*)$': '<rootDir>/legacy/src/$1',\n"
        "    '\\\\.(css|less)$': 'identity-obj-proxy',\n"
        "  },\n"
        "};\n"
    ),
    "legacy/checks/totals.check.js": (
        "const { total } = require('~legacy/cart');\n"
        "test('total', () => expect(total([1, 2])).toBe(3));\n"
    ),
    "legacy/src/cart.js": "exports.total = (items) => items.reduce((a, b) => a + b, 0);\n",
    "legacy/setup-env.js": "require('./matchers');\n",
    "legacy/matchers.js": "expect.extend({});\n",
    # -- Vitest: `include`, `setupFiles`, `globalSetup` ---------------------------------------
    "vitest.config.ts": (
        'import { defineConfig } from "vitest/config";\n'
        "\n"
        "export default defineConfig({\n"
        "  test: {\n"
        '    include: ["src/**/*.unit.ts"],\n'
        '    setupFiles: ["./vitest/setup-dom.ts"],\n'
        '    globalSetup: "./vitest/start-db.ts",\n'
        "  },\n"
        "});\n"
    ),
    "src/price.unit.ts": 'import { price } from "./price";\nprice(1);\n',
    "src/price.ts": "export const price = (cents: number) => cents / 100;\n",
    "vitest/setup-dom.ts": "globalThis.IS_TEST = true;\n",
    "vitest/start-db.ts": 'import { seed } from "./seed";\nexport default () => seed();\n',
    "vitest/seed.ts": "export const seed = () => 1;\n",
    # -- Playwright: testDir, testMatch and a global setup ------------------------------------
    "playwright.config.ts": (
        'import { defineConfig, devices } from "@playwright/test";\n'
        "\n"
        "export default defineConfig({\n"
        '  testDir: "./e2e",\n'
        '  testMatch: "*.e2e.ts",\n'
        '  globalSetup: require.resolve("./e2e/global-setup.ts"),\n'
        '  projects: [{ name: "chromium", use: { ...devices["Desktop Chrome"] } }],\n'
        "});\n"
    ),
    "e2e/checkout.e2e.ts": 'import { CheckoutPage } from "./pages/checkout-page";\nnew CheckoutPage();\n',
    "e2e/pages/checkout-page.ts": "export class CheckoutPage {}\n",
    "e2e/global-setup.ts": "export default async () => {};\n",
    # -- Cypress: a spec pattern of its own, the default support file -------------------------
    "cypress.config.ts": (
        'import { defineConfig } from "cypress";\n'
        "\n"
        "export default defineConfig({\n"
        "  e2e: {\n"
        '    baseUrl: "http://localhost:5173",\n'
        '    specPattern: "cypress/flows/**/*.flow.ts",\n'
        "  },\n"
        "});\n"
    ),
    "cypress/flows/login.flow.ts": 'import { login } from "../support/login";\nlogin();\n',
    "cypress/support/login.ts": "export const login = () => {};\n",
    "cypress/support/e2e.ts": 'import "./commands";\n',
    "cypress/support/commands.ts": "export {};\n",
    # -- Mocha: spec and require in .mocharc.yml ----------------------------------------------
    ".mocharc.yml": "spec: api/suites/**/*.suite.mjs\nrequire:\n  - ./api/hooks.mjs\ntimeout: 5000\n",
    "api/suites/orders.suite.mjs": "import { listOrders } from '../orders.mjs';\nlistOrders();\n",
    "api/orders.mjs": "export const listOrders = () => [];\n",
    "api/hooks.mjs": "export const mochaHooks = {};\n",
    # -- Storybook: stories, preview -----------------------------------------------------------
    ".storybook/main.ts": (
        'import type { StorybookConfig } from "@storybook/react-vite";\n'
        "\n"
        "const config: StorybookConfig = {\n"
        '  stories: ["../src/**/*.stories.@(ts|tsx)"],\n'
        '  framework: { name: "@storybook/react-vite", options: {} },\n'
        "};\n"
        "export default config;\n"
    ),
    ".storybook/preview.ts": 'import "../src/theme";\nexport default {};\n',
    "src/Badge.stories.tsx": 'import { Badge } from "./Badge";\nexport default { component: Badge };\n',
    "src/Badge.tsx": "export const Badge = () => null;\n",
    "src/theme.ts": "export const theme = {};\n",
    # nothing runs or imports it: the one dead file
    "src/old-coupon.ts": "export const coupon = 0;\n",
}


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return RepoFactory(tmp_path_factory.mktemp("shop"))(SHOP)


def test_orphans_are_only_the_dead_file(shop: Path) -> None:
    result = consolidate(shop, "orphans", "--json")
    assert result.returncode == 0, result.stderr
    assert [o["path"] for o in json.loads(result.stdout)["orphans"]] == ["src/old-coupon.ts"]


@pytest.mark.parametrize(
    ("name", "path", "chain"),
    [
        # Jest: a test found by `testMatch`, importing through `moduleNameMapper`
        ("cart", "legacy/src/cart.js",
         ["legacy/src/cart.js", "legacy/checks/totals.check.js", "run by jest.config.js:4: testMatch"]),
        ("matchers", "legacy/matchers.js",
         ["legacy/matchers.js", "legacy/setup-env.js", "run by jest.config.js:5: setupFilesAfterEnv"]),
        # Vitest
        ("price", "src/price.ts",
         ["src/price.ts", "src/price.unit.ts", "run by vitest.config.ts:5: test.include"]),
        ("seed", "vitest/seed.ts",
         ["vitest/seed.ts", "vitest/start-db.ts", "run by vitest.config.ts:7: test.globalSetup"]),
        ("setup-dom", "vitest/setup-dom.ts",
         ["vitest/setup-dom.ts", "run by vitest.config.ts:6: test.setupFiles"]),
        # Playwright
        ("checkout-page", "e2e/pages/checkout-page.ts",
         ["e2e/pages/checkout-page.ts", "e2e/checkout.e2e.ts", "run by playwright.config.ts:5: testMatch"]),
        ("global-setup", "e2e/global-setup.ts",
         ["e2e/global-setup.ts", "run by playwright.config.ts:6: globalSetup"]),
        # Cypress: the spec pattern, and the default support file
        ("login", "cypress/support/login.ts",
         ["cypress/support/login.ts", "cypress/flows/login.flow.ts", "run by cypress.config.ts:6: e2e.specPattern"]),
        ("commands", "cypress/support/commands.ts",
         ["cypress/support/commands.ts", "cypress/support/e2e.ts", "run by cypress.config.ts:1: e2e.supportFile"]),
        # Mocha
        ("orders", "api/orders.mjs",
         ["api/orders.mjs", "api/suites/orders.suite.mjs", "run by .mocharc.yml:1: spec"]),
        ("hooks", "api/hooks.mjs", ["api/hooks.mjs", "run by .mocharc.yml:3: require"]),
        # Storybook: stories and preview
        ("Badge", "src/Badge.tsx",
         ["src/Badge.tsx", "src/Badge.stories.tsx", "run by .storybook/main.ts:4: stories"]),
        ("theme", "src/theme.ts",
         ["src/theme.ts", ".storybook/preview.ts", "run by .storybook/preview.ts: loaded by Storybook"]),
    ],
)  # fmt: skip
def test_what_only_tests_reach_is_reviewed(
    shop: Path, name: str, path: str, chain: list[str]
) -> None:
    row = investigate(shop, name)[path]
    assert (row["verdict"], row["chain"]) == ("review", chain)


def test_the_dead_file_goes(shop: Path) -> None:
    rows = investigate(shop, "old-coupon")
    assert {p: r["verdict"] for p, r in rows.items()} == {"src/old-coupon.ts": "remove"}
