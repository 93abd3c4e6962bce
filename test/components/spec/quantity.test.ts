import assert from "node:assert/strict";
import { compareQuantities, isQuantity, parseQuantity } from "../../../components/spec/quantity";

describe("Kubernetes quantities", () => {
  it("reads plain, decimal-SI, binary-SI and exponent forms in base units", () => {
    assert.equal(parseQuantity("2"), 2);
    assert.equal(parseQuantity("500m"), 0.5);
    assert.equal(parseQuantity("1.5"), 1.5);
    assert.equal(parseQuantity("8Gi"), 8 * 1024 ** 3);
    assert.equal(parseQuantity("10G"), 10e9);
    assert.equal(parseQuantity("1k"), 1000);
    assert.equal(parseQuantity("1e3"), 1000);
    assert.equal(parseQuantity("12E-1"), 1.2);
    assert.equal(parseQuantity(".5"), 0.5);
    assert.equal(parseQuantity("5."), 5);
    assert.equal(parseQuantity("+1Ki"), 1024);
  });

  it("treats a lone E as the exa suffix, not an exponent", () => {
    assert.equal(parseQuantity("1E"), 1e18);
  });

  it("keeps the sign so negative quantities can be rejected", () => {
    assert.equal(parseQuantity("-1Gi"), -(1024 ** 3));
  });

  it("rejects text that is not in the quantity grammar", () => {
    for (const bad of ["", "4 cores", "1GB", "Gi", "1.2.3", "1e", "1e1.5", "0x10", "1ki", "1 Gi", "--1"]) {
      assert.equal(isQuantity(bad), false, bad);
    }
  });

  it("compares quantities by value, not by spelling", () => {
    assert.equal(compareQuantities("0.5", "500m"), 0);
    assert.equal(compareQuantities("1Gi", "1000Mi"), 1);
    assert.equal(compareQuantities("100m", "2"), -1);
    assert.throws(() => compareQuantities("lots", "1"), /"lots" is not a quantity/);
  });
});
