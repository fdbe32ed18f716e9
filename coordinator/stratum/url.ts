// Pool URLs as miners write them: stratum+tcp://host:port, stratum+ssl://host:port
// (stratum+tls is accepted as a synonym, as cgminer/XMRig do).
import { HashlingError } from '../../protocol/errors.ts';

export interface PoolEndpoint {
  url: string;
  host: string;
  port: number;
  tls: boolean;
}

export function parsePoolUrl(raw: string): PoolEndpoint {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new HashlingError('E_CONFIG', `pool URL ${JSON.stringify(raw)} is not a URL (expected stratum+tcp://host:port)`);
  }
  const scheme = u.protocol.slice(0, -1);
  const tls = scheme === 'stratum+ssl' || scheme === 'stratum+tls';
  if (!tls && scheme !== 'stratum+tcp') {
    throw new HashlingError('E_CONFIG', `pool URL ${raw}: scheme must be stratum+tcp or stratum+ssl`);
  }
  const port = Number(u.port);
  if (!u.hostname || !Number.isInteger(port) || port < 1) throw new HashlingError('E_CONFIG', `pool URL ${raw}: needs host and port`);
  // URL keeps IPv6 brackets in hostname; net.connect wants them off.
  return { url: raw, host: u.hostname.replace(/^\[|\]$/g, ''), port, tls };
}
