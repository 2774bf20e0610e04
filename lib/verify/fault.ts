/** Builds faults with the cluster's environment and name filled in. */
import { PlacedObject, objectRef } from './cluster-model';
import { VerifiedCluster, VerifyFault, VerifyRuleId } from './types';

/** The parts of a fault a rule decides. */
export interface FaultParts {
  readonly message: string;
  readonly upstream: string;
  readonly fix: string;
}

/** A fault of `rule` on `at` (an object in a folder). */
export function fault(cluster: VerifiedCluster, rule: VerifyRuleId, at: PlacedObject, parts: FaultParts): VerifyFault {
  return {
    rule,
    environment: cluster.facts.environment,
    cluster: cluster.facts.cluster,
    folder: at.folder,
    object: objectRef(at.obj),
    ...parts,
  };
}
