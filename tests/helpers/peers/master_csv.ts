/** One Asterisk Master.csv line for tests; fields may be overridden by index. */
export function cdr(i: number, over: Record<number, string> = {}, length = 18) {
  const f = [
    '',
    String(2000 + (i % 50)),
    `0207946${String(i % 10000).padStart(4, '0')}`,
    'from-internal',
    `"User" <${2000 + (i % 50)}>`,
    `SIP/${i}`,
    'SIP/trunk',
    'Dial',
    'SIP/trunk/x,60',
    '2026-07-01 09:00:00',
    '2026-07-01 09:00:03',
    '2026-07-01 09:01:03',
    '63',
    '60',
    'ANSWERED',
    'DOCUMENTATION',
    '',
    `1751360400.${i}`,
  ]
  for (const [k, v] of Object.entries(over)) f[Number(k)] = v
  return f
    .slice(0, length)
    .map((v) => (/^\d+$/.test(v) ? v : `"${v.replace(/"/g, '""')}"`))
    .join(',')
}
