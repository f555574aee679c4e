/**
 * E-mail addresses are personal data: responses show them masked, keeping the first character of
 * the local part and the domain (`alice@example.com` → `a***@example.com`). The mask never reveals
 * the local part's length. Anything that is not an address masks to `***`.
 */
export function maskEmail(address: string): string {
  const at = address.lastIndexOf('@');
  if (at <= 0 || at === address.length - 1) return '***';
  const first = Array.from(address.slice(0, at))[0]!;
  return `${first}***@${address.slice(at + 1)}`;
}
