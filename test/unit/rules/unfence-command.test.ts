import { describe, expect, test } from 'vitest';
import { unfenceCommand } from '../../../src/rules/unfence-command.js';

describe('the unfence remedy printed by a fenced step', () => {
  test("names the step's store as the command needs it: a file store absolute, a password masked, odd characters quoted", () => {
    expect(unfenceCommand('file:rules/lab.json', '/srv/runbooks')).toBe(
      'drctl rules unfence --store file:/srv/runbooks/rules/lab.json --yes',
    );
    expect(unfenceCommand('redis://:s3cret@127.0.0.1:6379/2?prefix=r:', '/x')).toBe(
      `drctl rules unfence --store 'redis://:***@127.0.0.1:6379/2?prefix=r:' --yes`,
    );
    expect(unfenceCommand('etcd://u:pw@h1:2379,h2:2379/rules', '/x')).toBe(
      "drctl rules unfence --store 'etcd://u:***@h1:2379,h2:2379/rules' --yes",
    );
  });
});
