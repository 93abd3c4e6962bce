import assert from "node:assert/strict";
import { cidrContains, cidrsOverlap, formatIp, parseCidr, parseCidrOrAddress, parseIp } from "../../../components/spec/cidr";

function cidr(text: string) {
  const parsed = parseCidr(text);
  assert.ok(parsed, `${text} should parse`);
  return parsed;
}

describe("CIDR parsing", () => {
  it("parses IPv4 CIDRs and knows whether host bits are set", () => {
    assert.equal(cidr("10.244.0.0/16").hostBitsZero, true);
    const sloppy = cidr("10.244.1.0/16");
    assert.equal(sloppy.hostBitsZero, false);
    assert.equal(sloppy.canonical, "10.244.0.0/16");
  });

  it("parses IPv6 CIDRs, including compressed and IPv4-embedded forms, and formats them canonically", () => {
    assert.equal(cidr("FD00:10:244:0:0:0:0:0/56").canonical, "fd00:10:244::/56");
    assert.equal(cidr("fd00::1/64").canonical, "fd00::/64");
    assert.equal(cidr("::/0").canonical, "::/0");
    assert.equal(cidr("::ffff:10.0.0.1/128").canonical, "::ffff:a00:1/128");
    assert.equal(formatIp(6, parseIp("2001:db8:0:0:1:0:0:1")!.value), "2001:db8::1:0:0:1");
  });

  it("rejects malformed addresses and prefixes like Go's net.ParseCIDR", () => {
    for (const bad of ["10.244.0.0", "10.244.0/16", "010.244.0.0/16", "256.0.0.0/8", "10.0.0.0/33", "10.0.0.0/016", "fd00::/129", "fd00:::1/64", "1:2:3:4:5:6:7:8:9/64", "fe80::1%eth0/64", "10.0.0.0/", "/8"]) {
      assert.equal(parseCidr(bad), undefined, bad);
    }
  });

  it("detects overlap when one range contains or equals the other, and never across families", () => {
    assert.equal(cidrsOverlap(cidr("10.96.0.0/12"), cidr("10.96.0.0/16")), true);
    assert.equal(cidrsOverlap(cidr("10.96.0.0/16"), cidr("10.96.0.0/12")), true);
    assert.equal(cidrsOverlap(cidr("10.244.0.0/16"), cidr("10.96.0.0/16")), false);
    assert.equal(cidrsOverlap(cidr("10.0.0.0/8"), cidr("fd00::/8")), false);
    assert.equal(cidrsOverlap(cidr("fd00:10:244::/56"), cidr("fd00:10:244:1::/64")), true);
  });

  it("cidrContains tests membership of an address of the same family only", () => {
    assert.equal(cidrContains(cidr("10.96.0.0/12"), "10.96.0.10"), true);
    assert.equal(cidrContains(cidr("10.96.0.0/12"), "10.112.0.1"), false);
    assert.equal(cidrContains(cidr("0.0.0.0/0"), "fd00::1"), false);
    assert.equal(cidrContains(cidr("fd00:10:244::/56"), "fd00:10:244:0:ff::1"), true);
    assert.equal(cidrContains(cidr("10.0.0.0/8"), "not-an-ip"), false);
  });

  it("parseCidrOrAddress reads a bare address as a single-host block", () => {
    assert.equal(parseCidrOrAddress("10.1.2.3")?.canonical, "10.1.2.3/32");
    assert.equal(parseCidrOrAddress("fd00::1")?.canonical, "fd00::1/128");
    assert.equal(parseCidrOrAddress("10.1.0.0/16")?.canonical, "10.1.0.0/16");
    assert.equal(parseCidrOrAddress("10.1.2"), undefined);
  });
});
