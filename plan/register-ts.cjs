// Loads the project's TypeScript for the offline plan without type-checking it:
// esbuild strips types per file in milliseconds, which keeps the plan inside its
// time budget. Type-checking is `npm run typecheck` (part of `npm test`).
const fs = require("fs");
const { transformSync } = require("esbuild");

require.extensions[".ts"] = (module, filename) => {
  const { code } = transformSync(fs.readFileSync(filename, "utf8"), {
    loader: "ts",
    format: "cjs",
    target: "node20",
    sourcefile: filename,
    sourcemap: "inline",
  });
  module._compile(code, filename);
};
