/** Escape text for HTML/SVG element content and attribute values (both quotes, control characters dropped). */
export function esc(value: unknown): string {
  return String(value)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;')
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '');
}

/** A number for SVG coordinates: finite, 1 decimal. */
export const num = (n: number): string => (Number.isFinite(n) ? String(Math.round(n * 10) / 10) : '0');
