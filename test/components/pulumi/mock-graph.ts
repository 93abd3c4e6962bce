// Test support: run Pulumi code under mocks and record the resource graph the engine would see —
// type, name, URN, parent, provider(s), dependencies (dependsOn as URNs) and inputs of every
// registration. `pulumi.runtime.setMocks`' own Mocks interface does not expose parents or
// dependencies, so we install a MockMonitor that records each RegisterResourceRequest.
import * as pulumi from "@pulumi/pulumi";
import { MockMonitor } from "@pulumi/pulumi/runtime/mocks";
import * as settings from "@pulumi/pulumi/runtime/settings";

export interface Registration {
  type: string;
  name: string;
  urn: string;
  parent: string;
  /** Provider reference `<provider urn>::<id>` ("" when none was given explicitly). */
  provider: string;
  /** Package → provider reference (remote components get their providers this way). */
  providers: Record<string, string>;
  dependencies: string[];
  custom: boolean;
  remote: boolean;
  inputs: Record<string, unknown>;
}

/** The subset of RegisterResourceRequest we read (generated protobuf class). */
interface RegisterRequest {
  getType(): string;
  getName(): string;
  getParent(): string;
  getProvider(): string;
  getProvidersMap(): { toObject(): [string, string][] };
  getDependenciesList(): string[];
  getCustom(): boolean;
  getRemote(): boolean;
}
type Callback = (err: unknown, response: { getUrn(): string; getObject(): { toJavaScript(): Record<string, unknown> } } | undefined) => void;

class RecordingMonitor extends MockMonitor {
  constructor(private readonly sink: Registration[]) {
    super({
      newResource: (args) => ({ id: args.custom ? `${args.name}-id` : undefined, state: args.inputs }),
      call: (args) => args.inputs,
    });
  }

  override async registerResource(req: RegisterRequest, callback: Callback): Promise<void> {
    return super.registerResource(req, (err, response) => {
      if (!err && response) {
        this.sink.push({
          type: req.getType(),
          name: req.getName(),
          urn: response.getUrn(),
          parent: req.getParent(),
          provider: req.getProvider(),
          providers: Object.fromEntries(req.getProvidersMap().toObject()),
          dependencies: req.getDependenciesList(),
          custom: req.getCustom(),
          remote: req.getRemote(),
          inputs: response.getObject().toJavaScript(),
        });
      }
      callback(err, response);
    });
  }
}

// A module-level function of @pulumi/pulumi/runtime/settings (it does not use `this`).
// eslint-disable-next-line @typescript-eslint/unbound-method
const waitForRPCs = (settings as unknown as { waitForRPCs(): Promise<void> }).waitForRPCs;

/** Fresh mocks (and stack config); returns the list every registration will be appended to. */
export function recordGraph(config: Record<string, string> = {}): Registration[] {
  const registrations: Registration[] = [];
  settings.setMockOptions(new RecordingMonitor(registrations), "hard-tenancy", "test", false);
  pulumi.runtime.setAllConfig(config);
  return registrations;
}

/** Waits until every registration issued so far has been answered. */
export async function settled(): Promise<void> {
  await waitForRPCs();
}

export class Graph {
  constructor(readonly registrations: readonly Registration[]) {}

  ofType(type: string): Registration[] {
    return this.registrations.filter((r) => r.type === type);
  }

  byName(type: string, name: string): Registration {
    const found = this.registrations.find((r) => r.type === type && r.name === name);
    if (!found) throw new Error(`no ${type} named ${name}; have: ${this.ofType(type).map((r) => r.name).join(", ") || "none"}`);
    return found;
  }

  byUrn(urn: string): Registration | undefined {
    return this.registrations.find((r) => r.urn === urn);
  }

  /** Kubernetes objects (custom resources of the kubernetes provider), by kind. */
  kind(kind: string): Registration[] {
    return this.registrations.filter((r) => r.custom && r.type.startsWith("kubernetes:") && r.type.endsWith(`:${kind}`));
  }

  childrenOf(parent: Registration): Registration[] {
    return this.registrations.filter((r) => r.parent === parent.urn);
  }

  /** Every registration below `root` (children, grandchildren, …). */
  descendantsOf(root: Registration): Registration[] {
    const out: Registration[] = [];
    const queue = [root.urn];
    while (queue.length > 0) {
      const urn = queue.shift() as string;
      for (const r of this.registrations) {
        if (r.parent === urn) {
          out.push(r);
          queue.push(r.urn);
        }
      }
    }
    return out;
  }

  dependsOn(dependent: Registration, dependency: Registration): boolean {
    return dependent.dependencies.includes(dependency.urn);
  }
}
