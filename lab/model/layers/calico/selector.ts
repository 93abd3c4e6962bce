// Calico's label selector language (docs.tigera.io, "Selectors" in the NetworkPolicy reference):
//   k == 'v'   k != 'v'          (!= also matches endpoints without k)
//   k in {'a','b'}   k not in {'a','b'}   (not in also matches endpoints without k)
//   has(k)  !has(k)  k contains 's'  k starts with 's'  k ends with 's'
//   all()  (everything)   global()  (non-namespaced resources only: never a pod or a namespace)
//   !expr   expr && expr   expr || expr   ( expr )      — && binds tighter than ||
// Strings are quoted with '…' or "…". An empty selector string is all().
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

type Token = { kind: "word" | "string" | "sym"; text: string; pos: number };

const KEY_CHARS = /[A-Za-z0-9_.\/-]/;

function tokenize(src: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (/\s/.test(c)) {
      i++;
    } else if (c === "'" || c === '"') {
      const end = src.indexOf(c, i + 1);
      if (end < 0) throw new SelectorParseError(`unterminated string starting at position ${i}; close it with ${c}`);
      tokens.push({ kind: "string", text: src.slice(i + 1, end), pos: i });
      i = end + 1;
    } else if (["==", "!=", "&&", "||"].includes(src.slice(i, i + 2))) {
      tokens.push({ kind: "sym", text: src.slice(i, i + 2), pos: i });
      i += 2;
    } else if ("!(){},".includes(c)) {
      tokens.push({ kind: "sym", text: c, pos: i });
      i++;
    } else if (KEY_CHARS.test(c)) {
      const start = i;
      while (i < src.length && KEY_CHARS.test(src[i])) i++;
      tokens.push({ kind: "word", text: src.slice(start, i), pos: start });
    } else {
      throw new SelectorParseError(`unexpected character ${JSON.stringify(c)} at position ${i}`);
    }
  }
  return tokens;
}

class Parser {
  private i = 0;
  constructor(private readonly tokens: Token[], private readonly src: string) {}

  private peek(offset = 0): Token | undefined {
    return this.tokens[this.i + offset];
  }

  private where(): string {
    const t = this.peek();
    return t ? `at position ${t.pos} (${JSON.stringify(t.text)})` : "at the end";
  }

  private expect(text: string, what = JSON.stringify(text)): Token {
    const t = this.peek();
    if (!t || t.text !== text || t.kind === "string") throw new SelectorParseError(`expected ${what} ${this.where()}`);
    this.i++;
    return t;
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
    if (this.peek()) throw new SelectorParseError(`unexpected ${JSON.stringify(this.peek()!.text)} at position ${this.peek()!.pos}; join expressions with && or ||`);
    return expr;
  }

  private or(): CalicoSelector {
    let left = this.and();
    while (this.peek()?.text === "||" && this.peek()?.kind === "sym") {
      this.i++;
      left = { op: "||", left, right: this.and() };
    }
    return left;
  }

  private and(): CalicoSelector {
    let left = this.unary();
    while (this.peek()?.text === "&&" && this.peek()?.kind === "sym") {
      this.i++;
      left = { op: "&&", left, right: this.unary() };
    }
    return left;
  }

  private unary(): CalicoSelector {
    const t = this.peek();
    if (t?.kind === "sym" && t.text === "!") {
      this.i++;
      return { op: "!", expr: this.unary() };
    }
    if (t?.kind === "sym" && t.text === "(") {
      this.i++;
      const inner = this.or();
      this.expect(")", "a closing )");
      return inner;
    }
    return this.primary();
  }

  private primary(): CalicoSelector {
    const t = this.peek();
    if (!t || t.kind !== "word") throw new SelectorParseError(`expected a label key, has(…), all() or global() ${this.where()}`);
    this.i++;
    if ((t.text === "all" || t.text === "global") && this.peek()?.text === "(") {
      this.expect("(");
      this.expect(")", `a closing ) for ${t.text}()`);
      return { op: t.text };
    }
    if (t.text === "has" && this.peek()?.text === "(") {
      this.expect("(");
      const key = this.peek();
      if (!key || key.kind !== "word") throw new SelectorParseError(`expected a label key inside has() ${this.where()}`);
      this.i++;
      this.expect(")", "a closing ) for has()");
      return { op: "has", key: key.text };
    }
    const key = t.text;
    const next = this.peek();
    if (next?.kind === "sym" && (next.text === "==" || next.text === "!=")) {
      this.i++;
      return { op: next.text, key, value: this.string() };
    }
    if (next?.kind === "word") {
      if (next.text === "in") {
        this.i++;
        return { op: "in", key, values: this.set() };
      }
      if (next.text === "not" && this.peek(1)?.text === "in") {
        this.i += 2;
        return { op: "not in", key, values: this.set() };
      }
      if (next.text === "contains") {
        this.i++;
        return { op: "contains", key, value: this.string() };
      }
      if ((next.text === "starts" || next.text === "ends") && this.peek(1)?.text === "with") {
        this.i += 2;
        return { op: next.text === "starts" ? "starts with" : "ends with", key, value: this.string() };
      }
    }
    throw new SelectorParseError(`expected ==, !=, in, not in, contains, starts with or ends with after label ${JSON.stringify(key)} ${this.where()}`);
  }

  private set(): string[] {
    this.expect("{", "{ to open a set of values");
    const values: string[] = [];
    if (this.peek()?.text === "}" && this.peek()?.kind === "sym") {
      this.i++;
      return values;
    }
    for (;;) {
      values.push(this.string());
      if (this.peek()?.text === "," && this.peek()?.kind === "sym") {
        this.i++;
        continue;
      }
      this.expect("}", ", or } in the set of values");
      return values;
    }
  }
}

const parsed = new Map<string, CalicoSelector>();

/** Parses a selector; errors name `field` and the position. Results are cached by text. */
export function parseCalicoSelector(src: string, field = "selector"): CalicoSelector {
  const hit = parsed.get(src);
  if (hit) return hit;
  try {
    const ast = new Parser(tokenize(src), src).parse();
    parsed.set(src, ast);
    return ast;
  } catch (err) {
    if (err instanceof SelectorParseError) throw new SelectorParseError(`${field}: invalid Calico selector ${JSON.stringify(src)}: ${err.message}`);
    throw err;
  }
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
