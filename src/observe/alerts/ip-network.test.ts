import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { networkOf } from './ip-network.js';

describe('networkOf', () => {
  it('cuts IPv4 addresses at the prefix, and reads IPv4-mapped IPv6 as IPv4', () => {
    assert.equal(networkOf('203.0.113.7', 24, 48), '203.0.113.0/24');
    assert.equal(networkOf('203.0.113.250', 24, 48), '203.0.113.0/24');
    assert.equal(networkOf('203.0.113.250', 16, 48), '203.0.0.0/16');
    assert.equal(networkOf('203.0.113.250', 32, 48), '203.0.113.250/32');
    assert.equal(networkOf('10.1.2.3', 8, 48), '10.0.0.0/8');
    assert.equal(networkOf('255.255.255.255', 20, 48), '255.255.240.0/20');
    assert.equal(networkOf('::ffff:198.51.100.9', 24, 48), '198.51.100.0/24');
  });

  it('cuts IPv6 addresses at the prefix and writes them one way (RFC 5952)', () => {
    assert.equal(networkOf('2001:db8:1:2::1', 24, 48), '2001:db8:1::/48');
    assert.equal(networkOf('2001:DB8:0001:ffff:0:0:0:9', 24, 48), '2001:db8:1::/48');
    assert.equal(networkOf('2001:db8:1:2::1', 24, 64), '2001:db8:1:2::/64');
    assert.equal(networkOf('2001:db8:abcd:1234::1', 24, 36), '2001:db8:a000::/36');
    assert.equal(networkOf('::1', 24, 128), '::1/128');
    assert.equal(networkOf('fe80::1%eth0', 24, 16), 'fe80::/16');
    assert.equal(networkOf('1:0:0:2:0:0:0:3', 24, 128), '1:0:0:2::3/128');
    assert.equal(networkOf('64:ff9b::192.0.2.33', 24, 128), '64:ff9b::c000:221/128');
    assert.equal(networkOf('1::1.2.3.4', 24, 128), '1::102:304/128');
  });

  it('gives undefined for what is not an address', () => {
    for (const bad of [
      '',
      'unknown',
      '1.2.3',
      '1.2.3.4.5',
      '256.1.1.1',
      '01.2.3.4',
      '1..2.3',
      'fe80::zz',
      ':::',
    ])
      assert.equal(networkOf(bad, 24, 48), undefined, bad);
  });
});
