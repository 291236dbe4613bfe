/**
 * Where each code cell's source strings are in a notebook's JSON text. JSON.parse gives values,
 * not places, so the text is walked once more: one pass, each character once, following only the
 * path to the cells (`cells[i].source` in nbformat 4, `worksheets[w].cells[i].input` in nbformat 3)
 * and skipping everything else (outputs, metadata) as it goes. The text has already been parsed,
 * so it is valid JSON, nested within the reader's limit.
 */

/** For each cell, in document order (all cells, not only code), the offsets of the opening quotes of its source strings. */
export type SourcePlaces = (number[] | null)[];

type Role = 'root' | 'worksheets' | 'worksheet' | 'cells' | 'cell' | 'source' | 'other';

interface Frame {
  role: Role;
  array: boolean;
  /** In an object: the key whose value comes next (null while a key is expected). */
  key: string | null;
  /** For a cell: its index among all cells. */
  cell: number;
}

/** `codeKey`: `source` (nbformat 4) or `input` (nbformat 3); `v3`: cells are under `worksheets`. */
export function sourcePlaces(text: string, codeKey: 'source' | 'input', v3: boolean): SourcePlaces {
  const places: SourcePlaces = [];
  const stack: Frame[] = [];
  let cells = 0;
  const n = text.length;

  /** The role of a container opening as the value of the top frame's current key (or as an array element). */
  const roleOf = (parent: Frame | undefined): Role => {
    if (parent === undefined) return 'root';
    if (parent.role === 'root' && !parent.array) return parent.key === (v3 ? 'worksheets' : 'cells') ? (v3 ? 'worksheets' : 'cells') : 'other';
    if (parent.role === 'worksheets') return 'worksheet';
    if (parent.role === 'worksheet') return parent.key === 'cells' ? 'cells' : 'other';
    if (parent.role === 'cells') return 'cell';
    if (parent.role === 'cell') return parent.key === codeKey ? 'source' : 'other';
    return 'other';
  };

  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      const top = stack[stack.length - 1];
      const role = roleOf(top);
      let cell = top?.cell ?? -1;
      if (role === 'cell') {
        cell = cells++;
        places[cell] = null;
      } else if (role === 'source') places[cell] = []; // a repeated key: JSON.parse keeps the last
      stack.push({ role, array: c === 0x5b, key: null, cell });
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      stack.pop();
      const top = stack[stack.length - 1];
      if (top && !top.array) top.key = null;
    } else if (c === 0x22 /* " */) {
      const start = i;
      let escaped = false;
      for (i++; i < n; i++) {
        const d = text.charCodeAt(i);
        if (d === 0x5c /* \ */) {
          escaped = true;
          i++;
        } else if (d === 0x22) break;
      }
      const top = stack[stack.length - 1];
      if (top === undefined) continue;
      if (!top.array && top.key === null) {
        // A key: read as JSON reads it only when it has escapes (`"sour\u0063e"` is `source`).
        top.key = escaped ? (JSON.parse(text.slice(start, i + 1)) as string) : text.slice(start + 1, i);
      } else if (top.role === 'source') places[top.cell]!.push(start);
      else if (top.role === 'cell' && top.key === codeKey) places[top.cell] = [start];
    } else if (c === 0x2c /* , */) {
      const top = stack[stack.length - 1];
      if (top && !top.array) top.key = null;
    }
  }
  return places;
}
