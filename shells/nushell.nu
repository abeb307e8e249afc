# autovenv: Python virtual environments that follow you around the shell.
# Loaded from nushell's autoload directory; in config.nu:
#   mkdir ($nu.data-dir | path join vendor/autoload)
#   autovenv hook nu | save -f ($nu.data-dir | path join vendor/autoload/autovenv.nu)
#
# Before each prompt _autovenv_hook decides, with nushell builtins only, whether anything
# that matters may have changed: $env.PWD (walked up to the anchor the binary named last
# time), $env.VIRTUAL_ENV, or the entries it watches at the current directory and the
# anchor. Only then does it run `autovenv export nu` (one process), which prints JSON that
# _autovenv_apply carries out. The hook's memory lives in $env._AUTOVENV, a record, which
# nushell does not pass on to other processes, so a child shell evaluates afresh.

def _autovenv_fresh [] {
  {
    bin: @AUTOVENV@
    session: ""
    pwd: ""
    venv: ""
    anchor: ""
    names: []
    check: []
    expect: []
    relative: []
    absent: []
    absolute: []
    absolute_absent: []
    there: []
    snapshot: []
    prefix: ""
    missing: false
    deactivate: ""
    wanted: ""
    users_deactivate: false
  }
}

def _autovenv_virtual_env [] { $env.VIRTUAL_ENV? | default "" | into string }

def _autovenv_up [dir: string] {
  let i = ($dir | str index-of "/" --end)
  if $i <= 0 { "" } else { $dir | str substring 0..<$i }
}

# Whether the last evaluation still holds, without starting any process: no watched entry
# in $env.PWD or any directory up to the anchor, and the anchor's as they were. Each
# directory is one `path exists` over the relative names prefixed with it.
def _autovenv_unchanged [] {
  let s = $env._AUTOVENV
  if $s.pwd == "" or (_autovenv_virtual_env) != $s.venv { return false }
  mut d = ($env.PWD | str trim --right --char "/")
  if not ($d == $s.anchor or ($d | str starts-with $"($s.anchor)/")) { return false }
  if $d != $s.anchor and ($s.absolute | path exists) != $s.absolute_absent { return false }
  while $d != $s.anchor {
    if ($s.relative | str replace "" $"($d)/" | path exists) != $s.absent { return false }
    if $env.PWD == $s.pwd { break }
    $d = (_autovenv_up $d)
  }
  ($s.there | path exists) == $s.snapshot
}

# Records the steady prompt's check for $env.PWD, once the last evaluation holds there:
# the watched paths (here, when below the anchor, and at the anchor) and whether each
# existed, for one `path exists` over them all (a closure run per name costs far more,
# so what depends on the names alone is worked out once per evaluation, in
# _autovenv_done, and a cd prefixes the names with one `str replace`).
def --env _autovenv_record [] {
  let s = $env._AUTOVENV
  let d = ($env.PWD | str trim --right --char "/")
  if $d == $s.anchor {
    $env._AUTOVENV.check = $s.there
    $env._AUTOVENV.expect = $s.snapshot
  } else if ($d | str starts-with $"($s.anchor)/") {
    $env._AUTOVENV.check = ($s.relative | str replace "" $"($d)/" | append $s.there)
    $env._AUTOVENV.expect = ($s.absent | append $s.snapshot)
  } else {
    # Not below the anchor: no steady check holds (none matches a null).
    $env._AUTOVENV.check = []
    $env._AUTOVENV.expect = [null]
  }
  $env._AUTOVENV.pwd = $env.PWD
}

def --env _autovenv_done [] {
  let s = $env._AUTOVENV
  let relative = ($s.names | where {|n| not ($n | str starts-with "/") })
  let absolute = ($s.names | where {|n| $n | str starts-with "/" })
  let there = ($s.names | each {|n| if ($n | str starts-with "/") { $n } else { $"($s.anchor)/($n)" } })
  $env._AUTOVENV.venv = (_autovenv_virtual_env)
  $env._AUTOVENV.relative = $relative
  $env._AUTOVENV.absent = ($relative | each { false })
  $env._AUTOVENV.absolute = $absolute
  $env._AUTOVENV.absolute_absent = ($absolute | each { false })
  $env._AUTOVENV.there = $there
  $env._AUTOVENV.snapshot = ($there | path exists)
  _autovenv_record
}

# After a failure, stays quiet until the user changes directory.
def --env _autovenv_settle [] {
  $env._AUTOVENV.anchor = ($env.PWD | str trim --right --char "/")
  $env._AUTOVENV.names = []
  _autovenv_done
}

# Carries out one export: the shape is defined in autovenv's src/shell/nushell.rs.
def --env _autovenv_apply [u: record] {
  load-env $u.set
  hide-env -i ...$u.unset
  if $u.path != null {
    mut path = ($env.PATH? | default [])
    if ($path | describe) == "string" { $path = ($path | split row (char esep)) }
    for r in $u.path.remove {
      let hit = ($path | enumerate | where item == $r)
      if ($hit | is-not-empty) { $path = ($path | drop nth ($hit | first | get index)) }
    }
    $env.PATH = ($u.path.prepend | append $path)
  }
  if $u.prompt == "remove" {
    $env._AUTOVENV.prefix = ""
  } else if $u.prompt != "leave" {
    $env._AUTOVENV.prefix = $u.prompt
  }
  $env._AUTOVENV.session = $u.session
  $env._AUTOVENV.anchor = $u.anchor
  $env._AUTOVENV.names = $u.names
  _autovenv_done
}

# Runs `autovenv export nu` with the given options and applies what it prints.
def --env _autovenv_run [...args: string] {
  let bin = $env._AUTOVENV.bin
  if not (($bin | path exists) and (($bin | path type) != "dir")) {
    if not $env._AUTOVENV.missing {
      print --stderr $"autovenv: ($bin) is missing or not executable: reinstall autovenv, or remove the autovenv file from nushell's autoload directory"
      $env._AUTOVENV.missing = true
    }
    _autovenv_settle
    return
  }
  $env._AUTOVENV.missing = false
  let out = try {
    ^$bin export nu ...$args $"--session=($env._AUTOVENV.session)" | from json
  } catch {
    null
  }
  if $out == null { _autovenv_settle } else { _autovenv_apply $out }
}

# A steady prompt is the one `path exists` recorded above; after a cd, the full check
# walks up to the anchor and, when nothing changed, records the check for the new $PWD.
def --env _autovenv_hook [] {
  let s = $env._AUTOVENV
  if $env.PWD == $s.pwd and (_autovenv_virtual_env) == $s.venv and ($s.check | path exists) == $s.expect {
    return
  }
  if (_autovenv_unchanged) { _autovenv_record } else { _autovenv_run }
}

# Restores what autovenv's activation replaced; keeps this project off in this shell until
# you leave it. `deactivate nondestructive` (as venv activate scripts call it) does not.
# `deactivate` is this while autovenv's venv is on, and when you have no `deactivate` of
# your own (see _autovenv_deactivate_wanted).
def --env _autovenv_deactivate [mode?: string] {
  if ($env.AUTOVENV_STATE? | is-empty) {
    print --stderr "autovenv: nothing to deactivate: autovenv activated no venv in this shell"
    return
  }
  let mode = if $mode == "nondestructive" { "nondestructive" } else { "full" }
  _autovenv_run $"--deactivate=($mode)"
  if $mode == "nondestructive" { $env._AUTOVENV.pwd = "" }
}

# The names of the overlays in effect, the topmost last.
def _autovenv_overlays [] { overlay list | where active | get name }

# Whether a venv's own activate.nu (`overlay use .venv/bin/activate.nu`) is on over
# autovenv's activation of that same venv: then the prompt shows its prefix alone, and
# PATH holds the venv's bin directory once (a change made in its overlay, which goes with
# it). Its `deactivate` (`overlay hide activate`) goes back to autovenv's activation.
def _autovenv_over_ours [] {
  let s = $env._AUTOVENV
  (($env.AUTOVENV_STATE? | is-not-empty) and ($env.VIRTUAL_PREFIX? | is-not-empty)
    and (_autovenv_virtual_env) == $s.venv and $s.venv != "" and ("activate" in (_autovenv_overlays)))
}

# PATH with the venv's bin directory in it once: activate.nu put it in front of autovenv's.
def _autovenv_one_bin [] {
  let bin = ((_autovenv_virtual_env) | path join bin)
  let path = $env.PATH
  let at = ($path | enumerate | where item == $bin | get index | skip 1)
  if ($at | is-empty) { $path } else { $path | drop nth ...$at }
}

# What `deactivate` should be after this prompt's evaluation: autovenv's while its venv is
# "on", and while it is "off" when you have no `deactivate` of your own; "users" (yours)
# otherwise; "over" while a venv's own activate.nu is on over autovenv's activation of that
# venv (its own `deactivate`, which then turns autovenv's off too); "" (left alone) while
# another venv's activate.nu is on.
def _autovenv_deactivate_wanted [] {
  if ($env.VIRTUAL_PREFIX? | is-not-empty) {
    if (_autovenv_over_ours) and ((_autovenv_overlays | last) == "activate") { "over" } else { "" }
  } else if ($env.AUTOVENV_STATE? | is-not-empty) {
    "on"
  } else if $env._AUTOVENV.users_deactivate {
    "users"
  } else {
    "off"
  }
}

# Whether `deactivate` is to be pointed anew, at one of `to`: on each change of what is
# wanted (worked out once per prompt, in `wanted`), so that a `deactivate` of yours typed
# since is kept before autovenv's replaces it.
def _autovenv_deactivate_becomes [...to: string] {
  let s = $env._AUTOVENV
  $s.deactivate != $s.wanted and $s.wanted in $to
}

# Whether `deactivate` is a command the hook did not point it at: the user's own, from
# config.nu (which nushell runs before the autoload directory) or typed since. (A program
# of that name on PATH, such as pyenv-virtualenv's, is none: in nushell it cannot turn
# off anything, and autovenv's says so.)
def _autovenv_foreign_deactivate [] {
  if (which deactivate | where type != external | is-empty) { return false }
  let source = try { view source deactivate } catch { "" }
  $source not-in [_autovenv_deactivate _autovenv_users_deactivate]
}

# `autovenv allow`, `deny`, `reload` change the answer without a cd: run the binary, then
# make the next prompt evaluate again. nushell expands a leading `~` in the words of an
# external command, not in a command's own arguments: done here, so `autovenv allow ~/p`
# names the same directory as `^autovenv allow ~/p`.
def --env --wrapped autovenv [...args] {
  $env._AUTOVENV.pwd = ""
  let session = $env._AUTOVENV.session
  if ($args | first 1) == ["reload"] { $env._AUTOVENV.session = "r" }
  let args = $args | each {|a|
    if ($a == "~" or ($a | str starts-with "~/")) { $a | path expand --no-symlink } else { $a }
  }
  with-env { AUTOVENV_SESSION: $session } { ^$env._AUTOVENV.bin ...$args }
}

# The prefix goes in front of whatever prompt the user has: one set after the hook is
# loaded (a theme, starship's init) is wrapped too, before the next prompt is drawn. The wrapper is known by the
# marker in its source.
def _autovenv_ours [prompt] {
  (($prompt | describe) == "closure") and ((view source $prompt) | str contains "_autovenv_marker")
}

def --env _autovenv_wrap_prompt [] {
  let user_prompt = $env.PROMPT_COMMAND?
  $env.PROMPT_COMMAND = {||
    # _autovenv_marker
    let shown = match ($user_prompt | describe) {
      "string" => $user_prompt,
      "nothing" => "",
      _ => (do $user_prompt)
    }
    # (A venv's own activate.nu shows its prefix itself.)
    let off = (($env.VIRTUAL_ENV_DISABLE_PROMPT? | default "" | is-not-empty)
      or ($env.VIRTUAL_PREFIX? | is-not-empty))
    if $off { $shown } else { $"($env._AUTOVENV.prefix)($shown)" }
  }
}

# nushell defines commands when it parses, so the hook file defines no `deactivate`: a
# hook given as text is parsed when it runs, and these point `deactivate` at autovenv's or
# at yours as the venv goes on and off. Yours is kept as `_autovenv_users_deactivate`
# whenever `deactivate` is about to be pointed elsewhere and is not the hook's. Over a
# venv's own activate.nu, its `deactivate` (`overlay hide activate`) keeps the hook's
# memory, which says so: the next prompt then turns autovenv's activation off as well.
if ($env._AUTOVENV? | is-empty) {
  $env._AUTOVENV = (_autovenv_fresh)
  $env.config.hooks.pre_prompt = ($env.config.hooks.pre_prompt? | default [] | append [[
    {||
      # (Not over a venv's own activate.nu overlay, which wraps the prompt itself.)
      if ($env.VIRTUAL_PREFIX? | is-empty) and not (_autovenv_ours $env.PROMPT_COMMAND?) {
        _autovenv_wrap_prompt
      }
      if $env._AUTOVENV.deactivate == "over" and ($env.VIRTUAL_PREFIX? | is-empty) and ($env.AUTOVENV_STATE? | is-not-empty) {
        _autovenv_run "--deactivate=full"
      }
      if (_autovenv_over_ours) and ((_autovenv_overlays | last) == "activate") {
        $env.PATH = (_autovenv_one_bin)
      }
      _autovenv_hook
      $env._AUTOVENV.wanted = (_autovenv_deactivate_wanted)
    }
    {
      condition: {|| (_autovenv_deactivate_becomes on off users) and (_autovenv_foreign_deactivate) }
      code: "alias _autovenv_users_deactivate = deactivate; $env._AUTOVENV.users_deactivate = true; $env._AUTOVENV.wanted = (_autovenv_deactivate_wanted)"
    }
    {
      condition: {|| _autovenv_deactivate_becomes on off }
      code: "alias deactivate = _autovenv_deactivate; $env._AUTOVENV.deactivate = $env._AUTOVENV.wanted"
    }
    {
      condition: {|| _autovenv_deactivate_becomes users }
      code: "alias deactivate = _autovenv_users_deactivate; $env._AUTOVENV.deactivate = 'users'"
    }
    {
      condition: {|| _autovenv_deactivate_becomes over }
      code: "alias deactivate = overlay hide activate --keep-env [_AUTOVENV]; $env._AUTOVENV.deactivate = 'over'"
    }
  ]])
  _autovenv_wrap_prompt
} else {
  $env._AUTOVENV = (_autovenv_fresh | merge $env._AUTOVENV | merge {bin: @AUTOVENV@, pwd: ""})
}
