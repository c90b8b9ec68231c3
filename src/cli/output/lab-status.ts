import type { LabStatus } from '../../lab/index.js';

/** `drctl lab status` for humans: processes per data center, then who is primary for each service. */
export function renderLabStatus(s: LabStatus): string {
  if (!s.exists) return `no lab in ${s.dir} (drctl lab up)`;
  const lines = [`lab in ${s.dir}: ${s.running ? 'running' : 'NOT running'}`, ''];
  const w = Math.max(...s.processes.map((p) => p.name.length));
  for (const p of s.processes) {
    const state = !p.alive ? 'DOWN' : p.frozen ? 'FROZEN' : 'up';
    lines.push(
      `  ${p.dc.padEnd(5)} ${p.name.padEnd(w)}  ${`${p.host ?? '127.0.0.1'}:${p.port}`.padEnd(22)} pid ${String(p.pid).padEnd(7)} ${state.padEnd(6)} ${p.role ?? ''}`.trimEnd(),
    );
  }
  lines.push('');
  for (const r of s.redis)
    lines.push(`  redis ${r.group}: master ${r.master ?? '?'} (${r.masterDc ?? '?'}); sentinels see ${r.sentinelViews.join(', ') || '-'}`);
  lines.push(`  postgres: primary ${s.pgPrimary.name ?? '?'} (${s.pgPrimary.dc ?? '?'})`);
  lines.push(
    `  mariadb: primary ${s.mysql.primary.name ?? '?'} (${s.mysql.primary.dc ?? '?'}); ${s.mysql.members.map((m) => `${m.name} ${m.role}${m.source ? ` of ${m.source} (IO ${m.io ?? '?'}, SQL ${m.sql ?? '?'})` : ''}`).join(', ')}`,
  );
  lines.push(`  haproxy: ${s.haproxy.map((h) => `${h.server}=${h.state}${h.up ? '' : '(down)'}`).join(' ') || 'no answer'}`);
  lines.push(`  nginx: ${s.nginx.map((n) => `${n.server}=${n.state}${n.weight !== 1 ? `/w${n.weight}` : ''}`).join(' ') || 'no answer'}`);
  lines.push(`  dns ${s.dns.name}: ${s.dns.error ?? s.dns.answer.join(', ')}`);
  lines.push(`  middleware active dc: ${s.middlewareActiveDc ?? '?'}`);
  if (s.etcd) {
    const members = s.etcd.members.map((m) => `${m.name}${m.leader ? '*' : ''}${m.reachable ? '' : '(unreachable)'}`).join(' ');
    lines.push(`  etcd ${s.etcd.url}: leader ${s.etcd.leader ?? '? (no leader seen)'}; members ${members}`);
  }
  return lines.join('\n');
}
