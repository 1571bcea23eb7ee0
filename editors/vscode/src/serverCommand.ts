// Settings to the command that starts `healthlint server`, and to the documents it checks.
// Pure functions: no VS Code API here, so node's test runner checks them without an editor.

export interface Settings {
  /** Path to the healthlint executable; wins over `interpreter`. */
  path?: string;
  /** A Python interpreter with healthlint[server] installed. */
  interpreter?: string;
  /** Extra arguments for `healthlint server`. */
  args?: unknown;
}

export interface Command {
  command: string;
  args: string[];
}

export interface Variables {
  /** The first workspace folder, for `${workspaceFolder}`. */
  workspaceFolder?: string;
  /** The user's home directory, for a leading `~`. */
  home?: string;
}

export const DOCUMENT_TYPES = ["markdown", "mdx", "html", "plaintext"] as const;
export type DocumentType = (typeof DOCUMENT_TYPES)[number];

export interface DocumentFilter {
  scheme: string;
  language?: string;
  pattern?: string;
}

/** `${workspaceFolder}`, `${userHome}` and a leading `~` expanded, as VS Code users expect. */
export function expand(value: string, variables: Variables): string {
  let result = value.trim();
  if (variables.home !== undefined) {
    result = result.replace(/\$\{userHome\}/g, variables.home);
    if (result === "~" || result.startsWith("~/") || result.startsWith("~\\")) {
      result = variables.home + result.slice(1);
    }
  }
  if (variables.workspaceFolder !== undefined) {
    result = result.replace(/\$\{workspaceFolder\}/g, variables.workspaceFolder);
  }
  return result;
}

/** What to run: `<path> server`, else `<interpreter> -m healthlint server`, else
 * `healthlint server` from PATH; the configured arguments follow. */
export function serverCommand(settings: Settings, variables: Variables = {}): Command {
  const extra = Array.isArray(settings.args)
    ? settings.args.filter((a): a is string => typeof a === "string" && a.length > 0)
        .map((a) => expand(a, variables))
    : [];
  const path = expand(settings.path ?? "", variables);
  if (path) {
    return { command: path, args: ["server", ...extra] };
  }
  const interpreter = expand(settings.interpreter ?? "", variables);
  if (interpreter) {
    return { command: interpreter, args: ["-m", "healthlint", "server", ...extra] };
  }
  return { command: "healthlint", args: ["server", ...extra] };
}

/** The documents to check, for the language client's document selector. Saved files and
 * unsaved buffers both count; `.mdx` files are matched by name too, since VS Code knows no
 * MDX language without an extension. Unknown types are returned separately to report. */
export function documentSelector(enabled: unknown): {
  selector: DocumentFilter[];
  unknown: string[];
} {
  const wanted = Array.isArray(enabled) ? enabled : [...DOCUMENT_TYPES];
  const selector: DocumentFilter[] = [];
  const unknown: string[] = [];
  for (const type of new Set(wanted)) {
    if (!(DOCUMENT_TYPES as readonly unknown[]).includes(type)) {
      unknown.push(String(type));
      continue;
    }
    for (const scheme of ["file", "untitled"]) {
      selector.push({ scheme, language: type as string });
    }
    if (type === "mdx") {
      selector.push({ scheme: "file", pattern: "**/*.mdx" });
    }
  }
  return { selector, unknown };
}
