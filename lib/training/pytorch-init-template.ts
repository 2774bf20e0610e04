import { Construct } from 'constructs';
import * as yaml from 'js-yaml';
import * as k8s from '../core/k8s';
import type { FluxPatch } from '../gitops/flux-git-manifests';

/** Properties for `PyTorchInitContainerTemplate`. */
export interface PyTorchInitContainerTemplateProps {
  /** Namespace of the training operator (its Deployment mounts the template from a ConfigMap there). */
  readonly namespace: string;
  /**
   * Name of the ConfigMap.
   * @default 'training-operator-pytorch-init'
   */
  readonly name?: string;
  /**
   * Non-root user the init container runs as (alpine's `nobody`; nslookup needs no privileges).
   * @default 65534
   */
  readonly runAsUser?: number;
}

/** Where training operator v1.9.4 reads the template (`--pytorch-init-container-template-file` default, pkg/config/config.go). */
export const PYTORCH_INIT_TEMPLATE_DIR = '/etc/config';
const TEMPLATE_KEY = 'initContainer.yaml';

/**
 * The template of the `init-pytorch` container that the Kubeflow training operator injects into every Worker
 * of a PyTorchJob with a Master (kubeflow/trainer v1.9.4 pkg/controller.v1/pytorch/initcontainer.go). The
 * built-in template has no securityContext, so Workers are rejected in namespaces that enforce the restricted
 * Pod Security level. This construct renders the same container with a restricted securityContext into a
 * ConfigMap, and gives the Flux `patches` that mount it at `/etc/config` in the operator's Deployment, where the
 * operator reads it at its first use (it falls back to the built-in template silently when the file is missing).
 * The template keeps the operator's variables (`{{.InitContainerImage}}`, `{{.MaxTries}}`, `{{.MasterAddr}}`).
 */
export class PyTorchInitContainerTemplate extends Construct {
  /** The ConfigMap holding `initContainer.yaml` (the default child). */
  public readonly resource: k8s.KubeConfigMap;
  /** The Flux Kustomization patch that mounts the ConfigMap into Deployment `training-operator`. */
  public readonly patches: readonly FluxPatch[];

  constructor(scope: Construct, id: string, props: PyTorchInitContainerTemplateProps) {
    super(scope, id);
    const uid = props.runAsUser ?? 65534;
    if (!Number.isInteger(uid) || uid <= 0) {
      throw new Error(`PyTorchInitContainerTemplate '${id}': 'runAsUser' (${uid}) must be a non-root user id (a whole number > 0)`);
    }
    const name = props.name ?? 'training-operator-pytorch-init';
    const container = {
      name: 'init-pytorch',
      image: '{{.InitContainerImage}}',
      imagePullPolicy: 'IfNotPresent',
      resources: { limits: { cpu: '100m', memory: '20Mi' }, requests: { cpu: '50m', memory: '10Mi' } },
      command: ['sh', '-c', 'err=1;for i in $(seq {{.MaxTries}}); do if nslookup {{.MasterAddr}}; then err=0 && break; fi;echo waiting for master; sleep 2; done; exit $err'],
      securityContext: {
        allowPrivilegeEscalation: false,
        capabilities: { drop: ['ALL'] },
        runAsNonRoot: true,
        runAsUser: uid,
        runAsGroup: uid,
        readOnlyRootFilesystem: true,
        seccompProfile: { type: 'RuntimeDefault' },
      },
    };
    this.resource = new k8s.KubeConfigMap(this, 'Resource', {
      metadata: { name, namespace: props.namespace },
      data: { [TEMPLATE_KEY]: yaml.dump([container], { lineWidth: -1, noRefs: true }) },
    });
    const deploymentPatch = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'training-operator' },
      spec: { template: { spec: {
        containers: [{ name: 'training-operator', volumeMounts: [{ name: 'pytorch-init-template', mountPath: PYTORCH_INIT_TEMPLATE_DIR, readOnly: true }] }],
        volumes: [{ name: 'pytorch-init-template', configMap: { name } }],
      } } },
    };
    this.patches = [{ patch: yaml.dump(deploymentPatch, { lineWidth: -1, noRefs: true }), target: { kind: 'Deployment', name: 'training-operator' } }];
  }
}
