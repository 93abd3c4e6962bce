// Where the mesh tools are, when `npm run tools -- --group mesh` has built them for this checkout.
import { join } from "node:path";
import { locateTools } from "../../tools/build";
import type { MeshBinaries } from "./host-mesh";

export const MESH_TOOLS_GROUP = "mesh";

/** The built mesh binaries, or undefined (with where they would be) when the group is not built. */
export async function builtMeshBinaries(repoRoot: string, env: NodeJS.ProcessEnv = process.env): Promise<{ binaries?: MeshBinaries; dir: string }> {
  const { layout, manifest } = await locateTools(repoRoot, env, MESH_TOOLS_GROUP);
  if (!manifest) return { dir: layout.dir };
  const bin = (name: string) => join(layout.bin, name);
  return { dir: layout.dir, binaries: { pilotDiscovery: bin("pilot-discovery"), pilotAgent: bin("pilot-agent"), envoy: bin("envoy"), bootstrapTemplate: join(layout.files, "envoy_bootstrap_tmpl.json") } };
}
