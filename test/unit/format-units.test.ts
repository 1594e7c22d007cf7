// The one formatter of bytes and counts: binary units by magnitude, at most two decimals,
// digits grouped by three. Messages, hovers, inlay hints, the report and the webview use it.
import assert from "node:assert/strict";
import { test } from "node:test";
import { exactBytes } from "../../server/src/engine/format";
import { formatBytes, formatCount } from "../../server/src/engine/format-units";

const KiB = 1024;
const MiB = 1024 * KiB;
const GiB = 1024 * MiB;

test("formatBytes picks the unit by magnitude and trims trailing zeros", () => {
  assert.equal(formatBytes(0), "0 B");
  assert.equal(formatBytes(512 * KiB), "512 KiB");
  assert.equal(formatBytes(8.25 * GiB), "8.25 GiB");
  assert.equal(formatBytes(1024 * GiB), "1 TiB");
  assert.equal(formatBytes(137 * GiB), "137 GiB");
  assert.equal(formatBytes(1000), "1,000 B");
});

test("formatBytes never prints a four-digit fraction of the next unit ('8192.25 MiB')", () => {
  assert.equal(formatBytes(8 * GiB + 256 * KiB), "8 GiB");
  assert.equal(formatBytes(1024 * MiB - 1), "1 GiB");
  assert.equal(formatBytes(128.26 * MiB), "128.26 MiB");
});

test("formatCount groups digits by three", () => {
  assert.equal(formatCount(1204224), "1,204,224");
  assert.equal(formatCount(999), "999");
  assert.equal(formatCount(0), "0");
  assert.equal(formatCount(-65535), "-65,535");
});

test("a size quoted from the source stays exact", () => {
  assert.equal(exactBytes(2 * MiB), "2 MiB");
  assert.equal(exactBytes(GiB + MiB), "1,025 MiB");
  assert.equal(exactBytes(8.25 * GiB), "8.25 GiB");
});
