/**
 * The kinds of account this hub knows, one line each. The hub reaches a kind only through its
 * entry module; adding a source is its folder plus a line here.
 */
import type { KindDescriptor } from '../../src-shared/api.ts';
import { feedKind } from '../connectors/feeds/kind.ts';
import { imapKind } from '../connectors/imap/kind.ts';
import type { AnyConnectorKind } from '../connectors/kind.ts';
import { matrixKind } from '../connectors/matrix/kind.ts';
import { UnsupportedError } from './errors.ts';

export function defaultKinds(): AnyConnectorKind[] {
  return [
    imapKind,
    matrixKind,
    feedKind(),
  ];
}

export class KindRegistry {
  readonly #kinds = new Map<string, AnyConnectorKind>();

  constructor(kinds: readonly AnyConnectorKind[]) {
    for (const kind of kinds) {
      if (this.#kinds.has(kind.kind)) throw new Error(`Two connector kinds are called ${JSON.stringify(kind.kind)}.`);
      this.#kinds.set(kind.kind, kind);
    }
  }

  find(kind: string): AnyConnectorKind | undefined {
    return this.#kinds.get(kind);
  }

  get(kind: string): AnyConnectorKind {
    const found = this.#kinds.get(kind);
    if (!found) throw new UnsupportedError(`${kind} accounts are not supported by this version of Groundswell.`);
    return found;
  }

  all(): AnyConnectorKind[] {
    return [...this.#kinds.values()];
  }

  describe(): KindDescriptor[] {
    return this.all().map((k) => ({ kind: k.kind, source: k.source, label: k.label, description: k.description, fields: [...k.fields], capabilities: [...k.capabilities] }));
  }
}
