// Settings-to-arguments logic, run by node's test runner on the compiled JavaScript.

import * as assert from "node:assert/strict";
import { test } from "node:test";
import { documentSelector, expand, serverCommand } from "../serverCommand";

test("with no settings the server comes from PATH", () => {
  assert.deepEqual(serverCommand({}), { command: "healthlint", args: ["server"] });
});

test("an interpreter runs the module", () => {
  assert.deepEqual(serverCommand({ interpreter: "/opt/venv/bin/python" }), {
    command: "/opt/venv/bin/python",
    args: ["-m", "healthlint", "server"],
  });
});

test("a path wins over an interpreter, and extra arguments follow", () => {
  assert.deepEqual(
    serverCommand({
      path: "/usr/local/bin/healthlint",
      interpreter: "/opt/venv/bin/python",
      args: ["--debounce-ms", "50"],
    }),
    { command: "/usr/local/bin/healthlint", args: ["server", "--debounce-ms", "50"] },
  );
});

test("blank settings count as unset", () => {
  assert.deepEqual(serverCommand({ path: "  ", interpreter: "" }), {
    command: "healthlint",
    args: ["server"],
  });
});

test("arguments that are not strings are dropped", () => {
  assert.deepEqual(serverCommand({ args: ["--debounce-ms", 50, "", null, "80"] }), {
    command: "healthlint",
    args: ["server", "--debounce-ms", "80"],
  });
  assert.deepEqual(serverCommand({ args: "--debounce-ms 50" }).args, ["server"]);
});

test("variables expand in paths and arguments", () => {
  const variables = { workspaceFolder: "/work/site", home: "/home/ana" };
  assert.deepEqual(
    serverCommand({ interpreter: "${workspaceFolder}/.venv/bin/python" }, variables).command,
    "/work/site/.venv/bin/python",
  );
  assert.equal(expand("~/bin/healthlint", variables), "/home/ana/bin/healthlint");
  assert.equal(expand("${userHome}/bin/healthlint", variables), "/home/ana/bin/healthlint");
  assert.equal(expand("a~b", variables), "a~b");
  assert.equal(expand("${workspaceFolder}/x", {}), "${workspaceFolder}/x");
});

test("every document type by default, files and unsaved buffers", () => {
  const { selector, unknown } = documentSelector(undefined);
  assert.deepEqual(unknown, []);
  const languages = new Set(selector.map((f) => f.language).filter(Boolean));
  assert.deepEqual([...languages].sort(), ["html", "markdown", "mdx", "plaintext"]);
  assert.ok(selector.some((f) => f.scheme === "untitled" && f.language === "markdown"));
  assert.ok(selector.some((f) => f.pattern === "**/*.mdx"));
});

test("only the enabled types, unknown ones reported", () => {
  const { selector, unknown } = documentSelector(["markdown", "latex", "markdown"]);
  assert.deepEqual(selector, [
    { scheme: "file", language: "markdown" },
    { scheme: "untitled", language: "markdown" },
  ]);
  assert.deepEqual(unknown, ["latex"]);
});

test("an empty list checks nothing", () => {
  assert.deepEqual(documentSelector([]).selector, []);
});
