// Parse Mermaid diagrams with Mermaid's own parser, the one GitHub and GitLab draw them with.
// Usage: node mermaid_parse.mjs TOOLS_DIR FILE...   (TOOLS_DIR: where .ci/node-tools.sh put
// `mermaid` and `jsdom`; each FILE holds one diagram). Prints `FILE: ok` or `FILE: <error>`;
// exits 1 when any diagram does not parse, 2 when the packages cannot be loaded.
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const [tools, ...files] = process.argv.slice(2);
let mermaid;
try {
  const require = createRequire(join(tools, "package.json"));
  const { JSDOM } = require("jsdom");
  // mermaid's parse() sanitises labels with DOMPurify, which needs a window at import time.
  const { window } = new JSDOM("");
  globalThis.window = window;
  globalThis.document = window.document;
  mermaid = (await import(pathToFileURL(require.resolve("mermaid")).href)).default;
} catch (error) {
  console.error(`cannot load mermaid and jsdom from ${tools}: ${error.message}`);
  process.exit(2);
}

let failed = 0;
for (const file of files) {
  try {
    await mermaid.parse(readFileSync(file, "utf8"));
    console.log(`${file}: ok`);
  } catch (error) {
    failed += 1;
    console.log(`${file}: ${String(error.message ?? error)}`);
  }
}
process.exit(failed ? 1 : 0);
