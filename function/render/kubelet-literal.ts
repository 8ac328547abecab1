/**
 * kubelet expands `$(NAME)` in env values, command and args (an earlier env var or a service
 * variable such as KUBERNETES_PORT, present in every pod) and reads `$$` as one `$`. A value the
 * function composes from the spec must reach the process exactly as validated, so every `$` in it
 * is doubled. Values the user wrote as env are theirs, `$(VAR)` included, and are not touched.
 */
// A function, not the string '$$$$': in a replacement string `$` is itself special.
const doubled = (): string => '$$';

export const kubeletLiteral = (value: string): string => (value.includes('$') ? value.replaceAll('$', doubled) : value);
