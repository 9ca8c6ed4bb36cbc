/** The form drawn for a plug-in kind from its field descriptions: what it sends, and what it refuses before asking the hub. */
import { describe, expect, it } from 'vitest';
import type { KindField } from '../../src-shared/api.ts';
import { changeableFields, checkKindChanges, checkKindForm, emptyKindForm, kindFieldOf, kindValuesOf, splitList } from '../../src-renderer/forms/kindForm.ts';

const field = (name: string, type: KindField['type'], extra: Partial<KindField> = {}): KindField => ({
  name,
  label: name[0]!.toUpperCase() + name.slice(1),
  type,
  required: true,
  flag: name,
  changeable: false,
  ...extra,
});

const FIELDS: KindField[] = [
  field('server', 'text'),
  field('token', 'secret'),
  field('interval', 'number', { required: false }),
  field('mode', 'choice', { choices: ['fast', 'slow'] }),
  field('channels', 'list', { required: false, label: 'IRC channels' }),
];

describe('the form of a kind without its own screen', () => {
  it('starts empty, a required choice on its first option', () => {
    expect(emptyKindForm(FIELDS)).toEqual({ server: '', token: '', interval: '', mode: 'fast', channels: '' });
  });

  it('names every required field left empty, in the label’s words', () => {
    const check = checkKindForm(FIELDS, { ...emptyKindForm(FIELDS), mode: '' });
    expect(check).toEqual({ ok: false, errors: { server: 'Enter the server.', token: 'Enter the token.', mode: 'Choose the mode.' } });
  });

  it('keeps an acronym in a label as written', () => {
    const check = checkKindForm([field('channels', 'list', { label: 'IRC channels' })], { channels: ' , ' });
    expect(check).toEqual({ ok: false, errors: { channels: 'Enter the IRC channels.' } });
  });

  it('refuses a number that is not one and a choice that is not offered', () => {
    const check = checkKindForm(FIELDS, { server: 'irc.example.org', token: 't', interval: 'often', mode: 'medium', channels: '' });
    expect(check.ok).toBe(false);
    if (!check.ok) expect(Object.keys(check.errors).sort()).toEqual(['interval', 'mode']);
  });

  it('sends typed values: text trimmed, a secret exactly as typed, numbers, lists; optional empties left out', () => {
    const check = checkKindForm(FIELDS, { server: ' irc.example.org ', token: ' s3cret ', interval: '', mode: 'slow', channels: '#ops, #dev\n#release' });
    expect(check).toEqual({
      ok: true,
      input: { server: 'irc.example.org', token: ' s3cret ', mode: 'slow', channels: ['#ops', '#dev', '#release'] },
      secrets: [' s3cret '],
    });
    const withNumber = checkKindForm(FIELDS, { server: 'a', token: 'b', interval: '2.5', mode: 'fast', channels: '' });
    expect(withNumber.ok && withNumber.input.interval).toBe(2.5);
  });

  it('puts a hub error beside a field it shows, else above the form', () => {
    expect(kindFieldOf(FIELDS, 'token')).toBe('token');
    expect(kindFieldOf(FIELDS, 'password')).toBeUndefined();
    expect(kindFieldOf(FIELDS, undefined)).toBeUndefined();
  });

  it('splits a list on commas and lines, dropping blanks', () => {
    expect(splitList(' a,,b \n\n c ')).toEqual(['a', 'b', 'c']);
  });

  it('changes an account through its changeable fields only, sending what the user changed', () => {
    const fields = changeableFields([field('server', 'text', { changeable: true }), field('token', 'secret', { changeable: true }), field('interval', 'number', { changeable: true, required: false }), field('mode', 'choice', { choices: ['fast', 'slow'] })]);
    expect(fields.map((f) => f.name)).toEqual(['server', 'interval']);
    const shown = kindValuesOf(fields, { server: 'irc.example.org', interval: 30, unrelated: true });
    expect(shown).toEqual({ server: 'irc.example.org', interval: '30' });
    expect(checkKindChanges(fields, shown, shown)).toEqual({ ok: true, input: {} });
    expect(checkKindChanges(fields, { ...shown, interval: '60' }, shown)).toEqual({ ok: true, input: { interval: 60 } });
    expect(checkKindChanges(fields, { ...shown, server: '' }, shown)).toEqual({ ok: false, errors: { server: 'Enter the server.' } });
    expect(kindValuesOf([field('channels', 'list')], { channels: ['#a', '#b'] })).toEqual({ channels: '#a, #b' });
  });
});
