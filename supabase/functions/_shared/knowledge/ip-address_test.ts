import { deepStrictEqual as assertEquals, ok as assert } from 'node:assert/strict';
import { blockedReason, formatIp, parseIp } from './ip-address.ts';

const reason = (text: string) => {
  const bytes = parseIp(text);
  if (!bytes) throw new Error(`not parsed: ${text}`);
  return blockedReason(bytes);
};

Deno.test('IP literals are parsed to bytes whatever their spelling', () => {
  assertEquals(parseIp('127.0.0.1'), new Uint8Array([127, 0, 0, 1]));
  const mapped = new Uint8Array([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 127, 0, 0, 1]);
  for (const form of ['::ffff:127.0.0.1', '::ffff:7f00:1', '[::ffff:7f00:1]', '0:0:0:0:0:ffff:7f00:1', '::FFFF:7F00:0001']) {
    assertEquals(parseIp(form), mapped, form);
  }
  assertEquals(formatIp(mapped), '0:0:0:0:0:ffff:7f00:1');
  for (const bad of ['example.com', '1.2.3', '1.2.3.256', '01.2.3.4', '1::2::3', '1:2:3:4:5:6:7:8:9', 'fe80::1%eth0', '::ffff:1.2.3', '12345::', '']) {
    assertEquals(parseIp(bad), undefined, bad);
  }
});

Deno.test('loopback, private, link-local, CGNAT, reserved and special addresses are refused', () => {
  const refused = [
    // IPv4
    '0.0.0.0', '0.1.2.3', '10.0.0.1', '100.64.0.1', '100.127.255.254', '127.0.0.1', '127.255.255.254', '169.254.169.254',
    '172.16.0.1', '172.31.255.255', '192.0.0.8', '192.0.2.1', '192.88.99.1', '192.168.1.1', '198.18.0.1', '198.19.255.255',
    '198.51.100.7', '203.0.113.9', '224.0.0.1', '239.255.255.250', '240.0.0.1', '255.255.255.255',
    // IPv6
    '::', '::1', 'fc00::1', 'fd12:3456::1', 'fe80::1', 'febf::1', 'fec0::1', 'ff02::1', '100::1', '2001:db8::1', '2001::1',
    '3fff::1', '64:ff9b:1::1', '::127.0.0.1', '::8.8.8.8', '1234::1',
    // IPv6 carrying a private IPv4 address
    '::ffff:127.0.0.1', '::ffff:7f00:1', '::ffff:10.0.0.1', '::ffff:a9fe:a9fe', '::ffff:0.0.0.0', '64:ff9b::7f00:1',
    '64:ff9b::192.168.0.1', '2002:7f00:1::', '2002:a9fe:a9fe::1', '2002:c0a8:101::',
  ];
  for (const address of refused) assert(reason(address), `${address} must be refused`);
  assertEquals(reason('::ffff:7f00:1'), 'IPv4-mapped loopback (127.0.0.0/8)');
  assertEquals(reason('64:ff9b::a9fe:a9fe'), 'NAT64 link-local (169.254.0.0/16)');
});

Deno.test('global unicast addresses are allowed, in every form', () => {
  for (const address of ['8.8.8.8', '1.1.1.1', '93.184.216.34', '100.63.255.255', '100.128.0.1', '172.15.255.255', '172.32.0.1',
    '192.169.0.1', '198.17.255.255', '198.20.0.1', '223.255.255.255', '2606:4700:4700::1111', '2a00:1450:4001:80b::200e',
    '2001:4860:4860::8888', '::ffff:8.8.8.8', '64:ff9b::808:808', '2002:808:808::1']) {
    assertEquals(reason(address), undefined, address);
  }
});
