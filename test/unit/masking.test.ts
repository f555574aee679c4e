import { describe, expect, it } from 'vitest';
import { maskEmail } from '../../shared/domain/masking';

describe('maskEmail', () => {
  it.each([
    ['alice@example.com', 'a***@example.com'],
    ['a@example.com', 'a***@example.com'],
    ['Bob.Smith+alerts@mail.example.co.uk', 'B***@mail.example.co.uk'],
    ['"odd@local"@example.com', '"***@example.com'],
    ['ølaf@example.dk', 'ø***@example.dk'],
    ['no-at-sign', '***'],
    ['@example.com', '***'],
    ['alice@', '***'],
    ['', '***'],
  ])('%s → %s', (input, masked) => {
    expect(maskEmail(input)).toBe(masked);
  });

  it('does not reveal the length of the local part', () => {
    expect(maskEmail('ab@example.com')).toBe(maskEmail('abcdefghij@example.com'));
  });
});
