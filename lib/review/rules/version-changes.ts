/**
 * Container image and chart version changes: what actually rolls out new code. Images are found wherever a field
 * named `image` holds a string (pod templates, PyTorchJob, SparkApplication, InferenceService specs) and in Helm
 * values under `image.tag`/`image.repository`; chart versions in HelmRelease spec.chart.spec.version, HelmChart
 * spec.version and the ref of OCIRepository/GitRepository sources.
 */
import { shortValue } from '../field-diff';
import { ObjectChange, Risk, RiskRule } from '../types';

const IMAGE_RULE = 'image-change';
const CHART_RULE = 'chart-version-change';

const CHART_VERSION_PATHS: Readonly<Record<string, RegExp>> = {
  'helm.toolkit.fluxcd.io/HelmRelease': /^spec\.chart\.spec\.version$/,
  'source.toolkit.fluxcd.io/HelmChart': /^spec\.version$/,
  'source.toolkit.fluxcd.io/OCIRepository': /^spec\.ref\.(tag|semver|digest)$/,
  'source.toolkit.fluxcd.io/GitRepository': /^spec\.ref\.(tag|semver|commit|branch|name)$/,
};

function major(version: unknown): string | undefined {
  return typeof version === 'string' ? /^v?(\d+)\./.exec(version)?.[1] : undefined;
}

export const imageChangeRule: RiskRule = {
  id: IMAGE_RULE,
  summary: 'a container image (or Helm values image tag) changes: new code rolls out',
  check(change: ObjectChange): Risk[] {
    return change.fields
      .filter((f) => /(^|\.)image$|\.image\.(tag|repository)$/.test(f.path) && (typeof f.new === 'string' || typeof f.old === 'string'))
      .map((f) => ({
        level: 'info' as const, rule: IMAGE_RULE,
        reason: f.old === undefined ? `new image ${shortValue(f.new)} at ${f.path}`
          : f.new === undefined ? `image ${shortValue(f.old)} removed at ${f.path}`
            : `image ${shortValue(f.old)} → ${shortValue(f.new)} at ${f.path}: pods roll out the new image`,
      }));
  },
};

export const chartVersionRule: RiskRule = {
  id: CHART_RULE,
  summary: 'a Helm chart or source version changes (an operator upgrade: CRDs, RBAC and defaults may change); a major version bump is danger',
  check(change: ObjectChange): Risk[] {
    if (change.type !== 'changed' || change.base === undefined) return [];
    const pattern = CHART_VERSION_PATHS[`${change.base.ref.group}/${change.base.ref.kind}`];
    if (pattern === undefined) return [];
    return change.fields.filter((f) => pattern.test(f.path)).map((f) => {
      const majorBump = major(f.old) !== undefined && major(f.new) !== undefined && major(f.old) !== major(f.new);
      return {
        level: majorBump ? 'danger' as const : 'warning' as const, rule: CHART_RULE,
        reason: `${f.path} ${shortValue(f.old)} → ${shortValue(f.new)}: ${majorBump ? 'a major version upgrade, read the chart\'s upgrade notes' : 'the chart is upgraded (CRDs, RBAC and defaults may change)'}`,
      };
    });
  },
};
