/** What a route needs to know about the workload behind it. */

/**
 * A backend port that serves HTTPS itself: the gateway opens TLS to it and verifies its certificate (a
 * BackendTLSPolicy with the Gateway API; the ingress-nginx proxy-ssl annotations in ingress mode).
 */
export interface BackendTls {
  /**
   * Secret in the backend's namespace whose `ca.crt` is the CA that signed the backend's certificate (created
   * outside dist/, such as the cert-manager Certificate Secret the backend serves from).
   */
  readonly caSecretName: string;
  /** Host name the backend's certificate is valid for (SNI and the name checked). */
  readonly hostname: string;
}

/** One port of a backend Service. */
export interface BackendPort {
  /** Port of the Service, which routes name. */
  readonly port: number;
  /** Container port the Service forwards to, which NetworkPolicies name. */
  readonly targetPort: number;
  /**
   * Name of the Service port (a BackendTLSPolicy targets it as `sectionName`).
   * @default - unnamed
   */
  readonly name?: string;
  /**
   * The port serves HTTPS: the gateway re-encrypts to it and verifies the certificate.
   * @default - plain HTTP
   */
  readonly tls?: BackendTls;
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
