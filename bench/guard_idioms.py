"""Runs common Python file idioms against a state proxy mount path, in one scenario, and prints
one JSON object per idiom (call, outcome). Driven by bench/guard-idioms.sh, which prepares the
scenario in a private mount namespace; see there for usage.

Scenarios (argv[1]):
  absent   no guard, nothing at the mount path (a fresh container: the image has no /state)
  present  no guard, the mount path exists on the container disk (an earlier Path.mkdir made it,
           or the image ships the directory)
  guard    the mount path is a read-only empty directory (the rendered guard emptyDir)

The upstream runtime (asya_runtime.py) is not available here. `StandInHooks` below is a
STAND-IN written from the user guide and contract.md: it patches builtins.open (and io.open, which
pathlib uses), os.stat, os.listdir, os.makedirs (a no-op under a mount), os.remove and os.unlink,
and resolves every path under a mount in memory before any filesystem call, as the real runtime
resolves mount paths before touching the filesystem. Everything it does not patch goes to the
real filesystem, as in a real pod.
"""
import builtins
import errno
import io
import json
import os
import pathlib
import re
import shutil
import stat
import sys
import tempfile

ORIGINAL = {
    'open': builtins.open,
    'io_open': io.open,
    'stat': os.stat,
    'listdir': os.listdir,
    'makedirs': os.makedirs,
    'remove': os.remove,
    'unlink': os.unlink,
}


class StandInHooks:
    """STAND-IN for the runtime's hooks: a dict plays the connector."""

    def __init__(self, mount):
        self.mount = mount
        self.prefix = mount + '/'
        self.store = {}

    def owns(self, path):
        if isinstance(path, int):
            return False
        p = os.path.normpath(os.fspath(path))
        return p == self.mount or p.startswith(self.prefix)

    def key(self, path):
        p = os.path.normpath(os.fspath(path))
        return '' if p == self.mount else p[len(self.prefix):]

    def open(self, file, mode='r', *args, **kwargs):
        # With an opener (tempfile's NamedTemporaryFile) the caller creates the file with os.open;
        # the stand-in leaves that to the filesystem rather than guess what the runtime does.
        if not self.owns(file) or kwargs.get('opener') is not None:
            return ORIGINAL['open'](file, mode, *args, **kwargs)
        key = self.key(file)
        hooks = self
        if any(c in mode for c in 'wax+'):
            class Writer(io.BytesIO):
                def close(self):
                    if not self.closed:
                        hooks.store[key] = self.getvalue()
                    super().close()
            raw = Writer(hooks.store.get(key, b'') if 'a' in mode else b'')
            if 'a' in mode:
                raw.seek(0, io.SEEK_END)
        else:
            if key not in self.store:
                raise FileNotFoundError(2, 'No such file or directory', os.fspath(file))
            raw = io.BytesIO(self.store[key])
        if 'b' in mode:
            return raw
        return io.TextIOWrapper(raw, encoding=kwargs.get('encoding') or 'utf-8')

    def is_dir_key(self, key):
        return key == '' or any(k.startswith(key + '/') for k in self.store)

    def stat(self, path, *args, **kwargs):
        if not self.owns(path):
            return ORIGINAL['stat'](path, *args, **kwargs)
        key = self.key(path)
        if key in self.store:
            return os.stat_result((stat.S_IFREG | 0o644, 0, 0, 1, 0, 0, len(self.store[key]), 0, 0, 0))
        if self.is_dir_key(key):
            return os.stat_result((stat.S_IFDIR | 0o755, 0, 0, 1, 0, 0, 0, 0, 0, 0))
        raise FileNotFoundError(2, 'No such file or directory', os.fspath(path))

    def listdir(self, path='.'):
        if not self.owns(path):
            return ORIGINAL['listdir'](path)
        key = self.key(path)
        start = '' if key == '' else key + '/'
        return sorted({k[len(start):].split('/')[0] for k in self.store if k.startswith(start)})

    def makedirs(self, name, mode=0o777, exist_ok=False):
        if not self.owns(name):
            return ORIGINAL['makedirs'](name, mode, exist_ok)
        return None  # the guide: os.makedirs is a no-op for mount paths

    def remove(self, path, *args, **kwargs):
        if not self.owns(path):
            return ORIGINAL['remove'](path, *args, **kwargs)
        key = self.key(path)
        if key not in self.store:
            raise FileNotFoundError(2, 'No such file or directory', os.fspath(path))
        del self.store[key]

    def install(self):
        builtins.open = io.open = self.open
        os.stat = self.stat
        os.listdir = self.listdir
        os.makedirs = self.makedirs
        os.remove = os.unlink = self.remove

    @staticmethod
    def uninstall():
        builtins.open = ORIGINAL['open']
        io.open = ORIGINAL['io_open']
        os.stat = ORIGINAL['stat']
        os.listdir = ORIGINAL['listdir']
        os.makedirs = ORIGINAL['makedirs']
        os.remove = ORIGINAL['remove']
        os.unlink = ORIGINAL['unlink']


def idioms(M, scratch):
    """(label, function). Labels show /state/cache, the mount path the scenario stands for."""
    local = os.path.join(scratch, 'local.bin')  # a file on the container disk, outside the mount

    def write_local():
        with ORIGINAL['open'](local, 'wb') as f:
            f.write(b'payload')

    def np_save():
        import numpy as np
        np.save(f'{M}/a.npy', np.arange(3))

    def np_savez():
        import numpy as np
        np.savez(f'{M}/a.npz', x=np.arange(3))

    def np_tofile():
        import numpy as np
        np.arange(3).tofile(f'{M}/a.bin')

    def np_save_bytesio():
        import numpy as np
        buf = io.BytesIO()
        np.save(buf, np.arange(3))
        with open(f'{M}/a.npy', 'wb') as f:
            f.write(buf.getvalue())

    def os_open_write():
        fd = os.open(f'{M}/x.bin', os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        try:
            os.write(fd, b'payload')
        finally:
            os.close(fd)

    def replace_from_local():
        write_local()
        os.replace(local, f'{M}/x.bin')

    def tmp_then_replace():
        fd, tmp = tempfile.mkstemp(dir=M)
        os.write(fd, b'payload')
        os.close(fd)
        os.replace(tmp, f'{M}/x.bin')

    def copy2():
        write_local()
        shutil.copy2(local, f'{M}/x.bin')

    def copyfileobj():
        write_local()
        with ORIGINAL['open'](local, 'rb') as src, open(f'{M}/x.bin', 'wb') as dst:
            shutil.copyfileobj(src, dst)

    def named_tmp():
        with tempfile.NamedTemporaryFile(dir=M) as f:
            f.write(b'payload')

    def mkdtemp():
        tempfile.mkdtemp(dir=M)

    def scandir():
        with os.scandir(M) as it:
            return sorted(e.name for e in it)

    def walk():
        return [(os.path.relpath(d, M), sorted(fs)) for d, _, fs in os.walk(M)]

    def open_write():
        with open(f'{M}/result.json', 'w') as f:
            f.write('{}')

    def raw_open_write():
        with ORIGINAL['open'](f'{M}/result.json', 'w') as f:
            f.write('{}')

    def makedirs_then_open():
        os.makedirs(f'{M}/sub', exist_ok=True)
        with open(f'{M}/sub/result.json', 'w') as f:
            f.write('{}')

    def pathmkdir_then_open():
        pathlib.Path(f'{M}/sub').mkdir(parents=True, exist_ok=True)
        with open(f'{M}/sub/result.json', 'w') as f:
            f.write('{}')

    return [
        ('open("/state/cache/result.json", "w") (hooked)', open_write),
        ('open(..., "r") of an existing key (hooked)', lambda: open(f'{M}/existing.json').read()),
        ('os.path.exists / os.listdir (hooked)', lambda: (os.path.exists(f'{M}/existing.json'), os.listdir(M))),
        ('Path("/state/cache/r.txt").write_text(...) (hooked)', lambda: pathlib.Path(f'{M}/r.txt').write_text('x')),
        ('os.remove("/state/cache/existing.json") (hooked)', lambda: os.remove(f'{M}/existing.json')),
        ('os.makedirs("/state/cache") (hooked)', lambda: os.makedirs(M)),
        ('os.makedirs("/state/cache/sub", exist_ok=True) (hooked)', lambda: os.makedirs(f'{M}/sub', exist_ok=True)),
        ('os.makedirs(sub, exist_ok=True) then open(sub/f, "w")', makedirs_then_open),
        ('Path("/state/cache").mkdir()', lambda: pathlib.Path(M).mkdir()),
        ('Path("/state/cache").mkdir(exist_ok=True)', lambda: pathlib.Path(M).mkdir(exist_ok=True)),
        ('Path("/state/cache").mkdir(parents=True, exist_ok=True)', lambda: pathlib.Path(M).mkdir(parents=True, exist_ok=True)),
        ('Path("/state/cache/sub").mkdir()', lambda: pathlib.Path(f'{M}/sub').mkdir()),
        ('Path("/state/cache/sub").mkdir(exist_ok=True)', lambda: pathlib.Path(f'{M}/sub').mkdir(exist_ok=True)),
        ('Path("/state/cache/sub").mkdir(parents=True, exist_ok=True)', lambda: pathlib.Path(f'{M}/sub').mkdir(parents=True, exist_ok=True)),
        ('Path(sub).mkdir(parents=True, exist_ok=True) then open(sub/f, "w")', pathmkdir_then_open),
        ('os.open(..., O_WRONLY + O_CREAT) + os.write', os_open_write),
        ('os.rename("/state/cache/existing.json", ".../moved.json")', lambda: os.rename(f'{M}/existing.json', f'{M}/moved.json')),
        ('os.replace(local file, "/state/cache/x.bin")', replace_from_local),
        ('tempfile.mkstemp(dir=mount) + os.replace (atomic write)', tmp_then_replace),
        ('os.scandir("/state/cache")', scandir),
        ('os.walk("/state/cache")', walk),
        ('shutil.copy2(local file, "/state/cache/x.bin")', copy2),
        ('shutil.copyfileobj(local, open(dst, "wb"))', copyfileobj),
        ('tempfile.NamedTemporaryFile(dir=mount)', named_tmp),
        ('tempfile.mkdtemp(dir=mount)', mkdtemp),
        ('np.save("/state/cache/a.npy", arr)', np_save),
        ('np.savez("/state/cache/a.npz", x=arr)', np_savez),
        ('arr.tofile("/state/cache/a.bin")', np_tofile),
        ('np.save(io.BytesIO()) then open(..., "wb").write', np_save_bytesio),
        ('open(..., "w") WITHOUT the hooks (C-level write)', raw_open_write),
    ]


def on_disk(root):
    """Everything under root on the real filesystem (with the unpatched calls)."""
    found = []
    if not os.path.lexists(root):
        return found
    for d, dirs, files in os.walk(root):
        for n in dirs:
            found.append(os.path.relpath(os.path.join(d, n), root) + '/')
        for n in files:
            found.append(os.path.relpath(os.path.join(d, n), root))
    return sorted(found)


def reset(scenario, scratch, M):
    state = os.path.dirname(M)
    if scenario == 'guard':
        for n in ORIGINAL['listdir'](state):
            if os.path.join(state, n) != M:
                p = os.path.join(state, n)
                shutil.rmtree(p) if os.path.isdir(p) else ORIGINAL['remove'](p)
    else:
        shutil.rmtree(state, ignore_errors=True)
        if scenario == 'present':
            ORIGINAL['makedirs'](M)
    local = os.path.join(scratch, 'local.bin')
    if os.path.lexists(local):
        ORIGINAL['remove'](local)


def outcome(fn, hooks, M):
    state = os.path.dirname(M)
    before = on_disk(state) if os.path.isdir(state) else []
    hooks.store = {'existing.json': b'{"n": 1}'}
    keys_before = dict(hooks.store)
    hooks.install()
    try:
        value = fn()
        error = None
    except Exception as e:  # noqa: BLE001 - the table reports whatever the idiom raises
        value, error = None, e
    finally:
        hooks.uninstall()
    after = on_disk(state) if os.path.isdir(state) else []
    created = [p for p in after if p not in before]
    stored = hooks.store != keys_before
    if error is not None:
        if isinstance(error, OSError) and error.errno is not None:
            text = f'{type(error).__name__} {errno.errorcode.get(error.errno, error.errno)}'
        else:
            text = f'{type(error).__name__}: {error}'
    elif created:
        # tempfile's random names would make every run's table differ.
        shown = [re.sub(r'tmp[a-z0-9_]{8}', 'tmpXXXXXXXX', p) for p in created[:3]]
        text = 'ok, on the container disk (lost at restart): ' + ', '.join(shown)
    elif stored:
        text = 'ok, through the hooks (connector)'
    elif value is not None:
        text = f'ok, returns {value!r}'
    else:
        text = 'ok, no effect'
    if error is not None and stored:
        text += ' (after the data went through the hooks)'
    if error is not None and created:
        text += ' (left on disk: ' + ', '.join(created[:3]) + ')'
    return text


def table(lines):
    """The Markdown table: one row per call, one column per scenario, in the order run."""
    rows = {}
    for line in lines:
        r = json.loads(line)
        rows.setdefault(r['call'], {})[r['scenario']] = r['outcome']
    head = '| call | no guard, nothing at the path | no guard, directory on the container disk | with the guard (read-only emptyDir) |'
    out = [head, '|---|---|---|---|']
    for call, by in rows.items():
        # A '|' would end a Markdown cell, even inside backticks.
        cells = [by.get(s, '-').replace('|', '\\|') for s in ('absent', 'present', 'guard')]
        out.append(f'| `{call.replace("|", "/")}` | ' + ' | '.join(cells) + ' |')
    return '\n'.join(out)


def main():
    if sys.argv[1] == 'table':
        print(table([line for line in sys.stdin if line.strip()]))
        return
    scenario, scratch = sys.argv[1], sys.argv[2]
    M = os.path.join(scratch, 'state', 'cache')
    hooks = StandInHooks(M)
    for label, fn in idioms(M, scratch):
        reset(scenario, scratch, M)
        text = outcome(fn, hooks, M).replace(scratch, '')
        print(json.dumps({'call': label, 'scenario': scenario, 'outcome': text}), flush=True)


if __name__ == '__main__':
    main()
