/** What a route needs to know about the workload behind it. */

/** One port of a backend Service. */
export interface BackendPort {
  /** Port of the Service, which routes name. */
  readonly port: number;
  /** Container port the Service forwards to, which NetworkPolicies name. */
  readonly targetPort: number;
}

/**
 * A Service that routes may point at, as the construct that owns it describes it: its name and namespace, its
 * ports with their target container ports, and the labels of the pods behind it (for access rules). Also
 * describes Services created by operators (KServe's `<model>-predictor`), which are not in our output.
 */
export interface RouteBackend {
  /** Namespace of the Service. */
  readonly namespace: string;
  /** Name of the Service. */
  readonly serviceName: string;
  /** Ports of the Service. */
  readonly ports: readonly BackendPort[];
  /** Labels selecting the pods that serve the Service. */
  readonly podLabels: { readonly [key: string]: string };
}
