import assert from "node:assert/strict";
import { decideContext } from "../../lab/context";

describe("lab kube-context safety", () => {
  it("acts on the lab's kind context when it is the current one", () => {
    assert.deepEqual(decideContext(undefined, "kind-hard-tenancy-lab\n"), { ok: true, context: "kind-hard-tenancy-lab", explicit: false });
  });

  it("refuses any other current context and says how to proceed", () => {
    const decision = decideContext(undefined, "prod-eu-1");
    assert.equal(decision.ok, false);
    assert.match(decision.ok ? "" : decision.message, /current kube context is "prod-eu-1", not the lab's "kind-hard-tenancy-lab".*--context NAME/);
    assert.match((decideContext(undefined, undefined) as { message: string }).message, /no current kube context is set/);
  });

  it("acts on a context named explicitly with --context, whatever the current one is", () => {
    assert.deepEqual(decideContext("staging", "prod-eu-1"), { ok: true, context: "staging", explicit: true });
    assert.equal(decideContext("  ", "kind-hard-tenancy-lab").ok, false);
  });
});
