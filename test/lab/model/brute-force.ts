// The brute force the verdict's shortcuts are measured against: every probe of every ordered pair
// (and every tenant's controls) evaluated on its own per ablation with lab/model/probe.ts, one
// evaluator per ablation, every layer alone and every layer removed for each attack. Used by the
// differential tests only; nothing in the product takes this path.
import type { K8sObject } from "../../../components/k8s/object";
import type { PlatformSpec } from "../../../components/spec/types";
import { buildCellVerdict } from "../../../lab/model/cells";
import { defenseInDepth, isAttack } from "../../../lab/model/defense";
import { MESH_LAYERS, type MeshPresence } from "../../../lab/model/mesh";
import { platformModel } from "../../../lab/model/platform";
import { evaluateProbes } from "../../../lab/model/probe";
import type { CellVerdict, ProbeOutcome } from "../../../lab/model/verdict-types";
import { pairProbes, tenantControlProbes } from "../../../lab/probes/catalogue";
import { l34Catalogue } from "../../../lab/probes/l34-catalogue";
import type { LayerId } from "../../../lab/probes/types";

/** Every probe of every ordered pair (and every tenant's controls), each evaluated on its own per ablation. */
export function bruteForce(spec: PlatformSpec, objects: K8sObject[], ablate: LayerId[], mesh: MeshPresence = "present"): { cells: Map<string, CellVerdict>; outcomes: ProbeOutcome[] } {
  const model = platformModel(spec, objects);
  // Without a mesh: the L3/4-observable probes (derived from the whole catalogue, then split by cell), the mesh layers never active.
  const meshAbsent = mesh === "absent";
  const l34 = meshAbsent ? l34Catalogue(spec).probes : [];
  const groups: { key: string; probes: ReturnType<typeof pairProbes> }[] = [];
  const cellOf = (probe: (typeof l34)[number]): string => (["same-tenant", "dns", "shared-service", "api-server", "istiod"].includes(probe.category) || probe.victim === spec.sharedServices.namespace ? `${probe.attacker}>${probe.attacker}` : `${probe.attacker}>${probe.victim}`);
  for (const t of spec.tenants) groups.push({ key: `${t.name}>${t.name}`, probes: meshAbsent ? l34.filter((p) => cellOf(p) === `${t.name}>${t.name}`) : tenantControlProbes(spec, t) });
  for (const a of spec.tenants) for (const v of spec.tenants) if (a !== v) groups.push({ key: `${a.name}>${v.name}`, probes: meshAbsent ? l34.filter((p) => cellOf(p) === `${a.name}>${v.name}`) : pairProbes(spec, a, v) });
  const probes = groups.flatMap((g) => g.probes);
  const results = evaluateProbes(model, probes, { ablate, mesh });
  const attacks = probes.flatMap((p, i) => (isAttack(p) ? [i] : []));
  const base = meshAbsent ? [...new Set([...ablate, ...MESH_LAYERS])] : ablate;
  const defenses = defenseInDepth(spec, attacks.map((i) => probes[i]), base, (batch, without) => evaluateProbes(model, batch, { ablate: without, mesh }));
  const defenseAt = new Map(attacks.map((i, k) => [i, defenses[k]] as const));
  const outcomes: ProbeOutcome[] = probes.map((probe, i) => {
    const defense = defenseAt.get(i);
    return { probe, result: results[i], met: results[i].verdict === probe.intent, ...(defense ? { defense } : {}), represents: 1 };
  });
  const cells = new Map<string, CellVerdict>();
  let offset = 0;
  for (const g of groups) {
    cells.set(g.key, buildCellVerdict(outcomes.slice(offset, offset + g.probes.length)));
    offset += g.probes.length;
  }
  return { cells, outcomes };
}

/** A cell without the representative's names: grant ids (which name both tenants) become their ordinal. */
export function comparable(cell: CellVerdict): unknown {
  const grantIds: string[] = [];
  const canonical = (kind: string): string =>
    kind.replace(/^grant\/([^/]+)\//, (_m, id: string) => {
      if (!grantIds.includes(id)) grantIds.push(id);
      return `grant/#${grantIds.indexOf(id)}/`;
    });
  return {
    ...cell,
    violations: cell.violations.map(canonical),
    weakAttacks: cell.weakAttacks.map(canonical),
    probes: cell.probes.map((p) => ({ ...p, kind: canonical(p.kind) })),
  };
}
