import { strict as assert } from "node:assert";
import { LAYER_STATE_SWATCHES, TONES, depthTone, legend } from "../../../../lab/report/html/palette";

/** WCAG 2 relative luminance and contrast ratio. */
function luminance(hex: string): number {
  const channel = (i: number): number => {
    const c = parseInt(hex.slice(1 + 2 * i, 3 + 2 * i), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * channel(0) + 0.7152 * channel(1) + 0.0722 * channel(2);
}
const contrast = (x: string, y: string): number => {
  const [hi, lo] = [luminance(x), luminance(y)].sort((p, q) => q - p);
  return (hi + 0.05) / (lo + 0.05);
};

describe("HTML report palette", () => {
  it("has a legend line, in words, for every tone", () => {
    assert.deepEqual(legend().map((e) => e.tone).sort(), Object.keys(TONES).sort());
    for (const entry of legend()) assert.ok(entry.label.length > 5, entry.tone);
  });

  it("writes cell text in black or white with at least WCAG AA contrast (4.5:1) on every colour", () => {
    for (const [name, swatch] of [...Object.entries(TONES), ...Object.entries(LAYER_STATE_SWATCHES)]) {
      assert.ok(contrast(swatch.colour, swatch.textColour) >= 4.5, `${name}: ${contrast(swatch.colour, swatch.textColour).toFixed(2)}`);
    }
  });

  it("orders the depth scale by lightness, so it reads without hue (greyscale, colour-vision deficiencies)", () => {
    const scale = [1, 2, 3, 4, 5].map((d) => luminance(TONES[depthTone(d)].colour));
    for (let i = 1; i < scale.length; i++) assert.ok(scale[i] < scale[i - 1], `depth ${i + 1} is not darker than depth ${i}`);
    assert.equal(depthTone(0), "depth-0");
    assert.equal(depthTone(9), "depth-5");
  });
});
