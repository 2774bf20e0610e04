import { App, Chart } from 'cdk8s';
import { collectDeclaredFlows, declareFlow, declareFlows } from '../../lib/core/flows';

describe('declareFlow', () => {
  test('flows declared anywhere in an app are collected once, in a stable order; other apps keep their own', () => {
    const app = new App();
    const a = new Chart(app, 'a');
    const b = new Chart(app, 'b');
    const flow = { purpose: 'p', from: { namespace: 'x', podLabels: { app: 'x' } }, to: { cidr: '0.0.0.0/0' }, port: 443 } as const;
    declareFlow(b, { ...flow, port: 80 });
    declareFlow(a, flow);
    declareFlow(b, flow);
    declareFlows(a, { purpose: 'dns', from: flow.from, to: { cidr: '0.0.0.0/0' }, protocol: 'UDP' }, [53]);
    expect(collectDeclaredFlows(a).map((f) => `${f.purpose} ${f.port}`)).toEqual(['p 80', 'p 443', 'dns 53']);
    expect(collectDeclaredFlows(new App())).toEqual([]);
  });

  test('a flow with an invalid port, range or purpose names the construct and the value', () => {
    const chart = new Chart(new App(), 'c');
    const from = { namespace: 'x', podLabels: {} };
    expect(() => declareFlow(chart, { purpose: 'p', from, to: { cidr: '0.0.0.0/0' }, port: 0 })).toThrow(/declareFlow at 'c' \(p\): 'port' \(0\)/);
    expect(() => declareFlow(chart, { purpose: 'p', from, to: { cidr: '0.0.0.0/0' }, port: 10, endPort: 5 })).toThrow(/'endPort' \(5\)/);
    expect(() => declareFlow(chart, { purpose: ' ', from, to: { cidr: '0.0.0.0/0' }, port: 10 })).toThrow(/'purpose'/);
    expect(() => declareFlow(chart, { purpose: 'p', from: { cidr: '0.0.0.0/0' }, to: { cidr: '0.0.0.0/0' }, port: 10 })).toThrow(/both ends are address ranges/);
  });
});
