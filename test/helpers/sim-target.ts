/**
 * A simulator serving one project (enterprise project "0") to one token, and the variables of a
 * target that points at it: what the tests of the commands and the daemon start from.
 */
import type { Env } from '../../src/config/load.js';
import type { ImageType } from '../../src/domain.js';
import { createSimulator, type Simulator } from '../../src/simulator/index.js';

export interface SimTargetOptions {
  project: string;
  token: string;
  seed: number;
  imagesPerScope: number;
  imageTypes: ImageType[];
}

export interface SimTarget {
  sim: Simulator;
  /** HSS_REGION, HSS_PROJECT_ID, HSS_ENDPOINT, HSS_AUTH_TOKEN and HSS_IMAGE_TYPES. */
  env: Env;
}

export async function startSimTarget(o: SimTargetOptions): Promise<SimTarget> {
  const sim = createSimulator({
    seed: o.seed,
    imagesPerScope: o.imagesPerScope,
    imageTypes: o.imageTypes,
    projects: [{ projectId: o.project, enterpriseProjects: ['0'] }],
    auth: { tokens: [o.token] },
  });
  const { url } = await sim.listen();
  return {
    sim,
    env: {
      HSS_REGION: 'cn-north-4',
      HSS_PROJECT_ID: o.project,
      HSS_ENDPOINT: url,
      HSS_AUTH_TOKEN: o.token,
      HSS_IMAGE_TYPES: o.imageTypes.join(','),
    },
  };
}
