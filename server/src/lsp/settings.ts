// The user's settings (`vmtopo.*`). Three ways in, as clients differ: pulled with
// `workspace/configuration` when the client supports it (VS Code), pushed in
// `workspace/didChangeConfiguration` (Neovim, Emacs/eglot), or given once in
// `initializationOptions`. Every value is untrusted: a wrong type keeps the default.
import type { Connection } from "vscode-languageserver";

export interface SettingsValues {
  inlayHints: { enabled: boolean };
  /** used when a host sets no `qemu` / `kernel` */
  defaultQemuVersion: string;
  defaultKernelVersion: string;
}

export const DEFAULT_SETTINGS: SettingsValues = { inlayHints: { enabled: true }, defaultQemuVersion: "10.2", defaultKernelVersion: "6.18" };

const VERSION = /^\d+(\.\d+){0,3}$/;

/**
 * The settings in `raw`, which is either the `vmtopo` section itself or an object holding it
 * (`{ vmtopo: {...} }`, as `didChangeConfiguration` pushes); anything malformed is ignored.
 */
export function settingsFrom(raw: unknown, base: SettingsValues = DEFAULT_SETTINGS): SettingsValues {
  const section = isObject(raw) && isObject(raw.vmtopo) ? raw.vmtopo : raw;
  if (!isObject(section)) return base;
  const inlayHints = isObject(section.inlayHints) ? section.inlayHints : {};
  const version = (value: unknown, fallback: string) => (typeof value === "string" && VERSION.test(value) ? value : fallback);
  return {
    inlayHints: { enabled: typeof inlayHints.enabled === "boolean" ? inlayHints.enabled : base.inlayHints.enabled },
    defaultQemuVersion: version(section.defaultQemuVersion, base.defaultQemuVersion),
    defaultKernelVersion: version(section.defaultKernelVersion, base.defaultKernelVersion),
  };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export class Settings {
  private values: SettingsValues = DEFAULT_SETTINGS;
  /** what `initializationOptions` said: the base that pulled or pushed settings refine */
  private initial: SettingsValues = DEFAULT_SETTINGS;
  private readonly listeners: (() => void)[] = [];
  /** the client answers `workspace/configuration` */
  supported = false;

  get current(): SettingsValues {
    return this.values;
  }

  onChange(listener: () => void): void {
    this.listeners.push(listener);
  }

  /** `initializationOptions.settings` (or `initializationOptions.vmtopo`), before anything else. */
  initialize(options: unknown): void {
    const raw = isObject(options) ? (options.settings ?? options.vmtopo) : undefined;
    this.initial = this.values = settingsFrom(raw);
  }

  /** Settings pushed by `workspace/didChangeConfiguration`, for clients that cannot be asked. */
  push(raw: unknown): void {
    if (!isObject(raw) || !isObject(raw.vmtopo)) return;
    this.update(settingsFrom(raw, this.initial));
  }

  async refresh(connection: Connection): Promise<void> {
    if (!this.supported) return;
    this.update(settingsFrom(await connection.workspace.getConfiguration("vmtopo"), this.initial));
  }

  private update(values: SettingsValues): void {
    this.values = values;
    this.listeners.forEach((listener) => listener());
  }
}
