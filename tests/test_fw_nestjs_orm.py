"""NestJS entry files from nest-cli.json, and the files ORMs load by glob or folder.

The main fixture is a NestJS API on TypeORM: `nest-cli.json` names `src/main.ts`; the app
module's `TypeOrmModule.forRootAsync` loads every `*.entity.ts` and the migrations by
`__dirname` globs; a CLI data source names `dist/...` globs that map back to `src/`. An entity
no module imports and the migrations are live only through those globs; a legacy service is
dead. Smaller fixtures cover a Nest monorepo, TypeORM globs that cannot be read or match
nothing, ormconfig.json and `.env`, Knex, sequelize-cli and Prisma.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from repo_support import RepoFactory, cli_json
from repo_support import orphan_paths as orphans

MIGRATION = (
    "import {{ MigrationInterface, QueryRunner }} from 'typeorm';\n\n"
    "export class {name} implements MigrationInterface {{\n"
    "  async up(q: QueryRunner) {{ await q.query('{up}'); }}\n"
    "  async down(q: QueryRunner) {{ await q.query('{down}'); }}\n}}\n"
)
ENTITY = (
    "import {{ Entity, PrimaryGeneratedColumn }} from 'typeorm';\n\n"
    "@Entity()\nexport class {name} {{\n  @PrimaryGeneratedColumn() id!: number;\n}}\n"
)

API_FILES: dict[str, str] = {
    "api/package.json": (
        '{\n  "name": "api",\n  "scripts": {\n    "build": "nest build",\n'
        '    "start:prod": "node dist/main",\n'
        '    "migration:run": "typeorm-ts-node-commonjs migration:run -d src/database/data-source.ts"\n'
        "  },\n"
        '  "dependencies": {"@nestjs/common": "^10.0.0", "@nestjs/core": "^10.0.0",\n'
        '    "@nestjs/typeorm": "^10.0.0", "typeorm": "^0.3.17", "pg": "^8.11.0"}\n}\n'
    ),
    "api/nest-cli.json": (
        '{\n  "$schema": "https://json.schemastore.org/nest-cli",\n'
        '  "collection": "@nestjs/schematics",\n  "sourceRoot": "src",\n  "entryFile": "main"\n}\n'
    ),
    "api/tsconfig.json": '{\n  "compilerOptions": {"outDir": "./dist", "rootDir": "./src"}\n}\n',
    "api/src/main.ts": (
        "import { NestFactory } from '@nestjs/core';\nimport { AppModule } from './app.module';\n\n"
        "async function bootstrap() {\n  const app = await NestFactory.create(AppModule);\n"
        "  await app.listen(3000);\n}\nbootstrap();\n"
    ),
    "api/src/app.module.ts": (
        "import { Module } from '@nestjs/common';\n"
        "import { TypeOrmModule } from '@nestjs/typeorm';\n"
        "import { UsersModule } from './users/users.module';\n"
        "\n"
        "@Module({\n"
        "  imports: [\n"
        "    TypeOrmModule.forRootAsync({\n"
        "      useFactory: () => ({\n"
        "        type: 'postgres',\n"
        "        url: process.env.DATABASE_URL,\n"
        "        entities: [__dirname + '/**/*.entity{.ts,.js}'],\n"
        "        migrations: [__dirname + '/database/migrations/*{.ts,.js}'],\n"
        "        migrationsRun: true,\n"
        "      }),\n"
        "    }),\n"
        "    UsersModule,\n"
        "  ],\n"
        "})\n"
        "export class AppModule {}\n"
    ),
    "api/src/users/users.module.ts": (
        "import { Module } from '@nestjs/common';\nimport { TypeOrmModule } from '@nestjs/typeorm';\n"
        "import { User } from './user.entity';\nimport { UsersService } from './users.service';\n\n"
        "@Module({ imports: [TypeOrmModule.forFeature([User])], providers: [UsersService] })\n"
        "export class UsersModule {}\n"
    ),
    "api/src/users/users.service.ts": (
        "import { Injectable } from '@nestjs/common';\n\n@Injectable()\nexport class UsersService {}\n"
    ),
    "api/src/users/user.entity.ts": ENTITY.format(name="User"),
    # no module imports it: only the entities glob loads it
    "api/src/invoices/invoice.entity.ts": ENTITY.format(name="Invoice"),
    "api/src/database/data-source.ts": (
        "import { DataSource } from 'typeorm';\n"
        "import { AuditSubscriber } from '../audit/audit.subscriber';\n"
        "\n"
        "export default new DataSource({\n"
        "  type: 'postgres',\n"
        "  url: process.env.DATABASE_URL,\n"
        "  entities: ['dist/**/*.entity.js'],\n"
        "  migrations: ['dist/database/migrations/*.js'],\n"
        "  subscribers: [AuditSubscriber],\n"
        "});\n"
    ),
    "api/src/audit/audit.subscriber.ts": (
        "import { EventSubscriber } from 'typeorm';\n\n@EventSubscriber()\nexport class AuditSubscriber {}\n"
    ),
    "api/src/database/migrations/1700000000000-CreateUsers.ts": MIGRATION.format(
        name="CreateUsers1700000000000",
        up="CREATE TABLE users (id serial)",
        down="DROP TABLE users",
    ),
    "api/src/database/migrations/1700000100000-CreateInvoices.ts": MIGRATION.format(
        name="CreateInvoices1700000100000",
        up="CREATE TABLE invoices (id serial)",
        down="DROP TABLE invoices",
    ),
    # the dead file
    "api/src/legacy/csv-export.service.ts": "export class CsvExportService {\n  export() { return ''; }\n}\n",
}
NEST_ENTRY = "run by api/nest-cli.json:4: sourceRoot/entryFile (nest start)"


def investigate(repo: Path, name: str) -> dict[str, Any]:
    report: dict[str, Any] = cli_json(repo, "investigate", name)
    report["rows"] = {row["path"]: row for row in report["files"]}
    return report


def test_nest_typeorm_only_the_legacy_service_is_an_orphan(make_repo: RepoFactory) -> None:
    repo = make_repo(API_FILES)
    assert orphans(repo) == ["api/src/legacy/csv-export.service.ts"]


def test_nest_typeorm_verdicts_and_chains(make_repo: RepoFactory) -> None:
    repo = make_repo(API_FILES)

    legacy = investigate(repo, "legacy")
    assert {p: r["verdict"] for p, r in legacy["rows"].items()} == {
        "api/src/legacy/csv-export.service.ts": "remove"
    }

    invoice = investigate(repo, "invoice")["rows"]["api/src/invoices/invoice.entity.ts"]
    assert invoice["verdict"] == "keep"
    assert invoice["chain"] == [
        "api/src/invoices/invoice.entity.ts",
        "api/src/app.module.ts",
        "api/src/main.ts",
        NEST_ENTRY,
    ]
    assert invoice["used_by"] == ["api/src/app.module.ts", "api/src/database/data-source.ts"]

    migrations = investigate(repo, "migrations")
    assert migrations["warnings"] == []
    for path in (
        "api/src/database/migrations/1700000000000-CreateUsers.ts",
        "api/src/database/migrations/1700000100000-CreateInvoices.ts",
    ):
        row = migrations["rows"][path]
        assert row["verdict"] == "keep"
        assert row["chain"] == [path, "api/src/app.module.ts", "api/src/main.ts", NEST_ENTRY]
        assert row["used_by"] == ["api/src/app.module.ts", "api/src/database/data-source.ts"]

    # only the migration CLI's data source names the subscriber: a script, not production
    audit = investigate(repo, "audit")["rows"]["api/src/audit/audit.subscriber.ts"]
    assert audit["verdict"] == "review"
    assert audit["chain"] == [
        "api/src/audit/audit.subscriber.ts",
        "api/src/database/data-source.ts",
        "run by api/package.json: scripts.migration:run",
    ]


MONOREPO_FILES: dict[str, str] = {
    "package.json": '{"name": "platform", "dependencies": {"@nestjs/core": "^10.0.0"}}\n',
    "nest-cli.json": (
        "{\n"
        '  "sourceRoot": "apps/gateway/src",\n'
        '  "monorepo": true,\n'
        '  "root": "apps/gateway",\n'
        '  "projects": {\n'
        '    "gateway": {"type": "application", "root": "apps/gateway", "entryFile": "main",\n'
        '                "sourceRoot": "apps/gateway/src"},\n'
        '    "billing": {"type": "application", "root": "apps/billing", "entryFile": "server",\n'
        '                "sourceRoot": "apps/billing/src"},\n'
        '    "common": {"type": "library", "root": "libs/common", "entryFile": "index",\n'
        '               "sourceRoot": "libs/common/src"}\n'
        "  }\n"
        "}\n"
    ),
    "apps/gateway/src/main.ts": "import { money } from '../../../libs/common/src';\nmoney();\n",
    "apps/billing/src/server.ts": "import { BillingModule } from './billing.module';\nnew BillingModule();\n",
    "apps/billing/src/billing.module.ts": "export class BillingModule {}\n",
    "apps/billing/src/old-invoice-report.ts": "export const report = 1;\n",
    "libs/common/src/index.ts": "export function money() { return 1; }\n",
    "libs/unused/src/index.ts": "export const nothing = 1;\n",
}


def test_nest_monorepo_runs_each_application_not_libraries(make_repo: RepoFactory) -> None:
    repo = make_repo(MONOREPO_FILES)
    assert orphans(repo) == ["apps/billing/src/old-invoice-report.ts", "libs/unused/src/index.ts"]
    # nest-cli.json still names the billing application: it stays until that entry goes
    row = investigate(repo, "billing")["rows"]["apps/billing/src/billing.module.ts"]
    assert row["verdict"] == "keep"
    assert row["chain"] == [
        "apps/billing/src/billing.module.ts",
        "apps/billing/src/server.ts",
        "run by nest-cli.json:8: projects.billing sourceRoot/entryFile (nest start)",
    ]
    common = investigate(repo, "common")["rows"]["libs/common/src/index.ts"]
    assert common["verdict"] == "keep"
    assert common["chain"] == [
        "libs/common/src/index.ts",
        "apps/gateway/src/main.ts",
        "run by nest-cli.json:2: sourceRoot/entryFile (nest start)",
    ]


UNREADABLE_FILES: dict[str, str] = {
    "worker/package.json": '{"name": "worker", "main": "src/index.ts", "dependencies": {"typeorm": "^0.3.0"}}\n',
    "worker/src/index.ts": "import { source } from './db';\nsource.initialize();\n",
    "worker/src/db.ts": (
        "import { DataSource } from 'typeorm';\n"
        "\n"
        "export const source = new DataSource({\n"
        "  type: 'sqlite',\n"
        "  database: 'jobs.db',\n"
        "  entities: [`${__dirname}/${process.env.ENTITY_DIR}/*.ts`],\n"
        "  migrations: [process.env.MIGRATIONS_GLOB],\n"
        "  subscribers: ['src/subscribers/*.subscriber.ts'],\n"
        "});\n"
    ),
    "worker/src/models/job.ts": "export class Job {}\n",
    "worker/src/migrations/001-jobs.ts": "export class Jobs001 {}\n",
    "tools/unrelated.ts": "export const dead = 1;\n",
}


def test_typeorm_values_that_cannot_be_read_make_their_folder_uncertain(
    make_repo: RepoFactory,
) -> None:
    repo = make_repo(UNREADABLE_FILES)
    assert orphans(repo) == ["tools/unrelated.ts"]
    report = investigate(repo, "job")
    row = report["rows"]["worker/src/models/job.ts"]
    assert row["verdict"] == "review"
    assert row["reason"] == (
        "used only by tests, examples or scripts: "
        "worker/src/db.ts:6: typeorm entities glob (not evaluated) (framework), "
        "worker/src/db.ts:7: typeorm migrations glob (not evaluated) (framework)"
    )
    assert [(w["file"], w["line"], w["message"]) for w in report["warnings"]] == [
        (
            "worker/src/db.ts",
            6,
            "typeorm entities glob cannot be evaluated: everything under worker/src may be loaded",
        ),
        (
            "worker/src/db.ts",
            7,
            "typeorm migrations glob cannot be evaluated: everything under worker may be loaded",
        ),
        (
            "worker/src/db.ts",
            8,
            "typeorm subscribers glob 'src/subscribers/*.subscriber.ts' matches no tracked file",
        ),
    ]


ORMCONFIG_FILES: dict[str, str] = {
    "package.json": '{"name": "shop", "main": "src/server.js", "dependencies": {"typeorm": "^0.2.45"}}\n',
    "ormconfig.json": (
        '{\n  "type": "mysql",\n  "entities": ["src/entity/**/*.js"],\n'
        '  "migrations": ["src/migration/*.js"]\n}\n'
    ),
    ".env": "TYPEORM_SUBSCRIBERS=src/subscriber/*.js\n",
    "src/server.js": "const { createConnection } = require('typeorm');\ncreateConnection();\n",
    "src/entity/Product.js": "module.exports = class Product {};\n",
    "src/migration/1600000000000-Products.js": "module.exports = class Products {};\n",
    "src/subscriber/ProductSubscriber.js": "module.exports = class ProductSubscriber {};\n",
    "src/util/old-price-format.js": "module.exports = () => '';\n",
}


def test_ormconfig_json_and_env_make_the_files_they_match_roots(make_repo: RepoFactory) -> None:
    repo = make_repo(ORMCONFIG_FILES)
    assert orphans(repo) == ["src/util/old-price-format.js"]
    product = investigate(repo, "Product")["rows"]["src/entity/Product.js"]
    assert product["verdict"] == "keep"
    assert product["chain"] == [
        "src/entity/Product.js",
        "run by ormconfig.json:3: typeorm entities glob",
    ]
    subscriber = investigate(repo, "ProductSubscriber")["rows"][
        "src/subscriber/ProductSubscriber.js"
    ]
    assert subscriber["chain"] == [
        "src/subscriber/ProductSubscriber.js",
        "run by .env:1: TYPEORM_SUBSCRIBERS (typeorm subscribers glob)",
    ]


KNEX_FILES: dict[str, str] = {
    "package.json": '{"name": "ledger", "main": "server.js", "dependencies": {"knex": "^3.1.0", "pg": "^8.0.0"}}\n',
    "knexfile.js": (
        "const path = require('path');\n"
        "\n"
        "module.exports = {\n"
        "  client: 'pg',\n"
        "  connection: process.env.DATABASE_URL,\n"
        "  migrations: {\n"
        "    directory: path.join(__dirname, 'db', 'migrations'),\n"
        "  },\n"
        "};\n"
    ),
    "server.js": "const knex = require('knex')(require('./knexfile'));\nknex.migrate.latest();\n",
    "db/migrations/20240101_accounts.js": (
        "const { money } = require('../columns');\n"
        "exports.up = (knex) => knex.schema.createTable('accounts', (t) => money(t));\n"
        "exports.down = (knex) => knex.schema.dropTable('accounts');\n"
    ),
    "db/columns.js": "exports.money = (t) => t.decimal('amount');\n",
    "seeds/01_accounts.js": "exports.seed = (knex) => knex('accounts').insert({ amount: 0 });\n",
    "db/old-import.js": "module.exports = () => null;\n",
}


def test_knex_runs_the_migrations_folder_and_the_default_seeds_folder(
    make_repo: RepoFactory,
) -> None:
    repo = make_repo(KNEX_FILES)
    assert orphans(repo) == ["db/old-import.js"]
    columns = investigate(repo, "columns")["rows"]["db/columns.js"]
    assert columns["verdict"] == "keep"
    assert columns["chain"] == [
        "db/columns.js",
        "db/migrations/20240101_accounts.js",
        "knexfile.js",
        "run by knexfile.js: the Knex CLI reads its knexfile by name",
    ]
    seeds = investigate(repo, "seeds")["rows"]["seeds/01_accounts.js"]
    assert seeds["verdict"] == "keep"
    assert seeds["chain"] == [
        "seeds/01_accounts.js",
        "knexfile.js",
        "run by knexfile.js: the Knex CLI reads its knexfile by name",
    ]


SEQUELIZE_FILES: dict[str, str] = {
    "package.json": (
        '{"name": "crm", "main": "src/app.js",\n'
        ' "dependencies": {"sequelize": "^6.35.0", "sequelize-cli": "^6.6.0"}}\n'
    ),
    ".sequelizerc": (
        "const path = require('path');\n\nmodule.exports = {\n"
        "  config: path.resolve('src', 'db', 'config.js'),\n"
        "  'migrations-path': path.resolve('src', 'db', 'migrations'),\n"
        "  'models-path': path.resolve('src', 'models'),\n"
        "};\n"
    ),
    "src/app.js": "const db = require('./models');\ndb.sequelize.sync();\n",
    "src/db/config.js": "module.exports = { production: { dialect: 'postgres' } };\n",
    "src/db/migrations/20240101000000-create-contact.js": (
        "module.exports = { up: async () => {}, down: async () => {} };\n"
    ),
    "src/models/index.js": (
        "const fs = require('fs');\nconst path = require('path');\nconst db = {};\n"
        "fs.readdirSync(__dirname)\n"
        "  .filter((file) => file !== 'index.js')\n"
        "  .forEach((file) => { db[file] = require(path.join(__dirname, file)); });\n"
        "module.exports = db;\n"
    ),
    "src/models/contact.js": "module.exports = (sequelize) => sequelize.define('Contact', {});\n",
    "seeders/20240101000000-demo-contacts.js": "module.exports = { up: async () => {} };\n",
    "src/lib/old-mailer.js": "module.exports = () => null;\n",
}


def test_sequelize_cli_folders_and_the_models_index(make_repo: RepoFactory) -> None:
    repo = make_repo(SEQUELIZE_FILES)
    assert orphans(repo) == ["src/lib/old-mailer.js"]
    contact = investigate(repo, "contact")["rows"]["src/models/contact.js"]
    assert contact["verdict"] == "keep"
    assert contact["chain"] == [
        "src/models/contact.js",
        "src/models/index.js",
        "src/app.js",
        "run by package.json: main",
    ]
    migration = "src/db/migrations/20240101000000-create-contact.js"
    row = investigate(repo, "migrations")["rows"][migration]
    assert row["verdict"] == "keep"
    assert row["chain"] == [migration, "run by .sequelizerc:5: sequelize-cli migrations-path"]


PRISMA_FILES: dict[str, str] = {
    "package.json": (
        '{"name": "store", "main": "src/index.ts",\n'
        ' "prisma": {"seed": "ts-node prisma/seed.ts"},\n'
        ' "dependencies": {"@prisma/client": "^5.0.0"}, "devDependencies": {"prisma": "^5.0.0"}}\n'
    ),
    "prisma/schema.prisma": 'datasource db {\n  provider = "postgresql"\n  url = env("DATABASE_URL")\n}\n',
    "prisma/seed.ts": "import { demoUsers } from './fixtures/users';\nconsole.log(demoUsers);\n",
    "prisma/fixtures/users.ts": "export const demoUsers = [{ email: 'a@example.com' }];\n",
    "src/index.ts": "import { PrismaClient } from '@prisma/client';\nnew PrismaClient();\n",
    "src/old-cache.ts": "export const cache = new Map();\n",
}


def test_prisma_seed_named_in_package_json_is_a_non_production_root(
    make_repo: RepoFactory,
) -> None:
    repo = make_repo(PRISMA_FILES)
    assert orphans(repo) == ["src/old-cache.ts"]
    users = investigate(repo, "users")["rows"]["prisma/fixtures/users.ts"]
    assert users["verdict"] == "review"
    assert users["chain"] == [
        "prisma/fixtures/users.ts",
        "prisma/seed.ts",
        "run by package.json:2: prisma.seed",
    ]
