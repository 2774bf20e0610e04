/**
 * The Azure Resource Manager endpoint: public cloud by default, or another one (`--arm-endpoint URL` /
 * `AZURE_ARM_ENDPOINT`) for sovereign clouds and for tests. Plain http is accepted only for loopback addresses.
 */
import { ToolFailure } from './errors';

export const PUBLIC_ARM_ENDPOINT = 'https://management.azure.com';

/** A checked ARM endpoint. */
export interface ArmEndpoint {
  /** Origin without a trailing slash, such as `https://management.usgovcloudapi.net`. */
  readonly url: string;
  /** True for `http://` on a loopback address (tests, local proxies). */
  readonly insecureLoopback: boolean;
  /** The token scope: `<endpoint>/.default`, or the public cloud's for loopback (a test server or local proxy). */
  readonly scope: string;
}

const LOOPBACK_HOSTS = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/i;

/** Picks the endpoint: the flag wins over the environment variable, which wins over the public cloud. */
export function resolveArmEndpoint(flag: string | undefined, env: NodeJS.ProcessEnv): ArmEndpoint {
  const given = flag ?? (env.AZURE_ARM_ENDPOINT?.trim() || undefined);
  const source = flag !== undefined ? '--arm-endpoint' : 'AZURE_ARM_ENDPOINT';
  if (given === undefined) return { url: PUBLIC_ARM_ENDPOINT, insecureLoopback: false, scope: `${PUBLIC_ARM_ENDPOINT}/.default` };
  let parsed: URL;
  try {
    parsed = new URL(given);
  } catch {
    throw new ToolFailure('usage', `${source} (${given}) is not a URL; give an origin such as https://management.usgovcloudapi.net`);
  }
  if (parsed.username || parsed.password) {
    throw new ToolFailure('usage', `${source} must not contain a user name or password; credentials come from the Azure credential chain or AZURE_ACCESS_TOKEN`);
  }
  if ((parsed.pathname !== '/' && parsed.pathname !== '') || parsed.search || parsed.hash) {
    throw new ToolFailure('usage', `${source} (${given}) must be an origin without a path or query, such as https://management.chinacloudapi.cn`);
  }
  const loopback = LOOPBACK_HOSTS.test(parsed.hostname);
  if (parsed.protocol === 'http:' && !loopback) {
    throw new ToolFailure('usage', `${source} (${given}) uses plain http, which is accepted only for loopback addresses (127.0.0.1, ::1, localhost); use https`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new ToolFailure('usage', `${source} (${given}) must be an https URL`);
  }
  const url = parsed.origin;
  return { url, insecureLoopback: parsed.protocol === 'http:', scope: loopback ? `${PUBLIC_ARM_ENDPOINT}/.default` : `${url}/.default` };
}
