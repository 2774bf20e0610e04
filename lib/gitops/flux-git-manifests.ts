import { Construct } from 'constructs';
import * as kustomize from '../../imports/kustomize.toolkit.fluxcd.io';
import * as source from '../../imports/source.toolkit.fluxcd.io';

/** Properties for `FluxGitManifests`. */
export interface FluxGitManifestsProps {
  /** Name of the GitRepository and of the Flux Kustomization. */
  readonly name: string;
  /** Namespace of both Flux objects (the Flux namespace). */
  readonly namespace: string;
  /** https URL of the upstream Git repository. */
  readonly repository: string;
  /** Exact Git tag (`v1.9.4`); branches are rejected so the manifests are pinned. */
  readonly tag: string;
  /** Path of the kustomize overlay in the repository, starting with `./`. */
  readonly path: string;
  /**
   * How often the manifests are reconciled.
   * @default '30m'
   */
  readonly interval?: string;
  /**
   * Time allowed to apply the manifests and for them to become healthy.
   * @default '10m'
   */
  readonly timeout?: string;
  /**
   * Labels on both Flux objects.
   * @default - none
   */
  readonly labels?: { readonly [key: string]: string };
  /**
   * Kustomize patches Flux applies to the upstream manifests (`spec.patches`: a strategic merge or JSON 6902
   * patch and the target it applies to).
   * @default - none
   */
  readonly patches?: readonly FluxPatch[];
}

/** One entry of a Flux Kustomization's `spec.patches`. */
export interface FluxPatch {
  /** The patch, as YAML (strategic merge, `$patch: delete` included) or a JSON 6902 list. */
  readonly patch: string;
  /** The objects it applies to. */
  readonly target: { readonly kind: string; readonly name: string; readonly namespace?: string };
}

/**
 * Upstream kustomize manifests at one Git tag, applied by Flux: a GitRepository pinned to the tag and a Flux
 * Kustomization (`wait`, `prune`) of one overlay. For operators that publish no Helm chart, such as the
 * Kubeflow training operator v1.
 */
export class FluxGitManifests extends Construct {
  /** The Flux Kustomization (the default child). */
  public readonly resource: kustomize.Kustomization;
  /** The GitRepository pinned to the tag. */
  public readonly gitRepository: source.GitRepository;
  /** Name of both Flux objects. */
  public readonly name: string;

  constructor(scope: Construct, id: string, props: FluxGitManifestsProps) {
    super(scope, id);
    this.validateProps(id, props);
    this.name = props.name;
    const metadata = { name: props.name, namespace: props.namespace, labels: props.labels ? { ...props.labels } : undefined };
    this.gitRepository = new source.GitRepository(this, 'source', {
      metadata,
      spec: { url: props.repository, ref: { tag: props.tag }, interval: '12h' },
    });
    this.resource = new kustomize.Kustomization(this, 'Resource', {
      metadata,
      spec: {
        sourceRef: { kind: kustomize.KustomizationSpecSourceRefKind.GIT_REPOSITORY, name: props.name },
        path: props.path,
        interval: props.interval ?? '30m',
        timeout: props.timeout ?? '10m',
        retryInterval: '2m',
        prune: true,
        wait: true,
        patches: props.patches?.length ? props.patches.map((p) => ({ patch: p.patch, target: { ...p.target } })) : undefined,
      },
    });
  }

  private validateProps(id: string, props: FluxGitManifestsProps): void {
    const prefix = `FluxGitManifests '${id}'`;
    if (!/^https:\/\/\S+$/.test(props.repository)) {
      throw new Error(`${prefix}: 'repository' ("${props.repository}") must be an https:// URL`);
    }
    if (!/^v?[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$/.test(props.tag)) {
      throw new Error(`${prefix}: 'tag' ("${props.tag}") must be an exact release tag such as v1.9.4; branches are not reproducible`);
    }
    if (!props.path.startsWith('./')) {
      throw new Error(`${prefix}: 'path' ("${props.path}") must start with ./ (relative to the repository root). Did you mean "./${props.path.replace(/^\/+/, '')}"?`);
    }
  }
}
