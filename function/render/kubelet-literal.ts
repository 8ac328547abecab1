/**
 * kubelet expands `$(NAME)` in env values, command and args (an earlier env var or a service
 * variable such as KUBERNETES_PORT, present in every pod) and reads `$$` as one `$`. A value the
 * function composes from the spec must reach the process exactly as validated, so every `$` in it
 * is doubled. Values the user wrote as env are theirs, `$(VAR)` included, and are not touched.
 */
export const kubeletLiteral = (value: string): string => value.replaceAll('$', () => '$$');
