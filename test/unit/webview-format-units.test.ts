// The one formatter of bytes and counts (server/src/engine/format-units.ts), which the webview
// and the CLI report share.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { formatBytes, formatCount } from "../../server/src/engine/format-units";

const KiB = 1024;
const MiB = 1024 * KiB;
const GiB = 1024 * MiB;
const TiB = 1024 * GiB;

describe("formatBytes: the binary unit chosen by magnitude, at most two decimals", () => {
  test("whole units print without decimals", () => {
    assert.equal(formatBytes(0), "0 B");
    assert.equal(formatBytes(1), "1 B");
    assert.equal(formatBytes(100), "100 B");
    assert.equal(formatBytes(1000), "1,000 B");
    assert.equal(formatBytes(512 * KiB), "512 KiB");
    assert.equal(formatBytes(TiB), "1 TiB");
    assert.equal(formatBytes(137 * GiB), "137 GiB");
    assert.equal(formatBytes(100 * MiB), "100 MiB");
  });
  test("fractions keep at most two decimals, trailing zeros trimmed", () => {
    assert.equal(formatBytes(8.25 * GiB), "8.25 GiB");
    assert.equal(formatBytes(1.5 * GiB), "1.5 GiB");
    assert.equal(formatBytes(8192.25 * MiB), "8 GiB");
    assert.equal(formatBytes(32_834 * 4 * KiB), "128.26 MiB");
  });
  test("a value that rounds up to 1024 of a unit takes the next unit", () => {
    assert.equal(formatBytes(GiB - 1), "1 GiB");
  });
  test("negative sizes keep their sign", () => {
    assert.equal(formatBytes(-2 * MiB), "-2 MiB");
  });
});

describe("formatCount: digits in groups of three", () => {
  test("counts", () => {
    assert.equal(formatCount(0), "0");
    assert.equal(formatCount(999), "999");
    assert.equal(formatCount(1000), "1,000");
    assert.equal(formatCount(1_204_224), "1,204,224");
    assert.equal(formatCount(4_227_001), "4,227,001");
    assert.equal(formatCount(-65_535), "-65,535");
  });
});
