/** Notebooks (config key `notebooks`): JupyterHub with Entra ID sign-in, Workload Identity, home volumes and profiles. */
export * from './jupyterhub';
