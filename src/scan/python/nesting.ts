/**
 * The innermost node of some types around a place in a file (the function around a name, the
 * statement around a finding), found by position in a list built once per file rather than by
 * walking up: tree-sitter's `parent` descends from the root each time, so climbing a deeply nested
 * expression that way is quadratic. Here it is one walk per file and a binary search per question.
 */
import type { Node } from 'web-tree-sitter';
import { partitionPoint } from '../../sorted.js';

export interface Nested<P> {
  node: Node;
  start: P;
  end: P;
  /** The index of the innermost listed node around this one; -1 for none. */
  outer: number;
}

export class NestedNodes<P> {
  private readonly list: Nested<P>[] = [];

  /**
   * `types`' nodes under `root`, in source order; `atOrBefore` orders two places (`a` at or before
   * `b`). A node is inside the last one still open when it starts before that one ends.
   */
  constructor(root: Node, types: string[], place: { start: (node: Node) => P; end: (node: Node) => P; atOrBefore: (a: P, b: P) => boolean }) {
    const open: number[] = [];
    for (const node of root.descendantsOfType(types)) {
      if (!node) continue;
      const start = place.start(node);
      while (open.length && place.atOrBefore(this.list[open[open.length - 1]!]!.end, start)) open.pop();
      this.list.push({ node, start, end: place.end(node), outer: open.length ? open[open.length - 1]! : -1 });
      open.push(this.list.length - 1);
    }
  }

  /**
   * From the last listed node that `startsBefore` the place asked about, outwards through the nodes
   * around it: the first that `contains` it, or null. `startsBefore` must hold for a prefix of the
   * list (it is binary-searched).
   */
  innermost(startsBefore: (n: Nested<P>) => boolean, contains: (n: Nested<P>) => boolean): Nested<P> | null {
    const list = this.list;
    // The last that starts before, then outwards.
    for (let i = partitionPoint(0, list.length, (k) => startsBefore(list[k]!)) - 1; i >= 0; i = list[i]!.outer) if (contains(list[i]!)) return list[i]!;
    return null;
  }
}
