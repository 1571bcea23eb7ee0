// The VS Code side of healthlint: starts `healthlint server` and hands it the documents.
// Everything healthlint does (diagnostics, hover, quick fixes) happens in the server.

import * as os from "os";
import * as vscode from "vscode";
import { LanguageClient, LanguageClientOptions, ServerOptions } from "vscode-languageclient/node";
import { documentSelector, serverCommand } from "./serverCommand";

let client: LanguageClient | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  context.subscriptions.push(
    vscode.commands.registerCommand("healthlint.restart", () => restart()),
    vscode.workspace.onDidChangeConfiguration(async (event) => {
      if (
        ["healthlint.path", "healthlint.interpreter", "healthlint.args", "healthlint.documentTypes"]
          .some((name) => event.affectsConfiguration(name))
      ) {
        await restart();
      }
    }),
  );
  await start();
}

export async function deactivate(): Promise<void> {
  await stop();
}

async function start(): Promise<void> {
  const config = vscode.workspace.getConfiguration("healthlint");
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  const { command, args } = serverCommand(
    {
      path: config.get<string>("path"),
      interpreter: config.get<string>("interpreter"),
      args: config.get<unknown>("args"),
    },
    { workspaceFolder: folder, home: os.homedir() },
  );
  const { selector, unknown } = documentSelector(config.get<unknown>("documentTypes"));
  if (unknown.length > 0) {
    void vscode.window.showWarningMessage(
      `healthlint.documentTypes: unknown document types ignored: ${unknown.join(", ")}`,
    );
  }
  const serverOptions: ServerOptions = { command, args, options: { cwd: folder } };
  const clientOptions: LanguageClientOptions = {
    documentSelector: selector,
    outputChannelName: "healthlint",
  };
  client = new LanguageClient("healthlint", "healthlint", serverOptions, clientOptions);
  try {
    await client.start();
  } catch (error) {
    client = undefined;
    void vscode.window.showErrorMessage(
      `healthlint: could not start "${[command, ...args].join(" ")}": ${String(error)}. ` +
        "Install the server with pip install 'healthlint[server]', or set healthlint.path " +
        "or healthlint.interpreter.",
    );
  }
}

async function stop(): Promise<void> {
  const running = client;
  client = undefined;
  if (running !== undefined) {
    await running.stop();
  }
}

async function restart(): Promise<void> {
  await stop();
  await start();
}
