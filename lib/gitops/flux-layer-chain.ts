import { Construct } from 'constructs';
import * as kustomize from '../../imports/kustomize.toolkit.fluxcd.io';
import * as source from '../../imports/source.toolkit.fluxcd.io';
import { HealthCheckExpression } from './flux-health-checks';

/** One delivery layer: a folder of the repository that Flux applies as one Kustomization. */
export interface FluxLayer {
  /** Name of the Flux Kustomization (a DNS label, such as `operators` or `workloads-2`). */
  readonly name: string;
  /** Path of the folder in the repository, starting with `./`. */
  readonly path: string;
  /**
   * Health checks for custom resources of the folder that have no Ready condition.
   * @default - none
   */
  readonly healthCheckExprs?: readonly HealthCheckExpression[];
}

/** Properties for `FluxLayerChain`. */
export interface FluxLayerChainProps {
  /** URL of the Git repository (`https://` or `ssh://`). */
  readonly url: string;
  /** The layers in delivery order: each one waits for the one before it. */
  readonly layers: readonly FluxLayer[];
  /**
   * Name of the GitRepository.
   * @default 'platform-manifests'
   */
  readonly sourceName?: string;
  /**
   * Namespace of the Flux objects.
   * @default 'flux-system'
   */
  readonly namespace?: string;
  /**
   * Branch Flux follows.
   * @default 'main'
   */
  readonly branch?: string;
  /**
   * Folder of the repository the source artifact is limited to (`.sourceignore` syntax: everything else is
   * ignored), such as `dist/example/serving`.
   * @default - the whole repository
   */
  readonly includeOnly?: string;
  /**
   * Secret in `namespace` with the Git credentials.
   * @default - none (a public repository)
   */
  readonly secretName?: string;
  /**
   * How often the repository is fetched.
   * @default '1m'
   */
  readonly sourceInterval?: string;
  /**
   * How often each layer is reconciled (drift correction).
   * @default '10m'
   */
  readonly interval?: string;
  /**
   * How soon a failed layer is retried.
   * @default '2m'
   */
  readonly retryInterval?: string;
  /**
   * Time a layer may take to apply and become healthy.
   * @default '15m'
   */
  readonly timeout?: string;
  /**
   * Labels on every Flux object.
   * @default - none
   */
  readonly labels?: { readonly [key: string]: string };
}

/**
 * The Flux entry point of one cluster: a GitRepository and one Flux Kustomization
 * (`kustomize.toolkit.fluxcd.io/v1`) per layer folder, chained with `dependsOn` so each layer is applied only
 * after the previous one is applied and healthy (`wait: true`). Every layer prunes what was removed from Git.
 */
export class FluxLayerChain extends Construct {
  /** The GitRepository (the default child). */
  public readonly resource: source.GitRepository;
  /** The Flux Kustomizations, in delivery order. */
  public readonly kustomizations: readonly kustomize.Kustomization[];
  /** Name of the GitRepository. */
  public readonly sourceName: string;
  /** Namespace of the Flux objects. */
  public readonly namespace: string;

  constructor(scope: Construct, id: string, props: FluxLayerChainProps) {
    super(scope, id);
    this.sourceName = props.sourceName ?? 'platform-manifests';
    this.namespace = props.namespace ?? 'flux-system';
    this.validateProps(id, props);
    const labels = props.labels ? { ...props.labels } : undefined;

    this.resource = new source.GitRepository(this, 'Resource', {
      metadata: { name: this.sourceName, namespace: this.namespace, labels },
      spec: {
        url: props.url,
        ref: { branch: props.branch ?? 'main' },
        interval: props.sourceInterval ?? '1m',
        timeout: '60s',
        secretRef: props.secretName ? { name: props.secretName } : undefined,
        ignore: props.includeOnly ? `/*\n!/${props.includeOnly}/\n` : undefined,
      },
    });

    this.kustomizations = props.layers.map((layer, index) => new kustomize.Kustomization(this, layer.name, {
      metadata: { name: layer.name, namespace: this.namespace, labels },
      spec: {
        sourceRef: { kind: kustomize.KustomizationSpecSourceRefKind.GIT_REPOSITORY, name: this.sourceName },
        path: layer.path,
        dependsOn: index === 0 ? undefined : [{ name: props.layers[index - 1].name }],
        interval: props.interval ?? '10m',
        retryInterval: props.retryInterval ?? '2m',
        timeout: props.timeout ?? '15m',
        prune: true,
        wait: true,
        healthCheckExprs: layer.healthCheckExprs?.length ? layer.healthCheckExprs.map((check) => ({ ...check })) : undefined,
      },
    }));
  }

  private validateProps(id: string, props: FluxLayerChainProps): void {
    const prefix = `FluxLayerChain '${id}'`;
    if (!/^(https|ssh):\/\/\S+$/.test(props.url)) {
      throw new Error(`${prefix}: 'url' ("${props.url}") must be an https:// or ssh:// Git URL`);
    }
    if (props.layers.length === 0) {
      throw new Error(`${prefix}: 'layers' is empty; give at least one layer folder`);
    }
    const seen = new Set<string>();
    for (const [index, layer] of props.layers.entries()) {
      if (!/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(layer.name)) {
        throw new Error(`${prefix}: 'layers[${index}].name' ("${layer.name}") must be a DNS label`);
      }
      if (seen.has(layer.name)) {
        throw new Error(`${prefix}: 'layers[${index}].name' ("${layer.name}") is used twice; layer names must be unique`);
      }
      seen.add(layer.name);
      if (!layer.path.startsWith('./')) {
        throw new Error(`${prefix}: 'layers[${index}].path' ("${layer.path}") must start with ./. Did you mean "./${layer.path.replace(/^\/+/, '')}"?`);
      }
    }
  }
}
