import { describe, expect, it } from 'vitest';
import { forwardSubject, quoteLines, replyRecipients, replySubject, threadOf, type OriginalHeaders } from './reply-headers.ts';

const original = (over: Partial<OriginalHeaders> = {}): OriginalHeaders => ({
  from: [{ name: 'Bob', address: 'bob@example.test' }],
  replyTo: [],
  to: [{ name: 'Alice', address: 'alice@example.test' }],
  cc: [],
  subject: 'Plan',
  references: [],
  ...over,
});

describe('subjects', () => {
  it('puts Re: in front once, however many answer prefixes the original has', () => {
    expect(replySubject('Plan')).toBe('Re: Plan');
    expect(replySubject('Re: Plan')).toBe('Re: Plan');
    expect(replySubject('RE: re: Aw: Plan')).toBe('Re: Plan');
    expect(replySubject('Re[2]: Plan')).toBe('Re: Plan');
    expect(replySubject('Fwd: Plan')).toBe('Re: Fwd: Plan');
    expect(replySubject('')).toBe('Re:');
  });

  it('puts Fwd: in front once', () => {
    expect(forwardSubject('Plan')).toBe('Fwd: Plan');
    expect(forwardSubject('Fwd: FW: Plan')).toBe('Fwd: Plan');
    expect(forwardSubject('Re: Plan')).toBe('Fwd: Re: Plan');
  });

  it('does not take a word that starts like a prefix for one', () => {
    expect(replySubject('Report: Q3')).toBe('Re: Report: Q3');
    expect(forwardSubject('Info: Q3')).toBe('Fwd: Info: Q3');
  });
});

describe('recipients', () => {
  it('Reply goes to Reply-To when there is one, else to the sender', () => {
    expect(replyRecipients(original(), false, ['alice@example.test']).to.map((m) => m.address)).toEqual(['bob@example.test']);
    expect(replyRecipients(original({ replyTo: [{ name: '', address: 'list@example.test' }] }), false, []).to.map((m) => m.address)).toEqual(['list@example.test']);
  });

  it('Reply all: each address once (any case), my own addresses left out', () => {
    const mail = original({
      to: [{ name: 'Alice', address: 'alice@example.test' }, { name: '', address: 'Carol@example.test' }, { name: 'Bob', address: 'BOB@example.test' }],
      cc: [{ name: '', address: 'carol@EXAMPLE.test' }, { name: 'Me at home', address: 'ALICE@example.test' }, { name: 'Dan', address: 'dan@example.test' }],
    });
    const { to, cc } = replyRecipients(mail, true, ['alice@example.test']);
    expect(to.map((m) => m.address)).toEqual(['bob@example.test', 'Carol@example.test']);
    expect(cc.map((m) => m.address)).toEqual(['dan@example.test']);
  });

  it('answering my own message goes to its recipients', () => {
    const mine = original({ from: [{ name: 'Alice', address: 'alice@example.test' }], to: [{ name: 'Bob', address: 'bob@example.test' }] });
    expect(replyRecipients(mine, false, ['alice@example.test']).to.map((m) => m.address)).toEqual(['bob@example.test']);
  });
});

describe('threading', () => {
  it('References are the parent\'s References and its Message-ID', () => {
    expect(threadOf(original({ messageId: '<3@x>', references: ['<1@x>', '<2@x>'] }))).toEqual({ messageId: '<3@x>', references: ['<1@x>', '<2@x>', '<3@x>'] });
    expect(threadOf(original({ messageId: '<3@x>', inReplyTo: '<2@x>' }))).toEqual({ messageId: '<3@x>', references: ['<2@x>', '<3@x>'] });
    expect(threadOf(original())).toBeUndefined();
  });

  it('keeps the first and the latest ids of a very long thread', () => {
    const references = Array.from({ length: 30 }, (_, i) => `<${i}@x>`);
    const thread = threadOf(original({ messageId: '<30@x>', references }))!;
    expect(thread.references).toHaveLength(20);
    expect(thread.references[0]).toBe('<0@x>');
    expect(thread.references.at(-1)).toBe('<30@x>');
  });
});

describe('quoting', () => {
  it('quotes every line, nesting quotes that are already there', () => {
    expect(quoteLines('Hi\n\n> earlier\nthanks\n')).toBe('> Hi\n>\n>> earlier\n> thanks');
  });
});
