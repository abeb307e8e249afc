# xonsh completion for autovenv, generated from its command line:
# execx($(autovenv completions xonsh))
def __autovenv_completer():
    from xonsh.completers.tools import contextual_command_completer_for

    # subcommand: (its first argument, its long options, {option: its value})
    subcommands = {
        'hook': (('bash', 'zsh', 'fish', 'tcsh', 'elvish', 'nu', 'xonsh',), ('--help',), {}),
        'export': (('bash', 'zsh', 'fish', 'tcsh', 'elvish', 'nu', 'xonsh',), ('--deactivate', '--session', '--activated-by-hand', '--no-create', '--help',), {'--deactivate': ('full', 'nondestructive',)}),
        'allow': ('dir', ('--list', '--any-owner', '--help',), {}),
        'deny': ('dir', ('--list', '--help',), {}),
        'status': ('dir', ('--json', '--help',), {}),
        'create': ('dir', ('--python', '--force', '--help',), {}),
        'reload': (None, ('--help',), {}),
        'exec': ('dir', ('--help',), {}),
        'sync': ('dir', ('--watch', '--help',), {}),
        'prune': (None, ('--help',), {}),
        'completions': (('bash', 'zsh', 'fish', 'elvish', 'nushell', 'tcsh', 'xonsh', 'powershell',), ('--help',), {}),
    }

    def starting(words, prefix):
        found = {w for w in words if w.startswith(prefix)}
        return found or None

    @contextual_command_completer_for('autovenv')
    def complete(context):
        words = [arg.value for arg in context.args[1:context.arg_index]]
        prefix = context.prefix
        if not words:
            return starting(('--help', '--version') + tuple(subcommands), prefix)
        sub = subcommands.get(words[0])
        if sub is None:
            return None
        first, longs, valued = sub
        if len(words) > 1 and words[-1] in valued:
            value = valued[words[-1]]
            return starting(value, prefix) if isinstance(value, tuple) else None
        if '--' in words:
            return None
        if prefix.startswith('-'):
            return starting(longs, prefix)
        if isinstance(first, tuple) and not any(not w.startswith('-') for w in words[1:]):
            return starting(first, prefix)
        return None

    return complete


__xonsh__.completers.pop('autovenv', None)
__xonsh__.completers['autovenv'] = __autovenv_completer()
__xonsh__.completers.move_to_end('autovenv', last=False)
del __autovenv_completer
