import assert from "node:assert/strict";
import { listIds } from "../../../../../lab/model/idset";
import { matchesCalicoSelector, parseCalicoSelector, selectCalicoIds } from "../../../../../lab/model/layers/calico/selector";
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
    assert.throws(() => parseCalicoSelector("app = 'web'"), /unexpected character "="/);
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
});
