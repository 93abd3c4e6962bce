import assert from "node:assert/strict";
import { listIds } from "../../../../../lab/model/idset";
import { checkGlobalPlacement, matchesCalicoSelector, parseCalicoSelector, selectCalicoIds } from "../../../../../lab/model/layers/calico/selector";
import { LabelIndex } from "../../../../../lab/model/selectors";

const labels = { app: "web", tier: "front", "hard-tenancy.io/tenant": "acme" };
const match = (src: string, l: Record<string, string> = labels) => matchesCalicoSelector(parseCalicoSelector(src), l);

describe("Calico selector", () => {
  it("evaluates == and != (which also matches a missing label)", () => {
    assert.equal(match("app == 'web'"), true);
    assert.equal(match('app == "db"'), false);
    assert.equal(match("app != 'db'"), true);
    assert.equal(match("missing != 'x'"), true);
  });

  it("evaluates in and not in sets", () => {
    assert.equal(match("tier in {'front', 'back'}"), true);
    assert.equal(match("tier not in {'front'}"), false);
    assert.equal(match("missing not in {'a'}"), true);
    assert.equal(match("missing in {'a'}"), false);
  });

  it("evaluates has, !has, all() and global()", () => {
    assert.equal(match("has(hard-tenancy.io/tenant)"), true);
    assert.equal(match("!has(app)"), false);
    assert.equal(match("all()"), true);
    assert.equal(match(""), true);
    assert.equal(match("global()"), false);
  });

  it("evaluates contains, starts with and ends with", () => {
    assert.equal(match("app contains 'e'"), true);
    assert.equal(match("app starts with 'we'"), true);
    assert.equal(match("app ends with 'x'"), false);
  });

  it("binds && tighter than || and honours parentheses and !", () => {
    assert.equal(match("app == 'db' && tier == 'front' || app == 'web'"), true);
    assert.equal(match("app == 'db' && (tier == 'front' || app == 'web')"), false);
    assert.equal(match("!(app == 'web' && tier == 'front')"), false);
  });

  it("reports parse errors with the field, the selector and the position", () => {
    assert.throws(() => parseCalicoSelector("app == web", "spec.selector"), /spec\.selector: invalid Calico selector "app == web": expected a quoted string .* at position 7/);
    assert.throws(() => parseCalicoSelector("app == 'web"), /unterminated string/);
    assert.throws(() => parseCalicoSelector("(app == 'web'"), /expected a closing \)/);
    assert.throws(() => parseCalicoSelector("app = 'web'"), /unexpected character "="; write ==/);
    assert.throws(() => parseCalicoSelector("app == 'a' tier == 'b'"), /join expressions with && or \|\|/);
    assert.throws(() => parseCalicoSelector("tier in {'a' 'b'}"), /expected , or \}/);
  });

  it("selects the same ids from a label index as matching one by one", () => {
    const items: Record<string, string>[] = [{ app: "web" }, { app: "db", t: "x" }, { t: "y" }, {}];
    const index = new LabelIndex(items);
    for (const src of ["app != 'web'", "has(t) && !(t in {'x'})", "app not in {'db'} || t == 'x'", "all()", "global()", "t starts with 'x'"]) {
      const expected = items.map((l, i) => (matchesCalicoSelector(parseCalicoSelector(src), l) ? i : -1)).filter((i) => i >= 0);
      assert.deepEqual(listIds(selectCalicoIds(parseCalicoSelector(src), index), items.length), expected, src);
    }
  });

  // Calico's documented syntax, tokenized as libcalico-go's tokenizer does (its own test table).
  it("accepts the operators without the space, as Calico's tokenizer reads starts\\s*with and not\\s*in", () => {
    assert.equal(match("app startswith 'we'"), true);
    assert.equal(match("app endswith 'eb'"), true);
    assert.equal(match("tier notin {'back'}"), true);
    assert.equal(match("app starts  with 'w'"), true);
    assert.equal(match("app notin{'web'}"), false);
    assert.equal(match("app contains'e'"), true);
    assert.equal(match("tier notin{'x'}&&!has(foo)||app in{'y'}"), true);
    assert.equal(match("contains contains 'contains'", { contains: "contains" }), true);
    assert.equal(match("startswith starts with 'v'", { startswith: "value" }), true);
  });

  it("reads has( key ) with spaces inside, a trailing comma in a set, and an empty set", () => {
    assert.equal(match("! has( app )"), false);
    assert.equal(match("tier in {'front',}"), true);
    assert.equal(match("tier not in {}"), true);
    assert.equal(match("all( )"), true);
  });

  it("rejects what Calico's tokenizer rejects: a space before has/all/global's parenthesis, unknown operators, newlines", () => {
    assert.throws(() => parseCalicoSelector("has (app)"), /expected ==, !=.* after label "has"/);
    assert.throws(() => parseCalicoSelector("all ()"), /after label "all"/);
    assert.throws(() => parseCalicoSelector("app squiggles 'v'"), /after label "app"/);
    assert.throws(() => parseCalicoSelector("app starts foo 'v'"), /after label "app"/);
    assert.throws(() => parseCalicoSelector("app == 'web'\n&& tier == 'front'"), /spaces and tabs only/);
    assert.throws(() => parseCalicoSelector("has()"), /expected a label key inside has\(/);
    assert.throws(() => parseCalicoSelector("tier in {,}"), /expected , or \}/);
  });

  it("allows global() only alone in a rule's namespaceSelector, as Calico's v3 API does", () => {
    const global = parseCalicoSelector("global()");
    assert.throws(() => checkGlobalPlacement(global, "spec.selector", "policy"), /spec\.selector: global\(\) can only be used in a rule's namespaceSelector/);
    assert.throws(() => checkGlobalPlacement(parseCalicoSelector("app == 'x' || global()"), "spec.ingress[0].source.selector", "rule selector"), /can only be used/);
    assert.throws(() => checkGlobalPlacement(parseCalicoSelector("global() && a == 'b'"), "spec.ingress[0].source.namespaceSelector", "rule namespaceSelector"), /cannot be combined/);
    assert.doesNotThrow(() => checkGlobalPlacement(global, "spec.ingress[0].source.namespaceSelector", "rule namespaceSelector"));
    assert.doesNotThrow(() => checkGlobalPlacement(parseCalicoSelector("app == 'x'"), "spec.selector", "policy"));
  });
});
