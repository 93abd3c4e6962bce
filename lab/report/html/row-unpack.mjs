// Unpacks the page's probe rows (row-codec.ts packRows) back into objects. Inlined into the page
// ahead of client.mjs; test/lab/report/html/row-codec.test.ts evaluates this same text.
// eslint-disable-next-line @typescript-eslint/no-unused-vars
function unpackRows(packed) {
  const verdicts = { a: "allow", d: "deny", n: "not-applicable", u: "unknown" };
  const layersOf = (letters) => {
    const layers = {};
    packed.layerOrder.forEach((layer, i) => {
      if (letters[i] !== "-") layers[layer] = verdicts[letters[i]];
    });
    return layers;
  };
  return packed.rows.map((r) => {
    const [id, kind, category, deny, description, verdict, observation, letters, defense, met, evidence, disagreement] = r;
    return {
      id,
      kind: kind === 0 ? id.slice("{attacker}->{victim}/".length) : kind,
      category,
      intent: deny === 1 ? "deny" : "allow",
      description,
      predicted: { verdict, observation: packed.observations[observation] },
      layers: layersOf(letters),
      defense: defense === 0 ? null : { count: defense[0], required: defense[1], blockingLayers: packed.layerOrder.filter((_, i) => defense[2][i] === "d") },
      met: met === 1,
      evidence: evidence === 0 ? null : evidence,
      disagreement: disagreement === 1,
    };
  });
}
