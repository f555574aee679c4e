/** Where the dashboard finds the cell's user pool: `/config.json`, written beside the assets at deploy time. */
export interface DashboardConfig {
  userPool: { endpoint: string; clientId: string };
}

let loaded: Promise<DashboardConfig> | undefined;

export function dashboardConfig(): Promise<DashboardConfig> {
  loaded ??= fetch('/config.json', { cache: 'no-store' }).then(async (response) => {
    if (!response.ok) throw new Error('The dashboard configuration could not be loaded.');
    return (await response.json()) as DashboardConfig;
  });
  return loaded;
}
