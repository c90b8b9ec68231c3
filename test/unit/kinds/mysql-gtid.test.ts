import { describe, expect, test } from 'vitest';
import { dialectOf, flavorOf, readReplicaRow } from '../../../src/kinds/mysql-primary/dialect.js';
import { countOf, mariadbNotIn, missingCount, missingText, newest } from '../../../src/kinds/mysql-primary/gtid.js';

// MySQL proper cannot run in the lab (Debian ships MariaDB): its GTID arithmetic and statements are checked here.
const U1 = '3e11fa47-71ca-11e1-9e33-c80aa9429562';
const U2 = '4f22fb58-82db-22f2-af44-d91bba53a673';

describe('GTID positions', () => {
  test('MariaDB: what a replica misses is the seq_no gap per domain', () => {
    expect(missingCount('mariadb', '0-1-105,1-2-7', '0-1-100,1-2-7')).toBe(5);
    expect(missingText('mariadb', '0-1-105,1-2-7', '0-1-100,1-2-6')).toBe('0-1-101..105,1-2-7');
    expect(missingCount('mariadb', '0-1-100', '0-2-103')).toBe(0); // ahead (a newer primary's writes)
    expect(missingText('mariadb', '0-1-5', '')).toBe('0-1-1..5');
    expect(newest('mariadb', '0-1-5,1-1-9', '0-2-7')).toBe('0-2-7,1-1-9');
    expect(countOf('mariadb', '0-1-5,1-1-9')).toBe(14);
    expect(() => missingCount('mariadb', '0-1', '')).toThrow('bad MariaDB GTID "0-1"');
  });

  test("MariaDB: a former primary diverged when its last own transactions are not in the new primary's binlog state", () => {
    expect(mariadbNotIn('0-1-105', '0-1-100,0-2-103')).toBe('0-1-101..105');
    expect(mariadbNotIn('0-1-100', '0-1-100,0-2-103')).toBe('');
    expect(mariadbNotIn('0-1-101', '0-1-100,0-2-103')).toBe('0-1-101');
  });

  test('MySQL: what a replica misses is a GTID set difference', () => {
    const primary = `${U1}:1-100:102-110,${U2}:1-5`;
    expect(missingCount('mysql', primary, `${U1}:1-100:102-108`)).toBe(7);
    expect(missingText('mysql', primary, `${U1.toUpperCase()}:1-100:102-108,${U2}:1-5`)).toBe(`${U1}:109-110`);
    expect(missingText('mysql', `${U1}:1-10`, `${U1}:3-4:6`)).toBe(`${U1}:1-2:5:7-10`);
    expect(newest('mysql', `${U1}:1-5`, `${U1}:6-9,${U2}:1`)).toBe(`${U1}:1-9,${U2}:1`);
    expect(countOf('mysql', `${U1}:1-5:7, ${U2}:2-3`)).toBe(8);
  });
});

describe('MariaDB and MySQL statements', () => {
  test("the server's version picks the flavor and, for MySQL, the syntax (8.0.23+ REPLICA/SOURCE, which 8.4 requires)", () => {
    expect(flavorOf('10.11.19-MariaDB-0+deb12u1-log')).toEqual({ flavor: 'mariadb', modern: false });
    expect(flavorOf('8.0.22')).toEqual({ flavor: 'mysql', modern: false });
    expect(flavorOf('8.0.36-0ubuntu0.22.04.1')).toEqual({ flavor: 'mysql', modern: true });
    expect(flavorOf('8.4.3')).toEqual({ flavor: 'mysql', modern: true });
    expect(flavorOf('5.7.44-log')).toEqual({ flavor: 'mysql', modern: false });
  });

  test('MariaDB: read_only, MASTER_GTID_WAIT, slave_pos; MySQL: super_read_only, WAIT_FOR_EXECUTED_GTID_SET, auto-position', () => {
    const maria = dialectOf('10.11.19-MariaDB');
    expect(maria.fence).toEqual(['SET GLOBAL read_only = 1']);
    expect(maria.waitApplied).toBe('SELECT MASTER_GTID_WAIT(?, ?) AS w');
    expect(maria.waitSeconds(250)).toBe(0.25);
    expect(maria.seedApplied).toEqual(['SET GLOBAL gtid_slave_pos = @@global.gtid_binlog_pos']);
    expect(maria.changeSource('10.0.0.2', 3306, 'repl', 'pw', 1)).toEqual([
      'CHANGE MASTER TO MASTER_HOST = ?, MASTER_PORT = ?, MASTER_USER = ?, MASTER_PASSWORD = ?, MASTER_USE_GTID = slave_pos, MASTER_CONNECT_RETRY = ?',
      ['10.0.0.2', 3306, 'repl', 'pw', 1],
    ]);
    const mysql = dialectOf('8.0.36');
    expect(mysql.fence).toEqual(['SET GLOBAL super_read_only = 1']);
    expect(mysql.unfence).toEqual(['SET GLOBAL super_read_only = 0', 'SET GLOBAL read_only = 0']);
    expect(mysql.waitApplied).toBe('SELECT WAIT_FOR_EXECUTED_GTID_SET(?, ?) AS w');
    expect(mysql.waitSeconds(250)).toBe(1);
    expect([mysql.replicaStatus, mysql.stopReplica, mysql.resetReplicaAll]).toEqual([
      'SHOW REPLICA STATUS',
      'STOP REPLICA',
      'RESET REPLICA ALL',
    ]);
    expect(mysql.changeSource('10.0.0.2', 3306, 'repl', undefined, undefined)[0]).toBe(
      'CHANGE REPLICATION SOURCE TO SOURCE_HOST = ?, SOURCE_PORT = ?, SOURCE_USER = ?, SOURCE_PASSWORD = ?, SOURCE_AUTO_POSITION = 1',
    );
    expect(dialectOf('5.7.44').changeSource('h', 1, 'u', 'p', undefined)[0]).toContain('MASTER_AUTO_POSITION = 1');
    expect(mysql.seedApplied).toEqual([]);
  });

  test("a replication status row reads the same under both servers' column names", () => {
    const maria = readReplicaRow({
      Master_Host: '127.0.0.1',
      Master_Port: 3306,
      Slave_IO_Running: 'Yes',
      Slave_SQL_Running: 'No',
      Last_IO_Error: '',
      Last_SQL_Error: 'Duplicate entry',
      Seconds_Behind_Master: null,
      Gtid_IO_Pos: '0-1-9',
    });
    const mysql = readReplicaRow({
      Source_Host: '127.0.0.1',
      Source_Port: 3306,
      Replica_IO_Running: 'Yes',
      Replica_SQL_Running: 'No',
      Last_IO_Error: '',
      Last_SQL_Error: 'Duplicate entry',
      Seconds_Behind_Source: null,
      Retrieved_Gtid_Set: '0-1-9',
    });
    expect(mysql).toEqual(maria);
    expect(maria).toEqual({
      host: '127.0.0.1',
      port: 3306,
      io: 'Yes',
      sql: 'No',
      ioError: '',
      sqlError: 'Duplicate entry',
      secondsBehind: null,
      received: '0-1-9',
    });
    expect(readReplicaRow({ Seconds_Behind_Master: '12' }).secondsBehind).toBe(12);
  });
});
