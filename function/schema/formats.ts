/**
 * Formats of the runtime container's own fields (`spec.pythonExecutable`, `spec.handler`). A leaf
 * module: the JavaScript rules (`rules.ts`, the reference, with field-specific messages), the
 * schema's OpenAPI `pattern`/`maxLength` (`async-actor.ts`) and the CEL rules (`cel.ts`) all read
 * these, and none of them may import another without an import cycle.
 *
 * Every pattern here means the same in JavaScript (with the `u` flag) and in RE2 (the API server's
 * `pattern` and CEL `matches()`): no look-arounds, no backreferences, only `\p{..}` classes both
 * know. RE2's `\s` is ASCII-only, but every character JavaScript's `\s` matches is in
 * `\p{Cc}`, `\p{Cf}` or `\p{Z}`, so the classes below never depend on it.
 */

/**
 * `spec.pythonExecutable` becomes `command[0]` of the runtime container: an executable looked up on
 * PATH (`python3`, `python3.11`) or an absolute path (`/opt/venv/bin/python`). A relative path
 * with a slash (`bin/python`) and anything with whitespace (`python3 -X dev`) do not match.
 */
export const PYTHON_EXECUTABLE_PATTERN = String.raw`^(?:[A-Za-z0-9_][A-Za-z0-9._+-]*|(?:/[A-Za-z0-9._+-]+)+)$`;
export const MAX_PYTHON_EXECUTABLE = 256;

/** Whitespace, control (NUL included), format (bidi overrides, zero-width) and separator characters. */
export const HANDLER_FORBIDDEN_CHARS = String.raw`[\s\p{Cc}\p{Cf}\p{Z}]`;
/** `module.attr[.attr]`: dot-separated, no empty parts (checked after HANDLER_FORBIDDEN_CHARS). */
export const HANDLER_SHAPE = String.raw`^[^.]+(?:\.[^.]+)+$`;
const HANDLER_PART = String.raw`[^.\p{Cc}\p{Cf}\p{Z}]+`;
/** Both at once, for OpenAPI `pattern`: a string matches it iff it passes both checks above. */
export const HANDLER_PATTERN = String.raw`^${HANDLER_PART}(?:\.${HANDLER_PART})+$`;
export const MAX_HANDLER = 512;
