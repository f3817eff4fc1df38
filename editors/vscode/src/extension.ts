// The privacy-lsp VS Code extension: starts the server for Markdown and plain text, passes
// the `privacyLsp.*` settings, and shows the server's state in the status bar.

import * as fs from "node:fs";
import * as os from "node:os";
import * as vscode from "vscode";
import {
  LanguageClient,
  LanguageClientOptions,
  ServerOptions,
  State,
  TransportKind,
} from "vscode-languageclient/node";
import { resolveServer } from "./binary";
import { SECTION, configurationAnswer, describeLens, needsRestart, toServerSettings } from "./settings";

let client: LanguageClient | undefined;
let output: vscode.LogOutputChannel;
let status: vscode.StatusBarItem;
let serverState = "stopped";
/** The last code lens title per document, which tells whether it is a policy and its language. */
const lensTitles = new Map<string, string>();

function isExecutable(file: string): boolean {
  try {
    const st = fs.statSync(file);
    if (!st.isFile()) return false;
    if (process.platform === "win32") return true;
    fs.accessSync(file, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function config(): vscode.WorkspaceConfiguration {
  return vscode.workspace.getConfiguration(SECTION);
}

function updateStatus(): void {
  const editor = vscode.window.activeTextEditor;
  const doc = editor?.document;
  const relevant = doc && (doc.languageId === "markdown" || doc.languageId === "plaintext");
  const lens = doc ? describeLens(lensTitles.get(doc.uri.toString())) : {};
  const icon = serverState === "running" ? "$(shield)" : serverState === "starting" ? "$(sync~spin)" : "$(error)";
  let text = `${icon} privacy-lsp`;
  if (serverState !== "running") text += `: ${serverState}`;
  else if (lens.coverage) text += ` ${lens.language} · Art. 13 ${lens.coverage}`;
  status.text = text;
  const lines = [`privacy-lsp: ${serverState}`];
  if (lens.language) lines.push(`This document reads as a policy in ${lens.language === "en" ? "English" : "Norwegian (nb/nn)"}; Art. 13 items given: ${lens.coverage}.`);
  else if (relevant && serverState === "running") lines.push("This document is not read as a privacy policy (or its code lens is off).");
  lines.push("Click to show the output.");
  status.tooltip = lines.join("\n");
  status.backgroundColor = serverState === "stopped" ? new vscode.ThemeColor("statusBarItem.errorBackground") : undefined;
  if (relevant || serverState !== "running") status.show();
  else status.hide();
}

async function start(context: vscode.ExtensionContext): Promise<void> {
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  const resolution = resolveServer({
    configured: config().get<string>("server.path"),
    extensionPath: context.extensionPath,
    platform: process.platform,
    arch: process.arch,
    envPath: process.env.PATH,
    home: os.homedir(),
    workspaceFolder: folder,
    isExecutable,
  });
  if (!resolution.ok) {
    serverState = "stopped";
    updateStatus();
    output.appendLine(resolution.message);
    output.appendLine(`Tried: ${resolution.tried.join(", ")}`);
    const choice = await vscode.window.showErrorMessage(resolution.message, "Open Settings", "Show Output");
    if (choice === "Open Settings") void vscode.commands.executeCommand("workbench.action.openSettings", "privacyLsp.server.path");
    if (choice === "Show Output") output.show();
    return;
  }
  output.appendLine(`Starting ${resolution.path} (from ${resolution.source})`);
  const run = { command: resolution.path, args: [] as string[], transport: TransportKind.stdio };
  const serverOptions: ServerOptions = { run, debug: run };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { scheme: "file", language: "markdown" },
      { scheme: "file", language: "plaintext" },
      { scheme: "untitled", language: "markdown" },
      { scheme: "untitled", language: "plaintext" },
    ],
    initializationOptions: { [SECTION]: toServerSettings((k) => config().get(k)) },
    synchronize: { configurationSection: SECTION },
    outputChannel: output,
    middleware: {
      workspace: {
        // Only the keys the server knows: it rejects unknown ones (server.path, trace).
        configuration: async (params, token, next) => {
          const fallback = await next(params, token);
          if (!Array.isArray(fallback)) return fallback;
          return params.items.map((item, i) => {
            const scope = item.scopeUri ? vscode.Uri.parse(item.scopeUri) : undefined;
            const get = (k: string) => vscode.workspace.getConfiguration(SECTION, scope).get(k);
            return configurationAnswer(item.section, get, fallback[i]);
          });
        },
      },
      provideCodeLenses: async (document, token, next) => {
        const lenses = await next(document, token);
        const title = lenses?.find((l) => l.command?.title?.startsWith("Art."))?.command?.title;
        if (title) lensTitles.set(document.uri.toString(), title);
        else lensTitles.delete(document.uri.toString());
        if (document === vscode.window.activeTextEditor?.document) updateStatus();
        return lenses;
      },
    },
  };
  client = new LanguageClient(SECTION, "privacy-lsp", serverOptions, clientOptions);
  client.onDidChangeState((e) => {
    serverState = e.newState === State.Running ? "running" : e.newState === State.Starting ? "starting" : "stopped";
    updateStatus();
  });
  serverState = "starting";
  updateStatus();
  try {
    await client.start();
  } catch (e) {
    serverState = "stopped";
    updateStatus();
    output.appendLine(`privacy-lsp failed to start: ${e}`);
    void vscode.window.showErrorMessage(`privacy-lsp failed to start: ${e}`, "Show Output").then((c) => c && output.show());
  }
}

async function stop(): Promise<void> {
  const c = client;
  client = undefined;
  if (c) {
    try {
      await c.stop(2000);
    } catch (e) {
      output.appendLine(`stopping the server: ${e}`);
    }
  }
  lensTitles.clear();
  serverState = "stopped";
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  output = vscode.window.createOutputChannel("privacy-lsp", { log: true });
  status = vscode.window.createStatusBarItem("privacyLsp.status", vscode.StatusBarAlignment.Right, 100);
  status.name = "privacy-lsp";
  status.command = "privacyLsp.showOutput";
  context.subscriptions.push(
    output,
    status,
    vscode.commands.registerCommand("privacyLsp.restart", async () => {
      output.appendLine("Restarting privacy-lsp");
      await stop();
      await start(context);
    }),
    vscode.commands.registerCommand("privacyLsp.showOutput", () => output.show(true)),
    vscode.window.onDidChangeActiveTextEditor(() => updateStatus()),
    vscode.workspace.onDidChangeConfiguration(async (e) => {
      if (needsRestart((s) => e.affectsConfiguration(s))) {
        await stop();
        await start(context);
      }
    }),
  );
  await start(context);
}

export async function deactivate(): Promise<void> {
  await stop();
}
