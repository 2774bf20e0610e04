/**
 * Failures of the Azure tools (preflight, deploy): each kind has one clear line for people and its own exit
 * status for scripts. Stack traces are never printed; SDK error text is reduced to the ARM error code and message.
 */

/** Exit statuses of `preflight` and `deploy`. Distinct per failure kind so CI can react to each. */
export const EXIT = {
  OK: 0,
  /** Preflight found at least one mismatch between the cluster and the config. */
  MISMATCH: 1,
  /** Bad command line (unknown option, bad endpoint, unknown environment or cluster). */
  USAGE: 2,
  /** The config file is invalid. */
  CONFIG: 3,
  /** No Azure credential could get a token, or ARM rejected the token (401). */
  NOT_LOGGED_IN: 4,
  /** ARM answered 403 (AuthorizationFailed): the identity lacks a role on the cluster. */
  FORBIDDEN: 5,
  /** ARM answered 404: the resource group or the cluster does not exist. */
  NOT_FOUND: 6,
  /** Throttling (429), transient 5xx, an unreachable endpoint or one that does not answer in time, still failing after the bounded retries. */
  TRANSIENT: 7,
  /** The AKS cluster is stopped (`az aks stop`). */
  CLUSTER_STOPPED: 8,
  /** kubectl failed, or the kubeconfig from ARM is unusable, or the dist/ folders are missing. */
  DEPLOY_FAILED: 9,
  /** Anything else (a bug): one line, no stack. */
  INTERNAL: 70,
  /** Interrupted by SIGINT / SIGTERM / SIGHUP (128 + signal number). */
  SIGINT: 130,
  SIGTERM: 143,
  SIGHUP: 129,
} as const;

export type FailureKind = 'usage' | 'config' | 'not-logged-in' | 'forbidden' | 'not-found' | 'transient' | 'cluster-stopped' | 'deploy-failed' | 'internal';

const EXIT_OF_KIND: Record<FailureKind, number> = {
  'usage': EXIT.USAGE,
  'config': EXIT.CONFIG,
  'not-logged-in': EXIT.NOT_LOGGED_IN,
  'forbidden': EXIT.FORBIDDEN,
  'not-found': EXIT.NOT_FOUND,
  'transient': EXIT.TRANSIENT,
  'cluster-stopped': EXIT.CLUSTER_STOPPED,
  'deploy-failed': EXIT.DEPLOY_FAILED,
  'internal': EXIT.INTERNAL,
};

/** A failure the tools know how to explain: a kind (and so an exit status) and one line of text. */
export class ToolFailure extends Error {
  public readonly kind: FailureKind;
  public readonly exitCode: number;

  constructor(kind: FailureKind, message: string) {
    super(message);
    this.name = 'ToolFailure';
    this.kind = kind;
    this.exitCode = EXIT_OF_KIND[kind];
  }
}

/** What the tool was doing, for the error line: `reading AKS cluster aks-x in resource group rg`. */
export interface FailureContext {
  readonly action: string;
  readonly resourceGroup: string;
  readonly clusterName: string;
  readonly subscriptionId: string;
}

interface RestErrorLike {
  readonly name: string;
  readonly statusCode?: number;
  readonly code?: string;
  readonly message: string;
}

const CREDENTIAL_ERROR_NAMES = new Set(['CredentialUnavailableError', 'AggregateAuthenticationError', 'AuthenticationError', 'AuthenticationRequiredError']);
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'ETIMEDOUT', 'ESOCKETTIMEDOUT', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

/** Turns any error thrown while talking to Azure into a ToolFailure with one clear line. */
export function classifyAzureError(error: unknown, context: FailureContext): ToolFailure {
  if (error instanceof ToolFailure) return error;
  const err = error as RestErrorLike;
  const where = `${context.action} '${context.clusterName}' in resource group '${context.resourceGroup}' (subscription ${context.subscriptionId})`;
  if (err && (err as { armTimeout?: unknown }).armTimeout === true) {
    const timeout = err as RestErrorLike & { attempts?: number };
    const attempts = timeout.attempts ?? 1;
    return new ToolFailure('transient', `${firstLine(err.message)} (--arm-timeout / AZURE_ARM_TIMEOUT) while ${where}, after ${attempts} attempt${attempts === 1 ? '' : 's'}; check the network, the endpoint (--arm-endpoint / AZURE_ARM_ENDPOINT) or give a longer --arm-timeout`);
  }
  if (err && CREDENTIAL_ERROR_NAMES.has(err.name)) {
    return new ToolFailure('not-logged-in', `not logged in to Azure: no credential of the default chain could get a token while ${where}; run 'az login' (or set AZURE_ACCESS_TOKEN, or the AZURE_CLIENT_ID/AZURE_TENANT_ID/AZURE_FEDERATED_TOKEN_FILE of a workload identity)`);
  }
  if (err && err.name === 'RestError') {
    const status = err.statusCode;
    const armMessage = firstLine(err.message);
    if (status === 401) {
      return new ToolFailure('not-logged-in', `Azure rejected the access token (401 ${err.code ?? 'Unauthorized'}) while ${where}; log in again ('az login') or issue a fresh AZURE_ACCESS_TOKEN for https://management.azure.com`);
    }
    if (status === 403) {
      return new ToolFailure('forbidden', `no permission (403 ${err.code ?? 'Forbidden'}) while ${where}: ${armMessage} Fix: grant the identity 'Azure Kubernetes Service Cluster User Role' (kubeconfig) and Reader (cluster properties) on the cluster`);
    }
    if (status === 404) {
      const what = err.code === 'ResourceGroupNotFound' ? `resource group '${context.resourceGroup}'` : `AKS cluster '${context.clusterName}'`;
      return new ToolFailure('not-found', `not found (404 ${err.code ?? 'NotFound'}) while ${where}: ${what} does not exist in subscription ${context.subscriptionId}. Fix: correct clusters.<name>.azure in the config, or select the subscription that holds it`);
    }
    if (status === 408 || status === 429 || (status !== undefined && status >= 500)) {
      return new ToolFailure('transient', `Azure kept failing (HTTP ${status}${err.code ? ` ${err.code}` : ''}) while ${where}, after the bounded retries; try again later`);
    }
    if (err.code && NETWORK_CODES.has(err.code)) {
      return new ToolFailure('transient', `cannot reach Azure Resource Manager (${err.code}) while ${where}, after the bounded retries; check the network or --arm-endpoint / AZURE_ARM_ENDPOINT`);
    }
    return new ToolFailure('internal', `unexpected Azure answer (HTTP ${status ?? '?'}${err.code ? ` ${err.code}` : ''}) while ${where}: ${armMessage}`);
  }
  return new ToolFailure('internal', `unexpected error while ${where}: ${firstLine(error instanceof Error ? error.message : String(error))}`);
}

/** The first line of a message, trimmed and bounded, so error output stays one line. */
export function firstLine(text: string, max = 300): string {
  const line = (text ?? '').split(/\r?\n/)[0].trim();
  return line.length > max ? `${line.slice(0, max - 3)}...` : line;
}
