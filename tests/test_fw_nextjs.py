"""Next.js: routes, special files and metadata files are live because of where they sit.

A Next.js app in `web/` with both routers under `src/`: App Router segments (a route group, a
private `_components` folder, a route handler, metadata files), Pages Router pages, custom
App/Document, an API route, middleware and instrumentation. `pageExtensions` is `tsx`/`ts`,
so a `.js` file in `pages/` is not a page. What nothing imports and Next.js does not load is
dead: a component and that `.js` file.
"""

from __future__ import annotations

from repo_support import RepoFactory
from repo_support import orphan_paths as orphans
from repo_support import verdicts as investigate

WEB_FILES: dict[str, str] = {
    "web/package.json": (
        '{\n  "name": "web",\n  "private": true,\n'
        '  "scripts": {"dev": "next dev", "build": "next build", "start": "next start"},\n'
        '  "dependencies": {"next": "15.1.0", "react": "19.0.0", "react-dom": "19.0.0"}\n}\n'
    ),
    "web/next.config.mjs": (
        "/** @type {import('next').NextConfig} */\n"
        "const nextConfig = {\n  reactStrictMode: true,\n  pageExtensions: ['tsx', 'ts'],\n};\n\n"
        "export default nextConfig;\n"
    ),
    "web/tsconfig.json": '{\n  "compilerOptions": {\n    "baseUrl": ".",\n    "paths": {"@/*": ["./src/*"]}\n  }\n}\n',
    # -- App Router ------------------------------------------------------------------------
    "web/src/app/layout.tsx": (
        "import { SiteHeader } from '@/components/site-header';\n\n"
        "export default function RootLayout({ children }: { children: React.ReactNode }) {\n"
        "  return (<html><body><SiteHeader />{children}</body></html>);\n}\n"
    ),
    "web/src/app/page.tsx": (
        "import { Hero } from '@/components/hero';\n\n"
        "export default function Home() {\n  return <Hero />;\n}\n"
    ),
    "web/src/app/dashboard/page.tsx": (
        "import { StatsCard } from '../_components/stats-card';\n\n"
        "export default function Dashboard() {\n  return <StatsCard />;\n}\n"
    ),
    "web/src/app/dashboard/loading.tsx": "export default function Loading() {\n  return <p>Loading</p>;\n}\n",
    "web/src/app/dashboard/error.tsx": (
        "'use client';\nexport default function DashboardError() {\n  return <p>Something went wrong</p>;\n}\n"
    ),
    "web/src/app/(marketing)/about/page.tsx": "export default function About() {\n  return <p>About us</p>;\n}\n",
    "web/src/app/api/health/route.ts": (
        "import { checkDatabase } from '@/lib/db-check';\n\n"
        "export async function GET() {\n  return Response.json({ ok: await checkDatabase() });\n}\n"
    ),
    "web/src/app/sitemap.ts": (
        "export default function sitemap() {\n  return [{ url: 'https://example.com' }];\n}\n"
    ),
    "web/src/app/opengraph-image.tsx": (
        "import { brandColor } from '@/lib/brand';\n\n"
        "export default function Image() {\n  return brandColor;\n}\n"
    ),
    "web/src/app/_components/stats-card.tsx": (
        "export function StatsCard() {\n  return <div>stats</div>;\n}\n"
    ),
    # -- Pages Router ----------------------------------------------------------------------
    "web/src/pages/_app.tsx": (
        "import type { AppProps } from 'next/app';\n\n"
        "export default function App({ Component, pageProps }: AppProps) {\n"
        "  return <Component {...pageProps} />;\n}\n"
    ),
    "web/src/pages/_document.tsx": (
        "import { Html, Head, Main, NextScript } from 'next/document';\n\n"
        "export default function Document() {\n"
        "  return (<Html><Head /><body><Main /><NextScript /></body></Html>);\n}\n"
    ),
    "web/src/pages/404.tsx": "export default function NotFound() {\n  return <p>Not found</p>;\n}\n",
    "web/src/pages/legacy-pricing.tsx": (
        "import { PricingTable } from '@/components/pricing-table';\n\n"
        "export default function LegacyPricing() {\n  return <PricingTable />;\n}\n"
    ),
    "web/src/pages/api/webhooks/stripe.ts": (
        "import type { NextApiRequest, NextApiResponse } from 'next';\n"
        "import { verifySignature } from '@/lib/signatures';\n\n"
        "export default function handler(req: NextApiRequest, res: NextApiResponse) {\n"
        "  res.status(verifySignature(req) ? 200 : 400).end();\n}\n"
    ),
    # not a page: pageExtensions is ['tsx', 'ts'], and nothing imports it
    "web/src/pages/pricing-data.js": "module.exports = { plans: ['free', 'pro'] };\n",
    # -- top-level special files -----------------------------------------------------------
    "web/src/middleware.ts": (
        "import { NextResponse } from 'next/server';\nimport { isSignedIn } from '@/lib/auth';\n\n"
        "export function middleware(request: Request) {\n"
        "  return isSignedIn(request) ? NextResponse.next() : NextResponse.redirect('/login');\n}\n"
    ),
    "web/src/instrumentation.ts": (
        "export async function register() {\n  await import('./lib/telemetry');\n}\n"
    ),
    # -- shared code -----------------------------------------------------------------------
    "web/src/lib/auth.ts": "export function isSignedIn(request: Request) {\n  return request.headers.has('cookie');\n}\n",
    "web/src/lib/db-check.ts": "export async function checkDatabase() {\n  return true;\n}\n",
    "web/src/lib/telemetry.ts": "export const started = Date.now();\n",
    "web/src/lib/brand.ts": "export const brandColor = '#0070f3';\n",
    "web/src/lib/signatures.ts": "export function verifySignature(req: unknown) {\n  return Boolean(req);\n}\n",
    "web/src/components/site-header.tsx": "export function SiteHeader() {\n  return <header>Acme</header>;\n}\n",
    "web/src/components/hero.tsx": "export function Hero() {\n  return <section>Welcome</section>;\n}\n",
    "web/src/components/pricing-table.tsx": "export function PricingTable() {\n  return <table />;\n}\n",
    # the dead component
    "web/src/components/old-banner.tsx": (
        "export function OldBanner() {\n  return <div>Spring sale!</div>;\n}\n"
    ),
}


def test_only_the_dead_component_and_a_non_page_file_are_orphans(make_repo: RepoFactory) -> None:
    repo = make_repo(WEB_FILES)
    assert orphans(repo) == [
        "web/src/components/old-banner.tsx",
        "web/src/pages/pricing-data.js",
    ]


def test_dead_component_goes_and_files_routes_use_stay_with_the_route_as_reason(
    make_repo: RepoFactory,
) -> None:
    repo = make_repo(WEB_FILES)

    banner = investigate(repo, "old-banner")
    assert list(banner) == ["web/src/components/old-banner.tsx"]
    assert banner["web/src/components/old-banner.tsx"]["verdict"] == "remove"

    pricing = investigate(repo, "pricing-table")["web/src/components/pricing-table.tsx"]
    assert pricing["verdict"] == "keep"
    assert pricing["chain"] == [
        "web/src/components/pricing-table.tsx",
        "web/src/pages/legacy-pricing.tsx",
        "run by web/src/pages/legacy-pricing.tsx: Next.js pages router page",
    ]

    card = investigate(repo, "stats-card")["web/src/app/_components/stats-card.tsx"]
    assert card["verdict"] == "keep"
    assert card["chain"] == [
        "web/src/app/_components/stats-card.tsx",
        "web/src/app/dashboard/page.tsx",
        "run by web/src/app/dashboard/page.tsx: Next.js app router page",
    ]

    expected = {
        "db-check": ("web/src/app/api/health/route.ts", "app router route"),
        "brand": ("web/src/app/opengraph-image.tsx", "metadata file opengraph-image"),
        "signatures": ("web/src/pages/api/webhooks/stripe.ts", "pages router API route"),
        "auth": ("web/src/middleware.ts", "middleware"),
        "telemetry": ("web/src/instrumentation.ts", "instrumentation"),
    }
    for name, (user, what) in expected.items():
        row = investigate(repo, name)[f"web/src/lib/{name}.ts"]
        assert row["verdict"] == "keep", name
        assert row["chain"] == [f"web/src/lib/{name}.ts", user, f"run by {user}: Next.js {what}"]


def test_a_route_file_of_the_component_goes_with_it(make_repo: RepoFactory) -> None:
    """A convention root keeps a file only when the route is not itself being removed."""
    repo = make_repo(WEB_FILES)
    rows = investigate(repo, "legacy-pricing")
    assert rows["web/src/pages/legacy-pricing.tsx"]["verdict"] == "remove"
    assert rows["web/src/components/pricing-table.tsx"]["verdict"] == "remove"
    assert rows["web/src/components/pricing-table.tsx"]["reason"] == "only the component uses it"


ROOT_APP_FILES: dict[str, str] = {
    "package.json": '{"name": "blog", "dependencies": {"next": "14.2.0", "react": "18.3.1"}}\n',
    "next.config.js": "module.exports = { reactStrictMode: true };\n",
    "pages/index.js": "import Layout from '../components/Layout';\nexport default function Home() { return <Layout />; }\n",
    "pages/blog/[slug].js": "import { getPost } from '../../lib/posts';\nexport default function Post() { return getPost(); }\n",
    "pages/_app.js": "export default function App({ Component }) { return <Component />; }\n",
    "middleware.js": "export function middleware() {}\n",
    "components/Layout.js": "export default function Layout() { return null; }\n",
    "lib/posts.js": "export function getPost() { return null; }\n",
    "lib/unused-feed.js": "export function feed() { return []; }\n",
    # `src/pages` is ignored when `pages/` exists at the root
    "src/pages/index.js": "export default function Shadowed() { return null; }\n",
}


def test_root_pages_router_with_default_extensions(make_repo: RepoFactory) -> None:
    repo = make_repo(ROOT_APP_FILES)
    assert orphans(repo) == ["lib/unused-feed.js", "src/pages/index.js"]
    posts = investigate(repo, "posts")["lib/posts.js"]
    assert posts["verdict"] == "keep"
    assert posts["chain"] == [
        "lib/posts.js",
        "pages/blog/[slug].js",
        "run by pages/blog/[slug].js: Next.js pages router page",
    ]
