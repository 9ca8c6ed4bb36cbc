import { describe, expect, it } from 'vitest';
import { ThreadIndex } from './threading.ts';
import type { ThreadFacts } from './threading.ts';

let clock = 0;
const mail = (messageId: string | undefined, subject: string, options: { inReplyTo?: string; references?: string[] } = {}): ThreadFacts => ({
  messageId,
  subject,
  references: options.references ?? [],
  inReplyTo: options.inReplyTo,
  timestamp: ++clock,
});

/** A thread as real clients break it: A ← B ← C ← D, plus E replying to B, each with a different header flaw. */
function brokenThread() {
  return {
    a: mail('<a@x>', 'Budget 2027'),
    // Complete headers.
    b: mail('<b@x>', 'Re: Budget 2027', { inReplyTo: '<a@x>', references: ['<a@x>'] }),
    // References lost the root: only the parent.
    c: mail('<c@x>', 'Re: Budget 2027', { inReplyTo: '<b@x>', references: ['<b@x>'] }),
    // No References at all, only In-Reply-To.
    d: mail('<d@x>', 'RE: Budget 2027', { inReplyTo: '<c@x>' }),
    // References with a broken (unbracketed, mixed-case) id and a missing middle.
    e: mail('<e@x>', 'Aw: Budget 2027', { references: ['A@X', '<b@x>'] }),
    // A reply without any ids: the subject is all there is.
    f: mail('<f@x>', 'Re: Budget 2027'),
    // Same words, unrelated: a new thread that happens to share the subject, but has its own ids.
    g: mail('<g@x>', 'Budget 2027'),
  };
}

describe('threading mail into conversations', () => {
  it('joins a thread whose References are broken or missing, seen oldest first', () => {
    const t = brokenThread();
    const keys = new ThreadIndex().assign([t.a, t.b, t.c, t.d, t.e, t.f]);
    expect(new Set(keys).size).toBe(1);
    expect(keys[0]).toBe('mail:a@x');
  });

  it('joins the same thread when newest mail arrives first, one message per sync', () => {
    const t = brokenThread();
    const index = new ThreadIndex();
    const keys = [t.d, t.c, t.b, t.a, t.e].map((m) => index.assign([m])[0]);
    expect(new Set(keys).size).toBe(1);
  });

  it('keeps what it learnt across a restart', () => {
    const t = brokenThread();
    const first = new ThreadIndex();
    const [key] = first.assign([t.a, t.b]);
    const again = new ThreadIndex(JSON.parse(JSON.stringify(first.toJSON())));
    expect(again.assign([t.d, t.c])).toEqual([key, key]);
  });

  it('does not join unrelated mail that only shares words of a subject', () => {
    const t = brokenThread();
    const [a, g] = new ThreadIndex().assign([t.a, t.g]);
    expect(a).not.toBe(g);
    const [x, y] = new ThreadIndex().assign([mail('<p@x>', 'Lunch?'), mail('<q@x>', 'Lunch?')]);
    expect(x).not.toBe(y);
  });

  it('falls back to the subject for mail without a Message-ID', () => {
    const [one, two] = new ThreadIndex().assign([mail(undefined, 'Server down'), mail(undefined, 'Re: Server down')]);
    expect(one).toBe('mail-subject:server down');
    expect(two).toBe(one);
  });
});
