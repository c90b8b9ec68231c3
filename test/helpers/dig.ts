import { runCommand } from '../../src/infra/exec.js';

/** What `dig +noall +answer` (BIND's own client, independent of drctl's resolver) says: "TTL DATA" per record, sorted. */
export async function dig(server: string, name: string, type: string): Promise<string[]> {
  const [host, port] = server.split(':');
  const r = await runCommand(
    ['dig', `@${host ?? '127.0.0.1'}`, '-p', port ?? '53', '+noall', '+answer', '+norecurse', '+time=2', '+tries=1', name, type],
    { timeoutMs: 5000 },
  );
  if (r.exitCode !== 0) throw new Error(`dig ${name} ${type} failed: ${r.stderr || r.stdout}`);
  return r.stdout
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => {
      const [, ttl, , , ...data] = l.split(/\s+/);
      return `${ttl ?? '?'} ${data.join(' ')}`;
    })
    .sort();
}

/** The zone's SOA serial (every dynamic update bumps it). */
export async function soaSerial(server: string, zone: string): Promise<number> {
  const [soa] = await dig(server, zone, 'SOA');
  return Number(soa?.split(' ')[3]);
}
