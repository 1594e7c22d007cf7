// The user's settings (`vmtopo.*`), pulled from the client when it supports configuration.
import type { Connection } from "vscode-languageserver";

export interface SettingsValues {
  inlayHints: { enabled: boolean };
  /** used when a host sets no `qemu` / `kernel` */
  defaultQemuVersion: string;
  defaultKernelVersion: string;
}

export const DEFAULT_SETTINGS: SettingsValues = { inlayHints: { enabled: true }, defaultQemuVersion: "10.2", defaultKernelVersion: "6.18" };

export class Settings {
  private values: SettingsValues = DEFAULT_SETTINGS;
  private readonly listeners: (() => void)[] = [];
  supported = false;

  get current(): SettingsValues {
    return this.values;
  }

  onChange(listener: () => void): void {
    this.listeners.push(listener);
  }

  async refresh(connection: Connection): Promise<void> {
    if (!this.supported) return;
    const raw = (await connection.workspace.getConfiguration("vmtopo")) as Partial<{ inlayHints: { enabled?: boolean }; defaultQemuVersion: string; defaultKernelVersion: string }> | null;
    this.values = {
      inlayHints: { enabled: raw?.inlayHints?.enabled ?? DEFAULT_SETTINGS.inlayHints.enabled },
      defaultQemuVersion: raw?.defaultQemuVersion || DEFAULT_SETTINGS.defaultQemuVersion,
      defaultKernelVersion: raw?.defaultKernelVersion || DEFAULT_SETTINGS.defaultKernelVersion,
    };
    this.listeners.forEach((listener) => listener());
  }
}
