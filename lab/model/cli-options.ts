// Options the verify CLI and the live-cluster audit share, parsed one way: each bad value is an
// error that names the option and the values it takes.
import { ENFORCEMENT_LAYERS } from "../../components/spec/types";
import type { LayerId } from "../probes/types";

/** `--ablate LAYER` values (repeatable); `fail` builds the caller's usage error. */
export function parseAblateOption(values: readonly string[] | undefined, fail: (message: string) => Error): LayerId[] {
  const ablate: LayerId[] = [];
  for (const layer of values ?? []) {
    if (!(ENFORCEMENT_LAYERS as readonly string[]).includes(layer)) throw fail(`--ablate ${layer}: unknown layer; use one of ${ENFORCEMENT_LAYERS.join(", ")}`);
    ablate.push(layer as LayerId);
  }
  return ablate;
}

/** `--grouping auto|on|off`: undefined (auto), true or false. */
export function parseGroupingOption(value: string | undefined, fail: (message: string) => Error): boolean | undefined {
  const values: Record<string, boolean | undefined> = { auto: undefined, on: true, off: false };
  if (value !== undefined && !(value in values)) throw fail(`--grouping ${value}: use auto, on or off`);
  return value === undefined ? undefined : values[value];
}
