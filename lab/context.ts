// Kube-context safety: every lab command that changes a cluster acts only on the lab's kind
// context, unless the user names another one explicitly with --context (then every kubectl call
// and the Pulumi provider get that context; nothing relies on the current context afterwards).
import { LAB_CONTEXT } from "./plan/settings";

export type ContextDecision = { ok: true; context: string; explicit: boolean } | { ok: false; message: string };

/**
 * `explicit`: the --context value (undefined when not given). `current`: output of
 * `kubectl config current-context` (undefined when kubectl reported no current context).
 */
export function decideContext(explicit: string | undefined, current: string | undefined): ContextDecision {
  if (explicit !== undefined) {
    const name = explicit.trim();
    if (name === "") return { ok: false, message: "--context: the value is empty; pass a context name from `kubectl config get-contexts`" };
    return { ok: true, context: name, explicit: true };
  }
  const now = current?.trim() ?? "";
  if (now === LAB_CONTEXT) return { ok: true, context: LAB_CONTEXT, explicit: false };
  const seen = now === "" ? "no current kube context is set" : `the current kube context is "${now}"`;
  return {
    ok: false,
    message:
      `refusing to act: ${seen}, not the lab's "${LAB_CONTEXT}". ` +
      `Switch with \`kubectl config use-context ${LAB_CONTEXT}\`, or pass --context NAME to target a context deliberately.`,
  };
}
