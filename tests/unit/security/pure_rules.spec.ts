import { test } from '@japa/runner'
import { blockedReason, isAllowListed } from '#lib/net_guard'
import { weakPasswordReason } from '#lib/passwords'
import { sessionEndReason } from '#lib/session_stamp'
import { csvCell } from '#lib/csv'

/** The pure rules behind issue 13's fixes, without a database or a network. */
test.group('Security rules (pure)', () => {
  test('blockedReason names the range of every internal address form', ({ assert }) => {
    const cases: [string, RegExp | null][] = [
      ['127.0.0.1', /loopback/],
      ['127.255.255.254', /loopback/],
      ['10.255.0.1', /private/],
      ['172.31.255.255', /private/],
      ['172.32.0.1', null],
      ['192.168.0.1', /private/],
      ['100.64.0.1', /carrier-grade NAT/],
      ['100.128.0.1', null],
      ['169.254.169.254', /link-local\/metadata/],
      ['0.0.0.0', /unspecified/],
      ['239.1.1.1', /multicast/],
      ['255.255.255.255', /reserved/],
      ['::1', /loopback/],
      ['::', /unspecified/],
      ['fe80::1%eth0', /link-local/],
      ['fd00:ec2::254', /unique-local/],
      ['ff02::1', /multicast/],
      ['::ffff:192.168.1.1', /private \(IPv4 inside IPv6\)/],
      ['::ffff:a9fe:a9fe', /link-local\/metadata \(IPv4 inside IPv6\)/],
      ['64:ff9b::7f00:1', /loopback \(IPv4 inside IPv6\)/],
      ['2002:a00:1::', /private \(IPv4 inside IPv6\)/],
      ['93.184.216.34', null],
      ['2606:2800:220:1:248:1893:25c8:1946', null],
      ['::ffff:93.184.216.34', null],
      ['files.example', /not an IP address/],
    ]
    for (const [ip, expected] of cases) {
      const reason = blockedReason(ip)
      if (expected) assert.match(String(reason), expected, ip)
      else assert.isNull(reason, ip)
    }
  })

  test('the allow-list matches names, wildcards, IPs and CIDR ranges, nothing more', ({
    assert,
  }) => {
    const saved = process.env.OUTBOUND_ALLOW_HOSTS
    process.env.OUTBOUND_ALLOW_HOSTS = 'files.intranet, *.corp.example, 10.20.0.0/16, 192.168.1.5'
    try {
      assert.isTrue(isAllowListed('FILES.intranet'))
      assert.isTrue(isAllowListed('a.b.corp.example'))
      assert.isFalse(isAllowListed('corp.example.evil'))
      assert.isFalse(isAllowListed('evilcorp.example'))
      assert.isTrue(isAllowListed('10.20.3.4'))
      assert.isFalse(isAllowListed('10.21.0.1'))
      assert.isTrue(isAllowListed('192.168.1.5'))
      assert.isFalse(isAllowListed('192.168.1.6'))
      assert.isFalse(isAllowListed('localhost'))
    } finally {
      process.env.OUTBOUND_ALLOW_HOSTS = saved
    }
  })

  test('weak passwords are named, good ones pass', ({ assert }) => {
    for (const p of [
      'password',
      '12345678',
      '123456789012',
      'Password123!',
      'passwordpassword',
      'zzzzzzzzzzzz',
      'letmein12345',
      'zyxwvutsrqpo',
    ]) {
      assert.isNotNull(weakPasswordReason(p), p)
    }
    assert.match(String(weakPasswordReason('jane.doe-2026', ['jane.doe'])), /email address or name/)
    for (const p of ['tidal-Cobalt-79', 'correct horse battery staple', 'Xk9#mQ2vLp7r'])
      assert.isNull(weakPasswordReason(p), p)
  })

  test('sessions end on a new version, when idle, and at the absolute limit', ({ assert }) => {
    const limits = { idleMinutes: 60, maxHours: 12 }
    const now = Date.UTC(2026, 11, 1, 12)
    const stamp = { v: 3, loginAt: now - 3_600_000, seenAt: now - 60_000 }
    assert.isNull(sessionEndReason(stamp, 3, limits, now))
    assert.equal(sessionEndReason(stamp, 4, limits, now), 'ended')
    assert.equal(sessionEndReason({ ...stamp, seenAt: now - 61 * 60_000 }, 3, limits, now), 'idle')
    assert.equal(
      sessionEndReason({ ...stamp, loginAt: now - 12 * 3_600_000 - 1 }, 3, limits, now),
      'expired'
    )
  })

  test('CSV cells: formulas become text, numbers stay numbers, quoting per RFC 4180', ({
    assert,
  }) => {
    assert.equal(csvCell('=1+1'), `'=1+1`)
    assert.equal(csvCell('@SUM(A1)'), `'@SUM(A1)`)
    assert.equal(csvCell('+cmd'), `'+cmd`)
    assert.equal(csvCell('-2+3'), `'-2+3`)
    assert.equal(csvCell('\t=x'), `'\t=x`)
    assert.equal(csvCell('-12.50'), '-12.50')
    assert.equal(csvCell('=a,"b"'), `"'=a,""b"""`)
    assert.equal(csvCell(null), '')
    assert.equal(csvCell(42), '42')
  })
})
