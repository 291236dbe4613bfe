/**
 * One parsed Python file as the rules see it: names resolved through imports (`import yaml as y`,
 * `from subprocess import run as r`), objects made by known constructors (`s = requests.Session()`),
 * and the few questions every rule asks (is this argument a literal? where does this name come
 * from?). Everything that walks a tree here is iterative or depth-bounded: a file may nest
 * expressions thousands deep.
 */
import type { Node } from 'web-tree-sitter';
import { NestedNodes } from './nesting.js';
import { partitionPoint } from '../../sorted.js';

/** Builtins the rules care about; a bare name resolves to `builtins.<name>` unless the file defines or imports it. */
const BUILTINS = new Set(['eval', 'exec', 'compile', '__import__', 'open', 'print', 'input', 'raw_input', 'execfile']);

/** How deep a literal or origin check follows an expression before giving up (and saying "not a literal"). */
const MAX_DEPTH = 32;

const DOTTED = /^[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*$/;

const NON_ASCII = /[^\x00-\x7f]/;

/**
 * A name as Python reads it: PEP 3131 NFKC-normalises identifiers, so `ｅｖａｌ(x)` (fullwidth) and
 * `𝐨𝐬.system(x)` (mathematical bold) call eval and os.system. Every place a rule compares names
 * reads them through this. ASCII text, nearly every name, is returned as it is after one test.
 */
export function pythonName(text: string): string {
  return NON_ASCII.test(text) ? text.normalize('NFKC') : text;
}

/** The text of an identifier, attribute or dotted name as Python reads it (pythonName). */
export const nameOf = (node: Node): string => pythonName(node.text);

/** The attribute's name of `obj.name` as Python reads it, or null. */
export const attributeName = (node: Node): string | null => {
  const attribute = node.childForFieldName('attribute');
  return attribute ? nameOf(attribute) : null;
};

export interface CallArguments {
  positional: Node[];
  keywords: Map<string, Node>;
  /** `*args` or `**kwargs`: anything may be in there, so a missing keyword proves nothing. */
  hasSplat: boolean;
}

export class PythonFile {
  /** Local name → qualified name (`y` → `yaml`, `r` → `subprocess.run`, `ET` → `xml.etree.ElementTree`). */
  readonly aliases = new Map<string, string>();
  /** Modules imported with `*`: a bare name may come from any of them. */
  readonly starModules: string[] = [];
  /** Names the module binds at its own level (see moduleLevelNames), read on first use. */
  private moduleNames: Set<string> | null = null;
  /** Variable or attribute text → qualified constructor (`s` → `requests.Session`). */
  readonly instances = new InstanceNames();
  /** Every qualified name some rule subscribes to, for star imports. */
  knownNames: ReadonlySet<string> = new Set();
  /** The length of the longest of knownNames, and the set it was measured on. */
  private longestKnown: { of: ReadonlySet<string>; length: number } | null = null;

  constructor(
    readonly path: string,
    readonly text: string,
    readonly root: Node,
    /** Test code (tests/, test_*.py, conftest.py): rules may report it lower. */
    readonly isTest: boolean,
  ) {}

  /** Records one `import` or `from … import` statement. */
  addImport(node: Node): void {
    if (node.type === 'import_statement') {
      for (const name of node.childrenForFieldName('name')) {
        if (name.type === 'aliased_import') {
          const target = name.childForFieldName('name');
          const alias = name.childForFieldName('alias');
          if (target && alias) this.aliases.set(nameOf(alias), nameOf(target));
        } else if (name.type === 'dotted_name') {
          // `import xml.etree.ElementTree` binds `xml`; the rest of the chain is spelled out at each use.
          const head = nameOf(name).split('.')[0]!;
          this.aliases.set(head, head);
        }
      }
      return;
    }
    const module = node.childForFieldName('module_name');
    if (!module || module.type !== 'dotted_name') return; // relative imports are the project's own modules
    const from = nameOf(module);
    if (node.namedChildren.some((c) => c?.type === 'wildcard_import')) {
      this.starModules.push(from);
      return;
    }
    for (const name of node.childrenForFieldName('name')) {
      if (name.type === 'aliased_import') {
        const target = name.childForFieldName('name');
        const alias = name.childForFieldName('alias');
        if (target && alias) this.aliases.set(nameOf(alias), `${from}.${nameOf(target)}`);
      } else if (name.type === 'dotted_name') {
        const imported = nameOf(name);
        this.aliases.set(imported, `${from}.${imported}`);
      }
    }
  }

  /** qualify() remembered by node: a name's value is traced from each of its uses, so the same expression is asked about again and again. */
  private readonly qualifiedNodes = new Map<number, string | null>();
  /** qualifyDotted() remembered by text: a file calls the same few names again and again. */
  private readonly qualifiedNames = new Map<string, string>();

  /**
   * The qualified name of an expression as the file means it, or null when it names nothing we can
   * resolve. The text is read only of what has the shape of a dotted name (dottedShape): a callee
   * can be a chain of calls as long as the file (`x.a().a()…`), and reading its whole text at each
   * of its calls was quadratic.
   */
  qualify(node: Node): string | null {
    let q = this.qualifiedNodes.get(node.id);
    if (q === undefined) {
      q = this.resolve(node, 0);
      this.qualifiedNodes.set(node.id, q);
    }
    return q;
  }

  private resolve(node: Node, depth: number): string | null {
    if (dottedShape(node)) {
      const text = nameOf(node);
      if (!DOTTED.test(text)) return null;
      let q = this.qualifiedNames.get(text);
      if (q === undefined) this.qualifiedNames.set(text, (q = this.qualifyDotted(text)));
      return q;
    }
    // `requests.Session().get`: a method on a freshly built object (chains of calls followed a few levels only).
    if (node.type === 'attribute' && depth < 8) {
      const object = node.childForFieldName('object');
      const attr = attributeName(node);
      if (object?.type === 'call' && attr) {
        const fn = object.childForFieldName('function');
        const ctor = fn ? this.resolve(fn, depth + 1) : null;
        if (ctor) return `${ctor}().${attr}`;
      }
    }
    return null;
  }

  /**
   * A dotted name as the file means it. Linear in the name's length: a hostile file may write one
   * name of tens of thousands of parts (`a.a.a….b`), and building every prefix of it to look it up
   * took seconds per name and minutes per file, inside one rule step the time limit cannot stop.
   */
  qualifyDotted(text: string): string {
    // Longest known object first: `self.session.get` with `self.session = requests.Session()`.
    const object = this.instances.longestPrefix(text);
    if (object) return `${object.ctor}().${text.slice(object.length + 1)}`;
    const dot = text.indexOf('.');
    const head = dot === -1 ? text : text.slice(0, dot);
    const rest = dot === -1 ? '' : text.slice(dot); // with its leading dot
    const imported = this.aliases.get(head);
    if (imported) return imported + rest;
    if ((this.moduleNames ??= moduleLevelNames(this.root)).has(head)) return text;
    if (dot === -1 && BUILTINS.has(head)) return `builtins.${head}`;
    if (this.starModules.length === 0) return text;
    // A star import matters only when it makes a name some rule knows, so a name longer than all of them is left as written.
    if (this.longestKnown?.of !== this.knownNames) this.longestKnown = { of: this.knownNames, length: Math.max(0, ...[...this.knownNames].map((n) => n.length)) };
    for (const module of this.starModules) {
      if (module.length + 1 + text.length > this.longestKnown.length) continue;
      const candidate = `${module}.${text}`;
      if (this.knownNames.has(candidate)) return candidate;
    }
    return text;
  }

  /** Positional and keyword arguments of a call (comments left out). */
  argumentsOf(call: Node): CallArguments {
    const out: CallArguments = { positional: [], keywords: new Map(), hasSplat: false };
    const args = call.childForFieldName('arguments');
    if (!args) return out;
    if (args.type !== 'argument_list') {
      out.positional.push(args); // f(x for x in y)
      return out;
    }
    for (const child of args.namedChildren) {
      if (!child || child.type === 'comment') continue;
      if (child.type === 'keyword_argument') {
        const name = child.childForFieldName('name');
        const value = child.childForFieldName('value');
        if (name && value) out.keywords.set(nameOf(name), value);
      } else if (child.type === 'list_splat' || child.type === 'dictionary_splat') {
        out.hasSplat = true;
      } else {
        out.positional.push(child);
      }
    }
    return out;
  }

  /** The argument at a position or keyword, whichever the caller used. */
  argument(call: Node, position: number, keyword: string): Node | null {
    const args = this.argumentsOf(call);
    return args.keywords.get(keyword) ?? args.positional[position] ?? null;
  }

  /**
   * Whether an expression's value is fixed in the source: made only of text and numbers the source
   * writes. That is a string or number literal; an f-string whose fields are all fixed; `+` or `%`
   * of fixed values (`"ls %s" % (DIR,)`); `.format()` of a fixed string with fixed arguments; a name
   * bound once to a fixed value (constantValue: a module constant or a local one); and a join of
   * placeholders (`", ".join(["%s"] * len(ids))`, `",".join("?" for _ in ids)`, `", ".join(COLUMNS)`
   * with COLUMNS a constant tuple of literals), whose length may vary but whose text is only what the source
   * wrote. A constant counts the same however it is joined in: `"ls " + DIR`, `"ls %s" % DIR`,
   * `"ls {}".format(DIR)` and `f"ls {DIR}"` are one fixed command.
   */
  isLiteral(node: Node, depth = 0): boolean {
    if (depth > MAX_DEPTH) return false;
    switch (node.type) {
      case 'string':
        return node.namedChildren.every((c) => !c || c.type !== 'interpolation' || this.fixedField(c, depth + 1));
      case 'concatenated_string':
      case 'parenthesized_expression':
        return node.namedChildren.every((c) => !c || c.type === 'comment' || this.isLiteral(c, depth + 1));
      case 'integer':
      case 'float':
      case 'true':
      case 'false':
      case 'none':
        return true;
      case 'binary_operator': {
        const left = node.childForFieldName('left');
        const right = node.childForFieldName('right');
        if (!left || !right || !this.isLiteral(left, depth + 1)) return false;
        // `"%s-%s" % (A, B)`: a tuple of fixed values fills the template with fixed text.
        if (right.type === 'tuple' && node.childForFieldName('operator')?.type === '%') return this.allFixed(right, depth + 1);
        return this.isLiteral(right, depth + 1);
      }
      case 'call':
        return this.fixedCall(node, depth + 1);
      case 'identifier': {
        const value = this.constantValue(nameOf(node), node);
        if (!value) return false;
        let fixed = this.fixedValues.get(value.id);
        if (fixed === undefined) {
          // Remembered by the value: a chain of constants built from constants (`B = A + A`, `C = B + B`…) is judged once per constant, never again per use.
          this.fixedValues.set(value.id, false); // a cycle (`A = B`, `B = A`) is not fixed
          fixed = this.isLiteral(value, depth + 1);
          this.fixedValues.set(value.id, fixed);
        }
        return fixed;
      }
      default:
        return false;
    }
  }

  /** isLiteral of each constant's value, by the value's node id. */
  private readonly fixedValues = new Map<number, boolean>();

  /** Whether an f-string field is fixed: its expression is, and its format spec has no field of its own. */
  private fixedField(interpolation: Node, depth: number): boolean {
    const expression = interpolation.childForFieldName('expression');
    const spec = interpolation.childForFieldName('format_specifier');
    return !!expression && this.isLiteral(expression, depth) && !(spec && spec.namedChildren.some((c) => c?.type === 'format_expression'));
  }

  /** Every item of a tuple or list is fixed (no `*splat`). */
  private allFixed(sequence: Node, depth: number): boolean {
    return sequence.namedChildren.every((c) => !c || c.type === 'comment' || (c.type !== 'list_splat' && this.isLiteral(c, depth)));
  }

  /** `"…".format(fixed…)` and `sep.join(placeholders)` (see isLiteral). */
  private fixedCall(call: Node, depth: number): boolean {
    const fn = call.childForFieldName('function');
    const method = fn?.type === 'attribute' ? attributeName(fn) : null;
    const object = fn?.childForFieldName('object');
    if (!object || (method !== 'format' && method !== 'join') || !this.isLiteral(object, depth)) return false;
    const args = this.argumentsOf(call);
    if (args.hasSplat) return false;
    if (method === 'format') return args.positional.every((a) => this.isLiteral(a, depth)) && [...args.keywords.values()].every((a) => this.isLiteral(a, depth));
    return args.positional.length === 1 && args.keywords.size === 0 && this.fixedItems(args.positional[0]!, depth);
  }

  /**
   * Whether every item of an iterable is fixed text: a tuple or list of fixed values (or a constant
   * holding one), `[fixed] * n`, or a generator or comprehension that yields a fixed value.
   */
  private fixedItems(node: Node, depth: number): boolean {
    if (depth > MAX_DEPTH) return false;
    switch (node.type) {
      case 'tuple':
      case 'list':
        return this.allFixed(node, depth + 1);
      case 'parenthesized_expression': {
        const inner = node.firstNamedChild;
        return !!inner && this.fixedItems(inner, depth + 1);
      }
      case 'binary_operator': {
        // `["%s"] * len(ids)` or `len(ids) * ["%s"]`: the count varies, the items do not.
        if (node.childForFieldName('operator')?.type !== '*') return false;
        const left = node.childForFieldName('left');
        const right = node.childForFieldName('right');
        return (!!left && (left.type === 'list' || left.type === 'tuple') && this.allFixed(left, depth + 1)) || (!!right && (right.type === 'list' || right.type === 'tuple') && this.allFixed(right, depth + 1));
      }
      case 'generator_expression':
      case 'list_comprehension': {
        const body = node.childForFieldName('body');
        return !!body && this.isLiteral(body, depth + 1);
      }
      case 'identifier': {
        // A tuple only: a list bound once may still be appended to.
        const value = this.constantValue(nameOf(node), node);
        return value?.type === 'tuple' && this.allFixed(value, depth + 1);
      }
      default:
        return false;
    }
  }

  /**
   * The text of a plain string literal (no f-string field), or of a module constant holding one; null
   * for anything else. Escapes are left as written: rules compare short words (`"data"`, `"0.0.0.0"`).
   */
  constantString(node: Node | null | undefined, depth = 0): string | null {
    if (!node || depth > 4) return null;
    if (node.type === 'identifier') return this.constantString(this.moduleConstant(nameOf(node), node), depth + 1);
    if (node.type !== 'string' || node.namedChildren.some((c) => c?.type === 'interpolation')) return null;
    return node.namedChildren
      .filter((c) => c?.type === 'string_content')
      .map((c) => c!.text)
      .join('');
  }

  /** Per name: how many times anything in the module binds it, and the value of its first plain `NAME = value`. */
  private bindings: Map<string, { count: number; assignment: Node | null; moduleLevel?: boolean; sites: BindingSite[] }> | null = null;
  /** A `from m import *`: it may bind any name, so no name is a constant. */
  private starImport = false;
  private readonly parameterNames = new Map<number, Set<string>>();

  /**
   * The value of a name that is a module constant where `use` reads it (`PLUGIN = "json"`), else null.
   * A constant is bound exactly once in the whole module, by a plain assignment at module level
   * (not in a function, lambda or class): any other binding anywhere (a second assignment, `+=`, a
   * `for`, `with … as`, `except … as`, walrus or tuple target, an import, a `def`/`class`, `del`,
   * a `global`/`nonlocal` declaration, a match capture) makes it a variable, and so does a star
   * import. A use inside a function or lambda that takes the name as a parameter reads that
   * parameter instead. When unsure, not a constant: the call is reported.
   */
  moduleConstant(name: string, use?: Node): Node | null {
    if (!this.bindings) this.indexBindings();
    const binding = this.bindings!.get(name);
    if (this.starImport || !binding || binding.count !== 1 || !binding.assignment) return null;
    binding.moduleLevel ??= atModuleLevel(binding.assignment);
    if (!binding.moduleLevel) return null;
    if (use) {
      for (let fn = this.enclosingFunction(use); fn; fn = this.enclosingFunction(fn)) {
        if (this.parametersOf(fn).has(name)) return null;
      }
    }
    return binding.assignment.childForFieldName('right');
  }

  /**
   * The value of a name bound once to it where `use` reads it, else null: a local of the function
   * around the use (or of a function around that one) bound exactly once in that function by a plain
   * assignment, not a parameter, not declared nonlocal in a function nested in it, and not in a class body; or else a
   * module constant (moduleConstant). The nearest function that binds the name decides, as in Python.
   */
  constantValue(name: string, use: Node): Node | null {
    if (!this.bindings) this.indexBindings();
    const binding = this.bindings!.get(name);
    for (let fn = this.enclosingFunction(use); fn; fn = this.enclosingFunction(fn)) {
      if (this.parametersOf(fn).has(name)) return null;
      if (!binding) continue;
      const local = this.localBinding(fn, name, binding.sites);
      if (!local) continue;
      if (local.count !== 1 || !local.assignment) return null;
      local.direct ??= directlyIn(local.assignment, fn);
      return local.direct ? local.assignment.childForFieldName('right') : null;
    }
    return this.moduleConstant(name, use);
  }

  /** What the bindings of `name` inside `fn` (not in functions nested in it) count, by name only for names asked about. */
  private readonly localBindings = new Map<string, LocalBinding | null>();

  private localBinding(fn: Node, name: string, sites: readonly BindingSite[]): LocalBinding | null {
    const key = `${fn.id}:${name}`;
    let local = this.localBindings.get(key);
    if (local === undefined) {
      local = null;
      for (const site of sites) {
        // A `nonlocal` counts in its own function and in the one around it whose local it rebinds.
        if (!(this.enclosingFunction(site.node)?.id === fn.id || (site.nonlocal && this.nestedIn(site.node, fn)))) continue;
        if (local) local.count += site.times;
        else local = { count: site.times, assignment: site.assignment };
      }
      this.localBindings.set(key, local);
    }
    return local;
  }

  /** Whether a node is inside a function nested (at any depth) in `fn`: a `nonlocal` there may rebind fn's local. */
  private nestedIn(node: Node, fn: Node): boolean {
    let around = this.enclosingFunction(node);
    for (let steps = 0; around && steps < 200; steps++) {
      const outer = this.enclosingFunction(around);
      if (outer?.id === fn.id) return true;
      around = outer;
    }
    return false;
  }

  /** Every place the module binds a name, counted by name: one query inside the parser, then one look at each. */
  private indexBindings(): void {
    const bindings = new Map<string, { count: number; assignment: Node | null; sites: BindingSite[] }>();
    let node: Node | null = null;
    // Each binding is kept with the statement that makes it, so that a local's count (localBinding) is worked out only for the names asked about.
    const bind = (name: string, times = 1, assignment: Node | null = null, nonlocal = false) => {
      const b = bindings.get(name);
      const site = { node: node!, times, assignment, nonlocal };
      if (b) {
        b.count += times;
        b.sites.push(site);
      } else bindings.set(name, { count: times, assignment, sites: [site] });
    };
    const bindTargets = (target: Node | null) => {
      for (const name of targetNames(target)) bind(name);
    };
    for (node of this.root.descendantsOfType(BINDING_NODES)) {
      if (!node) continue;
      switch (node.type) {
        case 'assignment': {
          const left = node.childForFieldName('left');
          if (left?.type === 'identifier') bind(nameOf(left), 1, node.childForFieldName('right') ? node : null);
          else bindTargets(left);
          break;
        }
        case 'augmented_assignment':
        case 'for_statement':
        case 'for_in_clause':
        case 'type_alias_statement':
          bindTargets(node.childForFieldName('left'));
          break;
        case 'as_pattern':
          bindTargets(node.childForFieldName('alias'));
          break;
        case 'named_expression':
          bindTargets(node.childForFieldName('name'));
          break;
        case 'function_definition':
        case 'class_definition':
          bindTargets(node.childForFieldName('name'));
          break;
        case 'delete_statement':
        case 'splat_pattern':
          for (const child of node.namedChildren) bindTargets(child);
          break;
        case 'global_statement':
        case 'nonlocal_statement':
          // Another scope assigns the module's name: whatever it holds is not fixed here.
          for (const child of node.namedChildren) if (child?.type === 'identifier') bind(nameOf(child), 2, null, node.type === 'nonlocal_statement');
          break;
        case 'case_pattern': {
          // `case x:` captures into x (a dotted name is a value pattern and binds nothing).
          const only = node.namedChildCount === 1 ? node.firstNamedChild : null;
          if (only?.type === 'dotted_name' && only.namedChildCount === 1) bindTargets(only.firstNamedChild);
          break;
        }
        case 'import_statement':
        case 'import_from_statement':
          if (node.namedChildren.some((c) => c?.type === 'wildcard_import')) this.starImport = true;
          for (const name of node.childrenForFieldName('name')) {
            if (name.type === 'aliased_import') bindTargets(name.childForFieldName('alias'));
            else if (name.type === 'dotted_name') bindTargets(name.firstNamedChild);
          }
          break;
      }
    }
    this.bindings = bindings;
  }

  /** The names a function's or lambda's parameters bind. */
  private parametersOf(fn: Node): Set<string> {
    let names = this.parameterNames.get(fn.id);
    if (!names) {
      names = new Set();
      for (const p of fn.childForFieldName('parameters')?.namedChildren ?? []) {
        if (!p) continue;
        const named = p.type === 'default_parameter' || p.type === 'typed_default_parameter' ? p.childForFieldName('name') : p.type === 'typed_parameter' ? p.firstNamedChild : p;
        const target = named?.type === 'list_splat_pattern' || named?.type === 'dictionary_splat_pattern' ? named.firstNamedChild : named;
        for (const name of targetNames(target)) names.add(name);
      }
      this.parameterNames.set(fn.id, names);
    }
    return names;
  }

  /**
   * Per scope (function, lambda or module, by node id), per name: its assignments in source order,
   * each with what holds just after it. Built once per file in one pass, so a lookup is a binary
   * search: rules trace names for every call they look at, and one function may assign the same
   * name thousands of times (a walk per lookup made that quadratic).
   */
  private assignmentIndex: Map<number, Map<string, AssignmentState[]>> | null = null;

  /**
   * The assignments to `name` before `use` in use's own scope (not in functions nested in it), as
   * what they leave: the last plain `name = value`, and the first augmented assignment (`+=`…) after
   * it whose value is not a literal (the name was built at run time). Annotations alone (`name: T`)
   * assign nothing.
   */
  lastAssignment(name: string, use: Node): { plain: Node | null; built: Node | null } {
    const list = this.indexAssignments().get((this.enclosingFunction(use) ?? this.root).id)?.get(name);
    const at = use.startIndex;
    // The last assignment that starts before the use.
    const found = list === undefined ? undefined : list[partitionPoint(0, list.length, (i) => list[i]!.start < at) - 1];
    return found ? { plain: found.plain, built: found.built } : { plain: null, built: null };
  }

  private indexAssignments(): Map<number, Map<string, AssignmentState[]>> {
    if (this.assignmentIndex) return this.assignmentIndex;
    const index = new Map<number, Map<string, AssignmentState[]>>();
    for (const a of this.root.descendantsOfType(['assignment', 'augmented_assignment'])) {
      if (!a) continue;
      const left = a.childForFieldName('left');
      const value = a.childForFieldName('right');
      if (left?.type !== 'identifier' || !value) continue;
      const scope = (this.enclosingFunction(a) ?? this.root).id;
      let names = index.get(scope);
      if (!names) index.set(scope, (names = new Map()));
      const name = nameOf(left);
      let list = names.get(name);
      if (!list) names.set(name, (list = []));
      const previous = list[list.length - 1];
      const state: AssignmentState =
        a.type === 'assignment'
          ? { start: a.startIndex, plain: a, built: null }
          : { start: a.startIndex, plain: previous?.plain ?? null, built: previous?.built ?? (this.isLiteral(value) ? null : a) };
      list.push(state);
    }
    this.assignmentIndex = index;
    return index;
  }

  /** Functions and lambdas, by byte offset; listed with the first question. */
  private functions: NestedNodes<number> | null = null;

  /** The nearest function (or lambda) around a node, or null at module level. */
  enclosingFunction(node: Node): Node | null {
    this.functions ??= new NestedNodes(this.root, ['function_definition', 'lambda'], BYTES);
    const at = node.startIndex;
    // Last function starting before the node (the node itself, when it is one, is not around itself),
    // then outwards until one contains it.
    const around = this.functions.innermost(
      (fn) => fn.start < at || (fn.start === at && fn.node.id !== node.id),
      (fn) => fn.end >= node.endIndex && fn.node.id !== node.id,
    );
    return around?.node ?? null;
  }

  /**
   * Where a value comes from, in words, when the file says: user input, the command line, the
   * environment, an HTTP request or a parameter of the enclosing function. Null when unknown.
   */
  originOf(node: Node, depth = 0): string | null {
    if (depth > 3) return null;
    const direct = this.describeSource(node);
    if (direct) return direct;
    if (node.type !== 'identifier') {
      // An expression built from a name (`"mod_" + name`, `f"{name}"`): the first name with a known origin.
      if (depth > 0) return null;
      for (const id of boundedDescendants(node, 'identifier', 8)) {
        const found = this.originOf(id, depth + 1);
        if (found) return found;
      }
      return null;
    }
    const name = nameOf(node);
    const fn = this.enclosingFunction(node);
    // The last plain assignment to the name before this use, in the same function (or module).
    const value = this.lastAssignment(name, node).plain?.childForFieldName('right');
    if (value) return this.originOf(value, depth + 1);
    if (fn && this.parametersOf(fn).has(name)) {
      const fname = fn.type === 'lambda' ? 'a lambda' : `${fn.childForFieldName('name')?.text ?? '?'}()`;
      return `parameter \`${name}\` of ${fname}`;
    }
    return null;
  }

  /** A value read directly from outside the program, described; null otherwise. */
  private describeSource(node: Node): string | null {
    let inner: Node | null = node;
    // `input().strip()`, `sys.argv[1]`, `request.args.get("x")`: look at the innermost receiver.
    for (let i = 0; inner && i < 6; i++) {
      if (inner.type === 'call') {
        const fn = inner.childForFieldName('function');
        const q = fn ? this.qualify(fn) : null;
        if (q === 'builtins.input' || q === 'builtins.raw_input') return 'input()';
        if (q === 'os.getenv' || q === 'os.environ.get') return 'an environment variable';
        if (q && /^(flask\.)?request\.(args|form|values|json|data|files|cookies|headers|get_json|get_data)\b/.test(q)) return 'the HTTP request';
        if (q && /\brequest\.(GET|POST|body|data|query_params|COOKIES|META)\b/.test(q)) return 'the HTTP request';
        inner = fn?.type === 'attribute' ? fn.childForFieldName('object') : null;
      } else if (inner.type === 'subscript') {
        const value = inner.childForFieldName('value');
        const q = value ? this.qualify(value) : null;
        if (q === 'sys.argv') return 'the command line (sys.argv)';
        if (q === 'os.environ') return 'an environment variable';
        if (q && /\brequest\.(args|form|values|GET|POST|cookies|COOKIES|headers|META|query_params|data)$/.test(q)) return 'the HTTP request';
        inner = value;
      } else if (inner.type === 'attribute') {
        const q = this.qualify(inner);
        if (q === 'sys.argv') return 'the command line (sys.argv)';
        if (q && /\brequest\.(args|form|values|json|data|GET|POST|body|query_params)$/.test(q)) return 'the HTTP request';
        inner = inner.childForFieldName('object');
      } else {
        return null;
      }
    }
    return null;
  }

  /** `is truthy literal`: `True`, a non-zero number. */
  static isTrue(node: Node | null | undefined): boolean {
    if (!node) return false;
    return node.type === 'true' || (node.type === 'integer' && node.text !== '0');
  }

  /** `is falsy literal`: `False`, `0` (a flag switched off). */
  static isFalse(node: Node | null | undefined): boolean {
    if (!node) return false;
    return node.type === 'false' || (node.type === 'integer' && node.text === '0');
  }
}

/**
 * Whether a node's text can be a dotted name (`os`, `os.path.join`): a single token, a
 * dotted_name, or attributes down to a single token, looking through nodes that only wrap one
 * other. Any other node holds brackets, quotes, operators or spaces, so its text, which may be as
 * long as the file, need not be read. Each step down is one attribute of the name.
 */
function dottedShape(node: Node): boolean {
  let n: Node | null = unwrapped(node);
  if (n.type === 'dotted_name') return true;
  while (n?.type === 'attribute') {
    const object: Node | null = n.childForFieldName('object');
    n = object && unwrapped(object);
  }
  return n !== null && n.childCount === 0;
}

/** The node a chain of one-child nodes wraps (a `type` around a name), or the node itself. */
function unwrapped(node: Node): Node {
  let n = node;
  for (let child = n.childCount === 1 ? n.firstChild : null; child; child = n.childCount === 1 ? n.firstChild : null) n = child;
  return n;
}

/**
 * Objects made by constructors, by the dotted name they are bound to (`s`, `self.session`), kept as
 * a tree of the names' parts so that the longest bound prefix of a name is found in one pass over
 * it. Looking each prefix up as a string built anew was quadratic in the name's parts.
 */
export class InstanceNames {
  private readonly root: InstancePart = { next: new Map(), ctor: null };

  /** Binds a name (as written, `self.session`) to the constructor that made its object; a later binding wins. */
  set(name: string, ctor: string): void {
    let node = this.root;
    for (const part of name.split('.')) {
      let next = node.next.get(part);
      if (!next) node.next.set(part, (next = { next: new Map(), ctor: null }));
      node = next;
    }
    node.ctor = ctor;
  }

  /**
   * The longest bound name that is a proper dotted prefix of `text` (`self.session` of
   * `self.session.get`), with its length in characters; null when none is.
   */
  longestPrefix(text: string): { length: number; ctor: string } | null {
    let found: { length: number; ctor: string } | null = null;
    let node: InstancePart | undefined = this.root;
    let start = 0;
    for (let dot = text.indexOf('.'); dot !== -1 && node; dot = text.indexOf('.', start)) {
      node = node.next.get(text.slice(start, dot));
      if (node?.ctor) found = { length: dot, ctor: node.ctor };
      start = dot + 1;
    }
    return found;
  }
}

interface InstancePart {
  next: Map<string, InstancePart>;
  ctor: string | null;
}

/**
 * The names a module binds in its own scope: `def`/`class` statements and assignments (also under
 * if/try/with/for/while/match at module level), `for` and `with … as` targets. A bare `eval` anywhere
 * in the file may then be that definition, not the builtin. Definitions inside a class (methods) or
 * a function are not module names: a method is reached through its object (`self.eval`), so a bare
 * `eval` in it is still the builtin. Imports are the file's aliases, resolved before this. One walk of
 * the module's statements, never into function or class bodies.
 */
function moduleLevelNames(root: Node): Set<string> {
  const names = new Set<string>();
  const add = (target: Node | null) => {
    for (const name of targetNames(target)) names.add(name);
  };
  const stack: Node[] = [root];
  while (stack.length) {
    const node = stack.pop()!;
    switch (node.type) {
      case 'function_definition':
      case 'class_definition':
        add(node.childForFieldName('name'));
        continue; // their bodies are other scopes
      case 'expression_statement':
        for (const child of node.namedChildren) {
          // `a = b = f`: each assignment in the chain binds its target.
          for (let a: Node | null = child; a && (a.type === 'assignment' || a.type === 'augmented_assignment'); a = a.childForFieldName('right')) add(a.childForFieldName('left'));
        }
        continue;
      case 'for_statement':
        add(node.childForFieldName('left'));
        break;
      case 'as_pattern':
        add(node.childForFieldName('alias'));
        continue;
    }
    // Compound statements (if, try, with, for, while, match, decorated definitions) and their blocks hold more module statements.
    if (node.type === 'module' || node.type === 'block' || MODULE_COMPOUND.has(node.type)) {
      for (const child of node.namedChildren) if (child) stack.push(child);
    }
  }
  return names;
}

const MODULE_COMPOUND = new Set([
  'if_statement',
  'elif_clause',
  'else_clause',
  'try_statement',
  'except_clause',
  'finally_clause',
  'with_statement',
  'with_clause',
  'with_item',
  'for_statement',
  'while_statement',
  'match_statement',
  'case_clause',
  'decorated_definition',
]);

/** One statement binding a name: how many times it counts (a global/nonlocal declaration counts twice), and the assignment when it is a plain `name = value`. */
interface BindingSite {
  node: Node;
  times: number;
  assignment: Node | null;
  /** A `nonlocal` declaration: it binds the name in a function around it, not in its own. */
  nonlocal: boolean;
}

/** A name's bindings inside one function: how many, its assignment when one plain one, and whether that is a statement of the function itself (not of a class in it), once asked. */
interface LocalBinding {
  count: number;
  assignment: Node | null;
  direct?: boolean;
}

/** What the assignments to one name leave, up to and including one of them (see PythonFile.lastAssignment). */
interface AssignmentState {
  start: number;
  plain: Node | null;
  built: Node | null;
}

/** Node types that bind names (moduleConstant); parameters are looked up per function instead. */
const BINDING_NODES = [
  'assignment',
  'augmented_assignment',
  'for_statement',
  'for_in_clause',
  'type_alias_statement',
  'as_pattern',
  'named_expression',
  'function_definition',
  'class_definition',
  'delete_statement',
  'splat_pattern',
  'global_statement',
  'nonlocal_statement',
  'case_pattern',
  'import_statement',
  'import_from_statement',
];

/**
 * The names an assignment target binds: `a`, `a, (b, *c)`, `[a, b]`; none for `x.attr` or `x[i]`
 * (those change an object, not a name). Iterative: a target may be long.
 */
function targetNames(target: Node | null | undefined): string[] {
  const out: string[] = [];
  const stack: Node[] = target ? [target] : [];
  while (stack.length) {
    const n = stack.pop()!;
    if (n.type === 'identifier') out.push(nameOf(n));
    else if (n.type !== 'attribute' && n.type !== 'subscript') for (const c of n.namedChildren) if (c) stack.push(c);
  }
  return out;
}

/** Whether an assignment is a statement of the function `fn` itself (possibly under if/try/with/for), not of a class or lambda in it. */
function directlyIn(assignment: Node, fn: Node): boolean {
  let n: Node | null = assignment.parent;
  for (let steps = 0; n && steps < 200; steps++, n = n.parent) {
    if (n.id === fn.id) return true;
    if (n.type === 'function_definition' || n.type === 'lambda' || n.type === 'class_definition' || n.type === 'assignment') return false;
  }
  return false;
}

/** Whether an assignment is a statement of the module itself (possibly under if/try/with/for), not of a function, lambda or class. */
function atModuleLevel(assignment: Node): boolean {
  let n: Node | null = assignment.parent;
  for (let steps = 0; n && steps < 200; steps++, n = n.parent) {
    if (n.type === 'module') return true;
    if (n.type === 'function_definition' || n.type === 'lambda' || n.type === 'class_definition' || n.type === 'assignment') return false;
  }
  return false;
}

/** Up to `limit` descendants of a type, breadth-first, without recursion. */
export function boundedDescendants(node: Node, type: string, limit: number): Node[] {
  const out: Node[] = [];
  const queue: Node[] = [node];
  for (let i = 0; i < queue.length && out.length < limit && i < 512; i++) {
    for (const child of queue[i]!.namedChildren) {
      if (!child) continue;
      if (child.type === type) out.push(child);
      queue.push(child);
    }
  }
  return out;
}

/** Whether a node mentions an identifier (bounded: giant expressions answer "no" past 2,000 nodes). */
export function mentions(node: Node, name: string): boolean {
  const stack: Node[] = [node];
  for (let seen = 0; stack.length > 0 && seen < 2000; seen++) {
    const n = stack.pop()!;
    if (n.type === 'identifier' && nameOf(n) === name) return true;
    for (const child of n.namedChildren) if (child) stack.push(child);
  }
  return false;
}

export const lineOf = (node: Node) => node.startPosition.row + 1;
export const columnOf = (node: Node) => node.startPosition.column + 1;

/** A short, safe rendering of code for a message: one line, at most 60 characters, no string contents. */
export function codeName(node: Node): string {
  const text = node.type === 'identifier' || node.type === 'attribute' ? node.text : node.type.replace(/_/g, ' ');
  const one = text.replace(/\s+/g, ' ');
  return one.length > 60 ? `${one.slice(0, 57)}…` : one;
}

const BYTES = { start: (n: Node) => n.startIndex, end: (n: Node) => n.endIndex, atOrBefore: (a: number, b: number) => a <= b };
