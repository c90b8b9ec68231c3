/** An endpoint: a host name, an IPv4 address or an IPv6 address (given in brackets), and a port. */
export interface HostPort {
  readonly host: string;
  readonly port: number;
}

/** Why a text is not an endpoint: its form, or a port outside 1-65535 (portText: the port as written). */
export type HostPortProblem = { readonly problem: 'form' } | { readonly problem: 'port'; readonly portText: string };

/**
 * "host:port" or "[IPv6]:port"; without a port, defaultPort (when there is one, else a form problem).
 * The one reading of an address: store URLs, the kinds' params and checks, probes, the runtime API.
 */
export function parseHostPort(text: string, defaultPort?: number): HostPort | HostPortProblem {
  const m = /^(\[[^\]]+\]|[^:[\]]+)(?::(\d+))?$/.exec(text);
  if (!m?.[1] || (m[2] === undefined && defaultPort === undefined)) return { problem: 'form' };
  const port = m[2] === undefined ? (defaultPort as number) : Number(m[2]);
  if (port < 1 || port > 65535) return { problem: 'port', portText: m[2] ?? '' };
  return { host: m[1].replace(/^\[|\]$/g, ''), port };
}

/** The endpoint as text: "host:port", "[IPv6]:port" (readable back by parseHostPort). */
export const formatHostPort = (e: HostPort): string => (e.host.includes(':') ? `[${e.host}]:${e.port}` : `${e.host}:${e.port}`);

/** A one-line reason for a problem, naming the text ("127.0.0.1:99999": port 99999 is not 1-65535). */
export function hostPortProblemText(text: string, p: HostPortProblem, form = 'host:port'): string {
  return p.problem === 'port' ? `"${text}": port ${p.portText} is not 1-65535` : `"${text}" is not ${form}`;
}
