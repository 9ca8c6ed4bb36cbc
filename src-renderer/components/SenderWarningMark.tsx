/**
 * The mark beside a sender whose address imitates another (the hub decides, see
 * src-main/hub/sender-warning.ts). Its name says what is wrong in words a screen reader reads out.
 */
import type { SenderWarning } from '../../src-shared/domain.ts';
import { missingCase } from '../../src-shared/domain.ts';

export function senderWarningText(warning: SenderWarning): string {
  switch (warning.kind) {
    case 'looks-like':
      return `Look-alike sender address: this is not ${warning.imitates}`;
    case 'mixed-script':
      return `Suspicious sender address: ${warning.domain} mixes letters of different alphabets`;
    default:
      return missingCase(warning);
  }
}

export function SenderWarningMark({ warning }: { warning: SenderWarning | undefined }) {
  if (warning === undefined) return null;
  const text = senderWarningText(warning);
  return (
    <span className="sender-warning" role="img" aria-label={text} title={text}>
      ⚠
    </span>
  );
}
