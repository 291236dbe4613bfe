/**
 * A parsed YAML document read as docker compose and Kubernetes read it: aliases (`*name`) stand for
 * the node their anchor (`&name`) marks, and YAML 1.1 merge keys (`<<: *common`, `<<: [*a, *b]`)
 * add the keys of the merged maps that the map does not give itself. Both are what Go's YAML
 * libraries do (compose-go, sigs.k8s.io/yaml), so a service that gets `privileged: true` from
 * `<<: *common` runs privileged.
 *
 * The reading stays on the syntax tree, not on `doc.toJS()`, because findings point at lines; and
 * it is written here rather than with `Alias.resolve(doc)`, which walks the whole document on every
 * call (quadratic in a file of many aliases): one walk indexes the anchors, and each lookup of a
 * key in a map is remembered, so a merge chain, a diamond of merges or an alias used ten thousand
 * times costs once. Nothing is ever expanded: a billion-laughs document is read in time linear in
 * its text, and the readers that walk lists (workloads.ts) read each node once.
 */
import type { Document, Node as YamlNode, YAMLMap, YAMLSeq } from 'yaml';
import { yaml } from '../../yaml.js';

export class ResolvedDocument {
  private readonly targets = new Map<YamlNode, YamlNode>();
  private readonly keyIndexes = new Map<YAMLMap, KeyIndex>();
  private readonly lookups = new Map<YAMLMap, Map<string, YamlNode | null>>();
  private readonly pending = new Set<YAMLMap>();
  private unresolved: string | null = null;
  private badMerge: string | null = null;

  constructor(
    doc: Document.Parsed,
    private readonly lineOf: (offset: number) => { line: number; col: number },
  ) {
    // Document order, without recursion (a deeply nested file must not overflow the stack here):
    // an alias names the last anchor of that name before it, as the YAML spec says.
    const anchors = new Map<string, YamlNode>();
    const stack: unknown[] = [doc.contents];
    while (stack.length > 0) {
      const node = stack.pop();
      if (yaml().isPair(node)) {
        stack.push(node.value, node.key);
        continue;
      }
      if (!yaml().isNode(node)) continue;
      if (yaml().isAlias(node)) {
        const target = anchors.get(node.source);
        if (!target) {
          this.unresolved ??= `Unresolved alias *${node.source} (no anchor &${node.source} before it)${this.at(node)}`;
          continue;
        }
        this.targets.set(node, target);
        continue;
      }
      if (node.anchor) anchors.set(node.anchor, node);
      if (yaml().isCollection(node)) for (let i = node.items.length - 1; i >= 0; i--) stack.push(node.items[i]);
    }
  }

  /**
   * Why compose and kubectl would refuse the document, null when nothing does: an alias with no
   * anchor before it (known once read), a merge key given something other than maps (known once a
   * lookup went through it: ask after reading).
   */
  get error(): string | null {
    return this.unresolved ?? this.badMerge;
  }

  /** The node an alias stands for; any other node as it is. */
  deref(node: unknown): unknown {
    return yaml().isAlias(node) ? this.targets.get(node) : node;
  }

  /** A map's value for a key, after aliases and merge keys: the map's own key first, then the merged maps in their order. */
  get(map: YAMLMap, key: string, depth = 0): YamlNode | null {
    let known = this.lookups.get(map);
    if (!known) this.lookups.set(map, (known = new Map()));
    const remembered = known.get(key);
    if (remembered !== undefined) return remembered;
    // A map that merges itself (`&a { <<: *a }`) adds nothing it does not already have.
    if (this.pending.has(map) || !this.withinMergeDepth(depth, map)) return null;
    this.pending.add(map);
    const found = this.lookUp(map, key, depth);
    this.pending.delete(map);
    known.set(key, found);
    return found;
  }

  /**
   * A map's entries after merge keys: its own (a `<<` is none), then those its merged maps add, in
   * order, each key once with the value a lookup gives. Each map is read once however many merges
   * name it, so this is linear in the document.
   */
  entries(map: YAMLMap): { key: unknown; value: unknown }[] {
    const entries: { key: unknown; value: unknown }[] = [];
    const seenKeys = new Set<unknown>();
    const seenMaps = new Set<YAMLMap>();
    const add = (m: YAMLMap, depth: number) => {
      if (seenMaps.has(m) || !this.withinMergeDepth(depth, m)) return;
      seenMaps.add(m);
      for (const pair of m.items) {
        const key = yaml().isScalar(pair.key) ? pair.key.value : pair.key;
        if (isMergeKey(pair.key) || seenKeys.has(key)) continue;
        seenKeys.add(key);
        entries.push({ key: pair.key, value: this.deref(pair.value) });
      }
      for (const merged of this.mergedMaps(m)) add(merged, depth + 1);
    };
    add(map, 0);
    return entries;
  }

  /** The items of a sequence, each alias read as its node. */
  items(seq: YAMLSeq): unknown[] {
    return seq.items.map((item) => this.deref(item));
  }

  private lookUp(map: YAMLMap, key: string, depth: number): YamlNode | null {
    const index = this.keyIndex(map);
    if (index.own.has(key)) return (this.deref(index.own.get(key)) as YamlNode | undefined) ?? null;
    for (const merged of this.mergedMaps(map)) {
      const found = this.get(merged, key, depth + 1);
      if (found !== null) return found;
    }
    return null;
  }

  /** The maps a map's `<<` keys name, in order; anything else there is an error compose and kubectl refuse. */
  private mergedMaps(map: YAMLMap): YAMLMap[] {
    const maps: YAMLMap[] = [];
    for (const source of this.keyIndex(map).merges) {
      const value = this.deref(source);
      for (const m of yaml().isSeq(value) ? this.items(value) : [value]) {
        if (yaml().isMap(m)) maps.push(m);
        else this.badMerge ??= `a merge key (<<) takes a map or a list of maps${this.at(source as YamlNode)}`;
      }
    }
    return maps;
  }

  /** Merges are followed by recursion: a chain of them deeper than any real file is an error, not a stack overflow. */
  private withinMergeDepth(depth: number, map: YAMLMap): boolean {
    if (depth <= MAX_MERGE_DEPTH) return true;
    this.badMerge ??= `merge keys (<<) nested more than ${MAX_MERGE_DEPTH} deep${this.at(map)}`;
    return false;
  }

  private keyIndex(map: YAMLMap): KeyIndex {
    let index = this.keyIndexes.get(map);
    if (index) return index;
    index = { own: new Map(), merges: [] };
    for (const pair of map.items) {
      const key = yaml().isScalar(pair.key) ? pair.key.value : pair.key;
      if (isMergeKey(pair.key)) index.merges.push(pair.value);
      else if (!index.own.has(key)) index.own.set(key, pair.value);
    }
    this.keyIndexes.set(map, index);
    return index;
  }

  private at(node: YamlNode): string {
    const offset = node.range?.[0];
    if (offset === undefined) return '';
    const pos = this.lineOf(offset);
    return ` at line ${pos.line}, column ${pos.col}`;
  }
}

/** How many merges deep a value is looked for (a map merging a map merging a map…): real files use one or two. */
const MAX_MERGE_DEPTH = 64;

/** Only a plain `<<` merges: a quoted "<<" is an ordinary key, as in YAML 1.1. */
const isMergeKey = (key: unknown): boolean => yaml().isScalar(key) && key.value === '<<' && key.type === 'PLAIN';

/** A map's own keys, the first of each (as YAMLMap.get reads a file that gives a key twice), and the values of its `<<` keys in order. */
interface KeyIndex {
  own: Map<unknown, unknown>;
  merges: unknown[];
}
