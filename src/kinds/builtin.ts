import { dbPrimaryKind } from './db-primary/index.js';
import { dnsRecordKind } from './dns-record/index.js';
import { execKind } from './exec.js';
import { faultFreezeKind } from './fault/freeze.js';
import { faultLinkKind } from './fault/link.js';
import { gateKind } from './gate.js';
import { haproxyServersKind } from './haproxy-servers/index.js';
import { httpKind } from './http.js';
import { mysqlPrimaryKind } from './mysql-primary/index.js';
import { nginxUpstreamKind } from './nginx-upstream/index.js';
import { redisFailoverKind } from './redis-failover/index.js';
import { rulesFlipKind } from './rules-flip/index.js';
import type { AnyKind } from '../model/kind.js';
import { waitKind } from './wait.js';

/** The built-in kinds, listed explicitly (no scanning, no import side effects). */
export const BUILTIN_KINDS: readonly AnyKind[] = [
  execKind,
  httpKind,
  waitKind,
  gateKind,
  rulesFlipKind,
  redisFailoverKind,
  dbPrimaryKind,
  haproxyServersKind,
  mysqlPrimaryKind,
  nginxUpstreamKind,
  dnsRecordKind,
  faultFreezeKind,
  faultLinkKind,
];
