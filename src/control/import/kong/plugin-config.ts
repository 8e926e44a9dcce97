/**
 * Typed reads of one Kong plugin's `config`, each at its place in the file, and the report of a field
 * whose value Keyway cannot carry (only when it differs from Kong's default: decK writes every field).
 */
import type { ImportContext, KongPlugin } from './context.js';
import type { Path } from './input.js';

export class PluginConfig {
  constructor(
    readonly cx: ImportContext,
    readonly plugin: KongPlugin,
  ) {}

  at(field: string, ...more: (string | number)[]): Path {
    return [...this.plugin.path, 'config', field, ...more];
  }

  raw(field: string): unknown {
    return this.plugin.config[field];
  }

  string(field: string): string | undefined {
    return this.cx.reader.string(this.at(field), this.raw(field));
  }

  number(field: string): number | undefined {
    return this.cx.reader.number(this.at(field), this.raw(field));
  }

  boolean(field: string): boolean | undefined {
    return this.cx.reader.boolean(this.at(field), this.raw(field));
  }

  strings(field: string): string[] {
    return this.cx.reader.strings(this.at(field), this.raw(field));
  }

  /** Reports `field` as not carried over when it holds anything but Kong's default (or nothing). */
  unsupported(field: string, kongDefault: unknown, reason: string): void {
    const v = this.raw(field);
    if (v === undefined || v === null || JSON.stringify(v) === JSON.stringify(kongDefault)) return;
    if (Array.isArray(v) && v.length === 0 && kongDefault === null) return;
    this.cx.report.dropped(this.at(field), this.plugin.name, reason);
  }

  dropped(reason: string): void {
    this.cx.report.dropped(this.plugin.path, this.plugin.name, reason);
  }

  changed(field: string | undefined, reason: string): void {
    this.cx.report.changed(field === undefined ? this.plugin.path : this.at(field), this.plugin.name, reason);
  }
}
