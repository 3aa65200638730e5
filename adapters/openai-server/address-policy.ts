import { BlockList, isIP } from 'node:net';

/**
 * Addresses a server must not fetch from on a user's behalf unless allowed: loopback, private,
 * link-local, carrier-grade NAT, multicast, reserved and unspecified ranges (IPv4 and IPv6, including
 * IPv4-mapped IPv6). Built per call site, never shared at module level.
 */
export function privateAddressList(): BlockList {
  const list = new BlockList();
  const v4: [string, number][] = [
    ['0.0.0.0', 8],
    ['10.0.0.0', 8],
    ['100.64.0.0', 10],
    ['127.0.0.0', 8],
    ['169.254.0.0', 16],
    ['172.16.0.0', 12],
    ['192.0.0.0', 24],
    ['192.0.2.0', 24],
    ['192.168.0.0', 16],
    ['198.18.0.0', 15],
    ['198.51.100.0', 24],
    ['203.0.113.0', 24],
    ['224.0.0.0', 4],
    ['240.0.0.0', 4],
  ];
  for (const [net, prefix] of v4) list.addSubnet(net, prefix, 'ipv4');
  const v6: [string, number][] = [
    ['::', 128],
    ['::1', 128],
    ['fc00::', 7],
    ['fe80::', 10],
    ['fec0::', 10],
    ['ff00::', 8],
    ['64:ff9b::', 96],
    ['2001:db8::', 32],
  ];
  for (const [net, prefix] of v6) list.addSubnet(net, prefix, 'ipv6');
  return list;
}

/** Whether `address` (an IP literal) is in a private/loopback/link-local/reserved range. Non-IPs count as private. */
export function isPrivateAddress(address: string, list: BlockList = privateAddressList()): boolean {
  const bare = address.replace(/^\[|\]$/g, '');
  const family = isIP(bare);
  if (family === 0) return true;
  if (family === 6) {
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(bare);
    if (mapped?.[1] !== undefined) return list.check(mapped[1], 'ipv4');
    return list.check(bare, 'ipv6');
  }
  return list.check(bare, 'ipv4');
}
