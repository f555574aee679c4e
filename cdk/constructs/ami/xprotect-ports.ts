/**
 * The XProtect ports the AMI deployment opens to clients, and only these (docs/AMI-DEPLOYMENT.md
 * has the table with sources). The AMI runs the management, recording, event and mobile servers and
 * SQL Server on one instance, so the ports they use between themselves (1433, 7475, 8080, 9000,
 * 12345 …) stay closed: that traffic never leaves the machine.
 */
export interface XProtectPort {
  port: number;
  component: 'management server' | 'recording server' | 'event server' | 'mobile server';
  purpose: string;
}

export const XPROTECT_CLIENT_PORTS: readonly XProtectPort[] = [
  {
    port: 80,
    component: 'management server',
    purpose: 'XProtect Smart Client and Management Client log-in and configuration over HTTP (Windows/AD users)',
  },
  {
    port: 443,
    component: 'management server',
    purpose: 'XProtect Smart Client and Management Client log-in and configuration over HTTPS (basic users)',
  },
  { port: 7563, component: 'recording server', purpose: 'live and recorded video and audio streamed to XProtect Smart Client' },
  { port: 22331, component: 'event server', purpose: 'alarms and events for XProtect Smart Client and Management Client' },
  { port: 8081, component: 'mobile server', purpose: 'XProtect Web Client and XProtect Mobile over HTTP' },
  { port: 8082, component: 'mobile server', purpose: 'XProtect Web Client and XProtect Mobile over HTTPS' },
] as const;
