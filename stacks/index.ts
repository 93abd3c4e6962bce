// The Pulumi program: stack config → validated spec → Platform (stacks/program.ts). `Pulumi.yaml`
// points `main` here; the stack outputs are the program's return value.
import { platformProgram } from "./program";

export const { cluster, kubeContext, tenants, namespaces, layersEnabled, layersDisabled, installed, versions, grants, demoWorkloads, platformUrn } = platformProgram();
