/** The scopes of a run: every (enterprise project, image type) of every target, in config order. */
import type { TargetConfig } from '../config/types.js';
import type { Scope } from '../domain.js';

export function scopesOf(targets: readonly TargetConfig[]): { target: TargetConfig; scope: Scope }[] {
  const out: { target: TargetConfig; scope: Scope }[] = [];
  for (const target of targets) {
    for (const ep of target.enterpriseProjectIds) {
      for (const imageType of target.imageTypes) {
        out.push({
          target,
          scope: { target: target.name, projectId: target.projectId, enterpriseProjectId: ep, imageType },
        });
      }
    }
  }
  return out;
}
