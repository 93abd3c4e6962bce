// Calico's label selector language (docs.tigera.io, "Selectors" in the NetworkPolicy reference),
// tokenized as libcalico-go's selector tokenizer does (lib/selector/tokenizer):
//   k == 'v'   k != 'v'          (!= also matches endpoints without k)
//   k in {'a','b'}   k not in {'a','b'}   (not in also matches endpoints without k)
//   has(k)  !has(k)  k contains 's'  k starts with 's'  k ends with 's'
//   all()  (everything)   global()  (non-namespaced resources only: never a pod or a namespace)
//   !expr   expr && expr   expr || expr   ( expr )      — && binds tighter than ||
// Strings are quoted with '…' or "…" (no escapes). An empty selector string is all().
// Tokenizer details that decide what Calico accepts: only spaces and tabs separate tokens (a
// newline is an error); right after a label the operators are read as prefixes, so `startswith`,
// `endswith`, `notin`, `starts  with` and `in{'a'}` are valid; `has(`, `all(` and `global(` must
// be written without a space before the parenthesis (inside it, spaces are fine); a set may end
// with a trailing comma.
import { ALL_IDS, NO_IDS, andIds, complementIds, orIds, type IdSet } from "../../idset";
import type { LabelIndex } from "../../selectors";

export type CalicoSelector =
  | { op: "all" }
  | { op: "global" }
  | { op: "has"; key: string }
  | { op: "==" | "!=" | "contains" | "starts with" | "ends with"; key: string; value: string }
  | { op: "in" | "not in"; key: string; values: string[] }
  | { op: "!"; expr: CalicoSelector }
  | { op: "&&" | "||"; left: CalicoSelector; right: CalicoSelector };

export class SelectorParseError extends Error {}

type Operator = "contains" | "starts with" | "ends with" | "in" | "not in";
type Token =
  | { kind: "label" | "string"; text: string; pos: number }
  | { kind: "sym"; text: "(" | ")" | "{" | "}" | "," | "==" | "!=" | "&&" | "||" | "!"; pos: number }
  | { kind: "op"; text: Operator; pos: number }
  | { kind: "all" | "global"; text: string; pos: number }
  | { kind: "has"; text: string; key: string; pos: number };

/** libcalico-go's LabelKeyMatcher: [a-zA-Z0-9_./-]. */
const LABEL = /^[A-Za-z0-9_./-]+/;
/** Operators Calico reads right after a label, in the order it tries them (prefix matches). */
const OPERATORS: [RegExp, Operator][] = [
  [/^contains/, "contains"],
  [/^starts[ \t]*with/, "starts with"],
  [/^ends[ \t]*with/, "ends with"],
  [/^not[ \t]*in/, "not in"],
  [/^in/, "in"],
];
const SPACE = /^[ \t]*/;

function tokenize(src: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const fail = (message: string): never => {
    throw new SelectorParseError(`${message} at position ${i}`);
  };
  for (;;) {
    i += SPACE.exec(src.slice(i))![0].length;
    if (i >= src.length) return tokens;
    const rest = src.slice(i);
    const c = rest[0];
    const two = rest.slice(0, 2);
    if (c === "'" || c === '"') {
      const end = src.indexOf(c, i + 1);
      if (end < 0) fail(`unterminated string; close it with ${c}`);
      tokens.push({ kind: "string", text: src.slice(i + 1, end), pos: i });
      i = end + 1;
    } else if (two === "==" || two === "!=" || two === "&&" || two === "||") {
      tokens.push({ kind: "sym", text: two, pos: i });
      i += 2;
    } else if (c === "=" || c === "&" || c === "|") {
      fail(`unexpected character ${JSON.stringify(c)}; write ${c}${c}`);
    } else if (c === "!" || c === "(" || c === ")" || c === "{" || c === "}" || c === ",") {
      tokens.push({ kind: "sym", text: c, pos: i });
      i++;
    } else if (tokens[tokens.length - 1]?.kind === "label") {
      const match = OPERATORS.map(([re, op]) => [re.exec(rest), op] as const).find(([m]) => m !== null);
      if (!match) fail(`expected ==, !=, in, not in, contains, starts with or ends with after label ${JSON.stringify(tokens[tokens.length - 1].text)}`);
      tokens.push({ kind: "op", text: match![1], pos: i });
      i += match![0]![0].length;
    } else if (rest.startsWith("has(")) {
      const pos = i;
      i += 4;
      i += SPACE.exec(src.slice(i))![0].length;
      const key = LABEL.exec(src.slice(i))?.[0];
      if (!key) fail("expected a label key inside has(");
      i += key!.length;
      i += SPACE.exec(src.slice(i))![0].length;
      if (src[i] !== ")") fail("expected a closing ) for has(");
      tokens.push({ kind: "has", text: "has", key: key!, pos });
      i++;
    } else if (rest.startsWith("all(") || rest.startsWith("global(")) {
      const name = rest.startsWith("all(") ? "all" : "global";
      const pos = i;
      i += name.length + 1;
      i += SPACE.exec(src.slice(i))![0].length;
      if (src[i] !== ")") fail(`expected a closing ) for ${name}(`);
      tokens.push({ kind: name, text: `${name}()`, pos });
      i++;
    } else {
      const label = LABEL.exec(rest)?.[0];
      if (!label) fail(`unexpected character ${JSON.stringify(c)}${/\s/.test(c) ? " (Calico separates tokens with spaces and tabs only)" : ""}`);
      tokens.push({ kind: "label", text: label!, pos: i });
      i += label!.length;
    }
  }
}

class Parser {
  private i = 0;
  constructor(private readonly tokens: Token[]) {}

  private peek(): Token | undefined {
    return this.tokens[this.i];
  }

  private isSym(text: string): boolean {
    const t = this.peek();
    return t?.kind === "sym" && t.text === text;
  }

  private where(): string {
    const t = this.peek();
    return t ? `at position ${t.pos} (${JSON.stringify(t.text)})` : "at the end";
  }

  private expectSym(text: string, what: string): void {
    if (!this.isSym(text)) throw new SelectorParseError(`expected ${what} ${this.where()}`);
    this.i++;
  }

  private string(): string {
    const t = this.peek();
    if (!t || t.kind !== "string") throw new SelectorParseError(`expected a quoted string ('value' or "value") ${this.where()}`);
    this.i++;
    return t.text;
  }

  parse(): CalicoSelector {
    if (this.tokens.length === 0) return { op: "all" };
    const expr = this.or();
    const extra = this.peek();
    if (extra) throw new SelectorParseError(`unexpected ${JSON.stringify(extra.text)} at position ${extra.pos}; join expressions with && or ||`);
    return expr;
  }

  private or(): CalicoSelector {
    let left = this.and();
    while (this.isSym("||")) {
      this.i++;
      left = { op: "||", left, right: this.and() };
    }
    return left;
  }

  private and(): CalicoSelector {
    let left = this.unary();
    while (this.isSym("&&")) {
      this.i++;
      left = { op: "&&", left, right: this.unary() };
    }
    return left;
  }

  private unary(): CalicoSelector {
    if (this.isSym("!")) {
      this.i++;
      return { op: "!", expr: this.unary() };
    }
    if (this.isSym("(")) {
      this.i++;
      const inner = this.or();
      this.expectSym(")", "a closing )");
      return inner;
    }
    return this.primary();
  }

  private primary(): CalicoSelector {
    const t = this.peek();
    if (t?.kind === "all" || t?.kind === "global") {
      this.i++;
      return { op: t.kind };
    }
    if (t?.kind === "has") {
      this.i++;
      return { op: "has", key: t.key };
    }
    if (!t || t.kind !== "label") throw new SelectorParseError(`expected a label key, has(…), all() or global() ${this.where()}`);
    this.i++;
    const key = t.text;
    const next = this.peek();
    if (next?.kind === "sym" && (next.text === "==" || next.text === "!=")) {
      this.i++;
      return { op: next.text, key, value: this.string() };
    }
    if (next?.kind === "op") {
      this.i++;
      if (next.text === "in" || next.text === "not in") return { op: next.text, key, values: this.set() };
      return { op: next.text, key, value: this.string() };
    }
    throw new SelectorParseError(`expected ==, !=, in, not in, contains, starts with or ends with after label ${JSON.stringify(key)} ${this.where()}`);
  }

  /** `{}`, `{'a'}`, `{'a', 'b'}`; like Calico's parser, a trailing comma is accepted. */
  private set(): string[] {
    this.expectSym("{", "{ to open a set of values");
    const values: string[] = [];
    while (this.peek()?.kind === "string") {
      values.push(this.string());
      if (!this.isSym(",")) break;
      this.i++;
    }
    this.expectSym("}", ", or } in the set of values");
    return values;
  }
}

const parsed = new Map<string, CalicoSelector>();

/** Parses a selector; errors name `field` and the position. Results are cached by text. */
export function parseCalicoSelector(src: string, field = "selector"): CalicoSelector {
  const hit = parsed.get(src);
  if (hit) return hit;
  try {
    const ast = new Parser(tokenize(src)).parse();
    parsed.set(src, ast);
    return ast;
  } catch (err) {
    if (err instanceof SelectorParseError) throw new SelectorParseError(`${field}: invalid Calico selector ${JSON.stringify(src)}: ${err.message}`);
    throw err;
  }
}

function usesGlobal(s: CalicoSelector): boolean {
  switch (s.op) {
    case "global":
      return true;
    case "!":
      return usesGlobal(s.expr);
    case "&&":
    case "||":
      return usesGlobal(s.left) || usesGlobal(s.right);
    default:
      return false;
  }
}

/**
 * Where Calico's v3 API accepts `global()` (libcalico-go validator and the CRDs' validation rules):
 * only in a rule's `namespaceSelector`, and there only on its own. A policy's `selector`,
 * `namespaceSelector` or `serviceAccountSelector`, or a rule's `selector`, holding it is rejected
 * by the API server, so the object never exists in a cluster.
 */
export function checkGlobalPlacement(s: CalicoSelector, field: string, place: "policy" | "rule selector" | "rule namespaceSelector"): void {
  if (!usesGlobal(s)) return;
  if (place === "rule namespaceSelector") {
    if (s.op !== "global") throw new SelectorParseError(`${field}: global() cannot be combined with other selectors (Calico's API rejects it); write namespaceSelector: global() on its own`);
    return;
  }
  throw new SelectorParseError(`${field}: global() can only be used in a rule's namespaceSelector (Calico's API rejects it here)`);
}

/** Evaluates against one label map (a pod's or a namespace's; never a global resource). */
export function matchesCalicoSelector(s: CalicoSelector, labels: Record<string, string>): boolean {
  switch (s.op) {
    case "all":
      return true;
    case "global":
      return false;
    case "has":
      return Object.prototype.hasOwnProperty.call(labels, s.key);
    case "==":
      return labels[s.key] === s.value;
    case "!=":
      return labels[s.key] !== s.value;
    case "contains":
      return labels[s.key]?.includes(s.value) ?? false;
    case "starts with":
      return labels[s.key]?.startsWith(s.value) ?? false;
    case "ends with":
      return labels[s.key]?.endsWith(s.value) ?? false;
    case "in":
      return Object.prototype.hasOwnProperty.call(labels, s.key) && s.values.includes(labels[s.key]);
    case "not in":
      return !Object.prototype.hasOwnProperty.call(labels, s.key) || !s.values.includes(labels[s.key]);
    case "!":
      return !matchesCalicoSelector(s.expr, labels);
    case "&&":
      return matchesCalicoSelector(s.left, labels) && matchesCalicoSelector(s.right, labels);
    case "||":
      return matchesCalicoSelector(s.left, labels) || matchesCalicoSelector(s.right, labels);
  }
}

/** Every id of a label index matching the selector, by set algebra over the index. */
export function selectCalicoIds(s: CalicoSelector, index: LabelIndex): IdSet {
  switch (s.op) {
    case "all":
      return ALL_IDS;
    case "global":
      return NO_IDS;
    case "has":
      return index.withKey(s.key);
    case "==":
      return index.withValue(s.key, s.value);
    case "!=":
      return complementIds(index.withValue(s.key, s.value));
    case "contains":
      return index.withKey(s.key, (v) => v.includes(s.value));
    case "starts with":
      return index.withKey(s.key, (v) => v.startsWith(s.value));
    case "ends with":
      return index.withKey(s.key, (v) => v.endsWith(s.value));
    case "in":
      return s.values.reduce<IdSet>((acc, v) => orIds(acc, index.withValue(s.key, v)), NO_IDS);
    case "not in":
      return complementIds(s.values.reduce<IdSet>((acc, v) => orIds(acc, index.withValue(s.key, v)), NO_IDS));
    case "!":
      return complementIds(selectCalicoIds(s.expr, index));
    case "&&":
      return andIds(selectCalicoIds(s.left, index), selectCalicoIds(s.right, index));
    case "||":
      return orIds(selectCalicoIds(s.left, index), selectCalicoIds(s.right, index));
  }
}
