/** Where ARM requests go, and which token scope is asked for. */
import { PUBLIC_ARM_ENDPOINT, resolveArmEndpoint } from '../../lib/azure/arm-endpoint';
import { resolveCredential, StaticTokenCredential } from '../../lib/azure/arm-client';
import { ToolFailure } from '../../lib/azure/errors';

test('defaults to the public cloud', () => {
  expect(resolveArmEndpoint(undefined, {})).toEqual({ url: PUBLIC_ARM_ENDPOINT, insecureLoopback: false, scope: `${PUBLIC_ARM_ENDPOINT}/.default` });
});

test('a sovereign cloud endpoint also sets the token scope', () => {
  expect(resolveArmEndpoint('https://management.chinacloudapi.cn/', {})).toEqual({ url: 'https://management.chinacloudapi.cn', insecureLoopback: false, scope: 'https://management.chinacloudapi.cn/.default' });
});

test('the flag wins over AZURE_ARM_ENDPOINT', () => {
  expect(resolveArmEndpoint('https://management.usgovcloudapi.net', { AZURE_ARM_ENDPOINT: 'https://management.chinacloudapi.cn' }).url).toBe('https://management.usgovcloudapi.net');
  expect(resolveArmEndpoint(undefined, { AZURE_ARM_ENDPOINT: 'https://management.chinacloudapi.cn' }).url).toBe('https://management.chinacloudapi.cn');
});

test.each(['http://127.0.0.1:8080', 'http://localhost:1234', 'http://[::1]:99', 'http://127.1.2.3'])('plain http is accepted for loopback %s', (url) => {
  expect(resolveArmEndpoint(url, {})).toMatchObject({ insecureLoopback: true, scope: `${PUBLIC_ARM_ENDPOINT}/.default` });
});

test.each([
  ['http://management.example.com', 'plain http'],
  ['http://10.0.0.5', 'plain http'],
  ['https://management.azure.com/subscriptions', 'without a path'],
  ['https://user:secret@management.azure.com', 'user name or password'],
  ['ftp://127.0.0.1', 'https URL'],
  ['not a url', 'is not a URL'],
])('rejects %s', (url, reason) => {
  expect(() => resolveArmEndpoint(url, {})).toThrow(ToolFailure);
  expect(() => resolveArmEndpoint(url, {})).toThrow(reason);
});

test('AZURE_ACCESS_TOKEN gives a static credential that does not print its token', async () => {
  const credential = resolveCredential({ AZURE_ACCESS_TOKEN: ' secret-token ' });
  expect(credential).toBeInstanceOf(StaticTokenCredential);
  expect((await credential.getToken('https://management.azure.com/.default'))?.token).toBe('secret-token');
  expect(JSON.stringify(credential)).not.toContain('secret-token');
  expect(require('util').inspect(credential)).not.toContain('secret-token');
});
