import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import type { TargetPolicySpec } from '../../config.js';
import { ValidationError } from '../../errors.js';

/**
 * Addresses that are not the public internet (IANA special-purpose registries): loopback, private,
 * link-local, shared/CGNAT, multicast, documentation, benchmarking, reserved, and the IPv6 prefixes
 * that embed or translate IPv4 (NAT64, 6to4, Teredo) so they cannot be used to reach the others.
 * IPv4-mapped IPv6 addresses (`::ffff:127.0.0.1`) are checked against the IPv4 rules by BlockList.
 */
const SPECIAL_RANGES: [string, number, 'ipv4' | 'ipv6'][] = [
  ['0.0.0.0', 8, 'ipv4'],
  ['10.0.0.0', 8, 'ipv4'],
  ['100.64.0.0', 10, 'ipv4'],
  ['127.0.0.0', 8, 'ipv4'],
  ['169.254.0.0', 16, 'ipv4'],
  ['172.16.0.0', 12, 'ipv4'],
  ['192.0.0.0', 24, 'ipv4'],
  ['192.0.2.0', 24, 'ipv4'],
  ['192.88.99.0', 24, 'ipv4'],
  ['192.168.0.0', 16, 'ipv4'],
  ['198.18.0.0', 15, 'ipv4'],
  ['198.51.100.0', 24, 'ipv4'],
  ['203.0.113.0', 24, 'ipv4'],
  ['224.0.0.0', 4, 'ipv4'],
  ['240.0.0.0', 4, 'ipv4'],
  ['::', 96, 'ipv6'],
  ['64:ff9b::', 96, 'ipv6'],
  ['64:ff9b:1::', 48, 'ipv6'],
  ['100::', 64, 'ipv6'],
  ['2001::', 23, 'ipv6'],
  ['2001:db8::', 32, 'ipv6'],
  ['2002::', 16, 'ipv6'],
  ['fc00::', 7, 'ipv6'],
  ['fe80::', 10, 'ipv6'],
  ['fec0::', 10, 'ipv6'],
  ['ff00::', 8, 'ipv6'],
];

const special = new BlockList();
for (const [address, prefix, family] of SPECIAL_RANGES) special.addSubnet(address, prefix, family);

const familyOf = (ip: string) => (isIP(ip) === 6 ? 'ipv6' : 'ipv4');

/** `[::1]` → `::1`; lower case, no trailing dot (`example.com.` is `example.com`). */
export const bareHost = (host: string) =>
  host
    .replace(/^\[(.*)\]$/, '$1')
    .toLowerCase()
    .replace(/\.$/, '');

/** A target the policy refuses, at subscribe time (as a 400) or when connecting (a permanent failure). */
export class TargetRefusedError extends Error {
  override name = 'TargetRefusedError';
}

/**
 * Which URLs the server may POST to on a client's behalf (httpcb deliveries: a subscription's
 * `deviceId`, a publish's `notificationDetails`, a session's `_device_notification_id`).
 *
 * Two checks, because a host name's addresses can change between them (DNS rebinding):
 *  - `checkUrl` when the target is given (subscribe, publish, session create): scheme, host name
 *    against the allowlist, an IP literal against the special ranges. No DNS lookup there, so a
 *    client cannot make the request wait on (or probe with) the resolver.
 *  - `guardedAgent` when connecting: it resolves the name itself, refuses special addresses
 *    unless a configured network covers them, and connects to the very address it checked.
 */
export class TargetPolicy {
  private readonly networks = new BlockList();

  constructor(private readonly spec: TargetPolicySpec) {
    for (const [address, prefix] of spec.networks)
      this.networks.addSubnet(address, prefix, familyOf(address));
  }

  /** A resolved (or literal) address: inside a configured network, or public. */
  allowsAddress(ip: string): boolean {
    const family = familyOf(ip);
    return this.networks.check(ip, family) || !special.check(ip, family);
  }

  /** Whether a host (name or IP literal) may be targeted at all; names are resolved later. */
  allowsHost(rawHost: string): boolean {
    const host = bareHost(rawHost);
    if (isIP(host))
      return this.networks.check(host, familyOf(host)) || (this.spec.anyHost && this.allowsAddress(host));
    if (this.spec.hosts.includes(host)) return true;
    if (this.spec.suffixes.some((s) => host.endsWith(s))) return true;
    // RFC 6761: these names are loopback by definition; no need to resolve them to refuse them.
    if (host === 'localhost' || host.endsWith('.localhost')) return false;
    return this.spec.anyHost;
  }

  /** The URL, or a 400 naming `field`. */
  checkUrl(value: string, field: string): URL {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      throw new ValidationError('push/invalid_url', `${field} must be an http(s) URL`, field);
    }
    if ((url.protocol !== 'http:' && url.protocol !== 'https:') || !url.hostname)
      throw new ValidationError('push/invalid_url', `${field} must be an http(s) URL`, field);
    if (!this.allowsHost(url.hostname))
      throw new ValidationError(
        'push/target_not_allowed',
        `${field}: ${url.hostname} is not an allowed push target (loopback, private, link-local and other special addresses are refused unless PUSH_ALLOWED_TARGETS lists them)`,
        field,
      );
    return url;
  }

  /** The address to connect to: the first allowed one the name resolves to. */
  async resolve(rawHost: string): Promise<string> {
    const host = bareHost(rawHost);
    if (!this.allowsHost(host)) throw new TargetRefusedError(`push target ${host} is not allowed`);
    const addresses = isIP(host) ? [host] : (await lookup(host, { all: true })).map((a) => a.address);
    const address = addresses.find((a) => this.allowsAddress(a));
    if (!address)
      throw new TargetRefusedError(
        `push target ${host} resolves to ${addresses.join(', ')}: not allowed (PUSH_ALLOWED_TARGETS)`,
      );
    return address;
  }
}
