// One colour-contrast rule for the game and the studio: the ink (dark or white) that reads
// best on a theme colour, by WCAG relative luminance. White is kept only when it reaches the
// 4.5:1 contrast of normal text; otherwise the dark ink (which then always contrasts more).

export const DARK_INK = "#14181f";
export const LIGHT_INK = "#ffffff";

export function luminance(hex) {
  const m = /^#?([0-9a-f]{6})$/i.exec(hex || "");
  if (!m) return null;
  const n = parseInt(m[1], 16);
  const channel = (v) => {
    const c = v / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * channel(n >> 16) + 0.7152 * channel((n >> 8) & 255) + 0.0722 * channel(n & 255);
}

export function inkFor(hex) {
  const lum = luminance(hex);
  if (lum === null) return LIGHT_INK;
  return 1.05 / (lum + 0.05) >= 4.5 ? LIGHT_INK : DARK_INK;
}
