// The lab's PlatformSpec for the sandbox tests: the `lab` stack's config, validated like
// `pulumi up` would (stacks/Pulumi.lab.yaml → validatePlatformConfig).
import { validatePlatformConfig } from "../../../components/spec/validate";
import type { PlatformSpec } from "../../../components/spec/types";
import { labConfig } from "../../fixtures/platform";

export function labSpec(): PlatformSpec {
  return validatePlatformConfig(labConfig());
}
