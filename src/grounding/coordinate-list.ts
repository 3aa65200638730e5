/**
 * The inside of a LEGO box or span: comma-separated plain decimal fractions ("0.112, 0.430"), optionally
 * several groups separated by `;` (Shikra writes `[x1,y1,x2,y2;x1,y1,x2,y2]`).
 */

/** A plain decimal number: no exponent, no hex, no thousands separators. */
const NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$/;

export interface CoordinateGroup {
  /** the numbers, when every one of them is a valid fraction in [0, 1] */
  values: number[] | null;
  /** why `values` is null */
  problem?: string;
  /** the group's text and its offset inside the bracket's content */
  raw: string;
  offset: number;
}

/** Parses one number; `null` when it is not a plain decimal in [0, 1]. */
export function parseFraction(text: string): number | null {
  const t = text.trim();
  if (!NUMBER.test(t)) return null;
  const v = Number(t);
  if (!Number.isFinite(v) || v < 0 || v > 1) return null;
  return v;
}

/**
 * Splits bracket content into `;`-separated groups of `arity` fractions. Never throws: a group that is
 * not `arity` valid fractions comes back with `values: null` and the reason.
 */
export function parseCoordinateGroups(content: string, arity: number): CoordinateGroup[] {
  const groups: CoordinateGroup[] = [];
  let start = 0;
  for (const piece of content.split(';')) {
    const offset = start + (piece.length - piece.trimStart().length);
    start += piece.length + 1;
    const raw = piece.trim();
    if (raw === '') continue;
    const parts = raw.split(',');
    if (parts.length !== arity) {
      groups.push({ values: null, problem: `expected ${arity} numbers, found ${parts.length}`, raw, offset });
      continue;
    }
    const values: number[] = [];
    let problem: string | undefined;
    for (const p of parts) {
      const v = parseFraction(p);
      if (v === null) {
        problem = `"${p.trim()}" is not a number between 0 and 1`;
        break;
      }
      values.push(v);
    }
    groups.push(problem === undefined ? { values, raw, offset } : { values: null, problem, raw, offset });
  }
  return groups;
}

/**
 * Whether bracket content is an attempt at coordinates (so a failure deserves a warning) rather than
 * ordinary prose in brackets ("[see above]") or JSON.
 */
export function looksLikeCoordinates(content: string): boolean {
  return /\d/.test(content) && content.includes(',') && !/["':[\]{}<>]/.test(content);
}
