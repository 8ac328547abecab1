/**
 * What kubelet does to a container's env values, command and args before the process sees them
 * (k8s.io/kubernetes third_party/forked/golang/expansion): `$$` is one literal `$`; `$(NAME)` is
 * NAME's value when NAME is defined (an env var defined earlier in the list, or a service
 * variable), otherwise left as written; an unterminated `$(`, a `$` before anything else and a
 * trailing `$` are kept. Written from those rules (and their upstream test table, reproduced in
 * kubelet-expand.test.ts), not from the Go code.
 */
export function kubeletExpand(input: string, lookup: (name: string) => string | undefined): string {
  let out = '';
  let i = 0;
  while (i < input.length) {
    const c = input[i] as string;
    if (c !== '$' || i + 1 >= input.length) {
      out += c;
      i++;
      continue;
    }
    const next = input[i + 1];
    if (next === '$') {
      out += '$';
      i += 2;
    } else if (next === '(') {
      const close = input.indexOf(')', i + 2);
      if (close < 0) {
        out += '$(';
        i += 2;
      } else {
        const name = input.slice(i + 2, close);
        out += lookup(name) ?? `$(${name})`;
        i = close + 1;
      }
    } else {
      out += '$';
      i++;
    }
  }
  return out;
}

interface EnvVar {
  readonly name: string;
  readonly value?: string | undefined;
}
interface Container {
  readonly env?: readonly EnvVar[] | undefined;
  readonly command?: readonly string[] | undefined;
  readonly args?: readonly string[] | undefined;
}

/** The env, command and args the container's process starts with. */
export function kubeletStart(container: Container, service: Readonly<Record<string, string>> = {}): { env: Map<string, string>; command: string[]; args: string[] } {
  const env = new Map<string, string>();
  const lookup = (name: string) => env.get(name) ?? (Object.hasOwn(service, name) ? service[name] : undefined);
  for (const e of container.env ?? []) env.set(e.name, kubeletExpand(e.value ?? '', lookup));
  return { env, command: (container.command ?? []).map((s) => kubeletExpand(s, lookup)), args: (container.args ?? []).map((s) => kubeletExpand(s, lookup)) };
}
