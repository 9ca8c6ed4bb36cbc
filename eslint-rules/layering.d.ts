import type { Rule } from 'eslint';

/** Why importing `spec` from `fromFile` (repo-relative) breaks the layering, or undefined when it is fine. */
export function refusal(fromFile: string, spec: string, root: string): string | undefined;
export const layeringRule: Rule.RuleModule;
declare const plugin: { rules: { layering: Rule.RuleModule } };
export default plugin;
