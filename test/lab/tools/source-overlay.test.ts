import assert from "node:assert/strict";
import { overlayReplacements } from "../../../lab/tools/source-overlay";

describe("source overlay (go build -overlay for a pinned module)", () => {
  const files: Record<string, string[]> = { "/copy/pilot/pkg/x": ["a.go", "b.go", "a_test.go", "README.md"] };
  const list = (dir: string) => files[dir] ?? [];

  it("deletes every upstream non-test Go file of the package and adds the wrapper's file in its place", () => {
    const replace = overlayReplacements("/copy", "/repo/lab/tools/go/istio", [{ package: "pilot/pkg/x", file: "overlay/x.go" }], list);
    assert.deepEqual(replace, {
      "/copy/pilot/pkg/x/a.go": "",
      "/copy/pilot/pkg/x/b.go": "",
      "/copy/pilot/pkg/x/zz_hard_tenancy_overlay.go": "/repo/lab/tools/go/istio/overlay/x.go",
    });
  });

  it("refuses a package the pinned module does not have, naming the pin", () => {
    assert.throws(() => overlayReplacements("/copy", "/w", [{ package: "pilot/pkg/gone", file: "overlay/x.go" }], list), /sourceOverlay pilot\/pkg\/gone: the pinned module has no Go files there/);
  });
});
