import assert from "node:assert/strict";
import { emptyPortSet, fullPortSet, intersectPorts, normalizeRanges, parsePortNumber, portSetOf, portSetToJson, subtractPorts, unionPorts } from "../../../lab/model/ports";

describe("port sets", () => {
  it("merges overlapping and adjacent ranges", () => {
    assert.deepEqual(normalizeRanges([[90, 95], [80, 80], [81, 85], [84, 88]]), [[80, 88], [90, 95]]);
  });

  it("unions, intersects and subtracts per protocol", () => {
    const a = portSetOf([{ protocol: "TCP", from: 1, to: 100 }, { protocol: "UDP", from: 53 }]);
    const b = portSetOf([{ protocol: "TCP", from: 50, to: 150 }]);
    assert.deepEqual(portSetToJson(unionPorts(a, b)), { TCP: [[1, 150]], UDP: [[53, 53]] });
    assert.deepEqual(portSetToJson(intersectPorts(a, b)), { TCP: [[50, 100]] });
    assert.deepEqual(portSetToJson(subtractPorts(fullPortSet(), portSetOf([{ protocol: "TCP", from: 10, to: 20 }, { protocol: "TCP", from: 30 }]))).TCP, [[1, 9], [21, 29], [31, 65535]]);
    assert.deepEqual(portSetToJson(emptyPortSet()), {});
  });

  it("rejects a port outside 1-65535 naming the field", () => {
    assert.throws(() => parsePortNumber(0, "spec.ports[0].port"), /spec\.ports\[0\]\.port: 0 is not a port number/);
  });
});
