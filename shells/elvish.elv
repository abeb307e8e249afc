# autovenv: Python virtual environments that follow you around the shell.
# Loaded from ~/.config/elvish/rc.elv with: eval (autovenv hook elvish | slurp)
#
# Before each prompt, and after every cd (through $after-chdir, so that `cd project;
# python` runs the project's venv), the hook decides, with elvish builtins only, whether
# anything that matters may have changed: $pwd (walked up to the anchor the binary named
# last time), $E:VIRTUAL_ENV, or the entries it watches at the current directory and the
# anchor. Only then does it run `autovenv export elvish` (one process) and evaluate what
# that prints.
use path
use str

var bin = @AUTOVENV@
var session = ''
var last-pwd = ''
var last-venv = ''
var anchor = ''
var names = []
var prefix = ''
var missing = $false

fn ve { if (has-env VIRTUAL_ENV) { get-env VIRTUAL_ENV } else { put '' } }

fn exists {|p|
  or (path:is-dir &follow-symlink=$true $p) (path:is-regular &follow-symlink=$true $p)
}

# What the last evaluation found, for the checks below: the watched names that are not
# absolute (looked for in each directory below the anchor), the watched paths at the
# anchor that existed and those that did not, and the names to look for in $last-pwd
# (none at the anchor).
var below-names = []
var anchor-on = []
var anchor-off = []
var here-names = []

# The directory above $d, '' above a directory in /; byte-wise (a name that is not UTF-8
# cannot be sliced at a byte index).
fn up {|d| var u = (path:dir $d); if (eq $u /) { put '' } else { put $u } }

# The steady prompt's check. elvish pays dearly for each call whose value is used (a
# watched name's test costs more than listing a directory), so a steady prompt instead
# lists the directories that hold the watched entries (this one and the anchor, and the
# parent of each absolute name) with one glob each, and compares the names found, with
# $pwd and $E:VIRTUAL_ENV, to what `record` saw: any entry made, removed or renamed there
# changes the listing. An entry that is a symlink (or not a directory or regular file) is
# tested by itself, as a target appearing or vanishing elsewhere changes no listing. Where
# that cannot stand for the names (a name with a `/` inside, a directory of more than
# $listing-max entries), $fast-was is $nil and the full check below runs every prompt.
var fast-dirs = []
var fast-own = []
var fast-was = $nil
var listing-max = 256

# Sets $now to what a steady prompt finds, to compare with $fast-was (a variable, not
# a value put out: capturing one costs as much again).
var now = []
fn fast-now {
  set now = [$pwd $last-pwd $E:VIRTUAL_ENV]
  for d $fast-dirs { set now = [$@now $d/*[match-hidden][nomatch-ok]] }
  for p $fast-own { set now = [$@now (exists $p)] }
}

# What the watched names ask of the steady check, worked out once per evaluation by
# `names-changed`: the parents of the absolute names (other than the anchor), the watched
# paths, and whether a listing can stand for them at all.
var name-dirs = []
var name-paths = []
var name-listable = $true
var own-from = $nil

fn names-changed {
  set name-dirs = []
  set name-paths = []
  set name-listable = $true
  set own-from = $nil
  for n $names {
    if (str:has-prefix $n /) {
      var d = (up $n)
      if (not (or (eq $d $anchor) (has-value $name-dirs $d))) { set name-dirs = [$@name-dirs $d] }
      set name-paths = [$@name-paths $n]
    } elif (str:contains $n /) {
      set name-listable = $false
    } else {
      set name-paths = [$@name-paths $anchor/$n]
    }
  }
}

# Records what the steady check compares with, after a check found nothing changed. The
# entries tested by themselves depend only on the anchor's and the absolute names'
# directories, which a cd inside the project leaves alone: worked out again only when
# their listings differ from the last time ($own-from).
fn record {
  set fast-was = $nil
  if (not $name-listable) { return }
  var seen = []
  for d [$anchor $@name-dirs] {
    var l = [$d/*[match-hidden][nomatch-ok]]
    if (> (count $l) $listing-max) { return }
    set seen = [$@seen $@l]
  }
  var here = (str:trim-suffix $pwd /)
  set fast-dirs = [$anchor $@name-dirs]
  if (not-eq $here $anchor) {
    if (> (count [$here/*[match-hidden][nomatch-ok]]) $listing-max) { return }
    set fast-dirs = [$here $@fast-dirs]
  }
  if (not-eq $seen $own-from) {
    set fast-own = []
    for p $name-paths {
      if (and (has-value $seen $p) (not (or (path:is-dir $p) (path:is-regular $p)))) {
        set fast-own = [$@fast-own $p]
      }
    }
    set own-from = $seen
  }
  fast-now
  set fast-was = $now
}

# Whether the last evaluation still holds, without starting any process, when the steady
# check above did not find so: after a cd, or once a listing changed. It calls builtins
# only, one or two a watched entry.
fn unchanged {
  if (or (eq $last-pwd '') (not-eq $E:VIRTUAL_ENV $last-venv)) { put $false; return }
  if (eq $pwd $last-pwd) {
    for n $here-names {
      if (or (path:is-dir &follow-symlink=$true $n) (path:is-regular &follow-symlink=$true $n)) { put $false; return }
    }
  } else {
    var d = (str:trim-suffix $pwd /)
    if (not (or (eq $d $anchor) (str:has-prefix $d $anchor/))) { put $false; return }
    set here-names = []
    if (not-eq $d $anchor) { set here-names = $below-names }
    while (not-eq $d $anchor) {
      for n $below-names {
        if (or (path:is-dir &follow-symlink=$true $d/$n) (path:is-regular &follow-symlink=$true $d/$n)) { put $false; return }
      }
      set d = (up $d)
    }
  }
  for p $anchor-on {
    if (not (or (path:is-dir &follow-symlink=$true $p) (path:is-regular &follow-symlink=$true $p))) { put $false; return }
  }
  for p $anchor-off {
    if (or (path:is-dir &follow-symlink=$true $p) (path:is-regular &follow-symlink=$true $p)) { put $false; return }
  }
  set last-pwd = $pwd
  record
  put $true
}

fn done {
  set last-pwd = $pwd
  set last-venv = (ve)
  set below-names = []
  set anchor-on = []
  set anchor-off = []
  for n $names {
    var p = $anchor/$n
    if (str:has-prefix $n /) {
      set p = $n
    } else {
      set below-names = [$@below-names $n]
    }
    if (exists $p) { set anchor-on = [$@anchor-on $p] } else { set anchor-off = [$@anchor-off $p] }
  }
  set here-names = []
  if (not-eq (str:trim-suffix $pwd /) $anchor) { set here-names = $below-names }
  names-changed
  record
}

# After a failure, stays quiet until the user changes directory.
fn settle {
  set anchor = (str:trim-suffix $pwd /)
  set names = []
  done
}

# Loading again replaces the earlier hook and prompt wrapper instead of adding more: the
# hook is known by a marker in its body, the wrapper hands out the prompt it wraps.
fn ours {|f| try { str:contains $f[body] _autovenv-marker } catch { put $false } }

# A `deactivate` of the user's own, defined in rc.elv before the hook line (this code is
# evaluated in a copy of that namespace): put back whenever autovenv's goes. A REPL's
# definitions cannot be read from a hook, so one defined after the hook line is replaced
# by autovenv's the first time a venv is activated. (Loaded again, what the copy holds may
# be autovenv's own, known by its marker.)
var user-deactivate = $nil
nop ?(set user-deactivate = (eval 'put $deactivate~'))
if (and (not-eq $user-deactivate $nil) (ours $user-deactivate)) { set user-deactivate = $nil }

var our-deactivate~

# Applies what one `autovenv export elvish` set in its namespace.
fn apply {|ns|
  set session = $ns[session]
  set anchor = $ns[anchor]
  set names = $ns[names]
  if (eq $ns[prompt] show) {
    set prefix = $ns[prefix]
  } elif (eq $ns[prompt] remove) {
    set prefix = ''
  }
  if (eq $ns[deactivate] define) {
    edit:add-var deactivate~ $our-deactivate~
  } elif (eq $ns[deactivate] remove) {
    if (eq $user-deactivate $nil) {
      try { edit:del-var deactivate~ } catch { }
    } else {
      edit:add-var deactivate~ $user-deactivate
    }
  }
  done
  # A venv to create was left for the prompt (`--no-create`): evaluate again there.
  if $ns[again] { set last-pwd = '' }
}

# Runs `autovenv export elvish` with the given options and applies what it prints.
fn run {|@args|
  if (not (path:is-regular &follow-symlink=$true $bin)) {
    if (not $missing) {
      echo 'autovenv: '$bin' is missing or not executable: reinstall autovenv, or remove the autovenv line from rc.elv' >&2
      set missing = $true
    }
    settle
    return
  }
  set missing = $false
  try {
    var code = ($bin export elvish $@args --session=$session | slurp)
    eval $code &on-end=$apply~
  } catch e {
    settle
  }
}

# Restores what the activation replaced; keeps this project off in this shell until you
# leave it. `deactivate nondestructive` (the form venv scripts use) does not.
set our-deactivate~ = {|@args|
  nop _autovenv-marker
  var mode = full
  if (and (> (count $args) 0) (eq $args[0] nondestructive)) { set mode = nondestructive }
  run --deactivate=$mode
  if (eq $mode nondestructive) { set last-pwd = '' }
}

# `autovenv allow`, `deny`, `reload` change the answer without a cd: run the binary, then
# make the next prompt evaluate again.
edit:add-var autovenv~ {|@args|
  try {
    (external env) AUTOVENV_SESSION=$session $bin $@args
  } finally {
    if (and (> (count $args) 0) (eq $args[0] reload)) { set session = r }
    set last-pwd = ''
  }
}


# The prefix goes in front of whatever prompt the user has: one set after the hook line
# (a theme, starship's init) is wrapped too, before the next prompt is drawn.
var user-prompt = $edit:prompt
var our-prompt = $nil
fn wrap-prompt {
  set user-prompt = $edit:prompt
  set our-prompt = {|&autovenv-wrapped=$false|
    nop _autovenv-marker
    if $autovenv-wrapped {
      put $user-prompt
    } else {
      if (and (not-eq $prefix '') (not (and (has-env VIRTUAL_ENV_DISABLE_PROMPT) (not-eq $E:VIRTUAL_ENV_DISABLE_PROMPT '')))) {
        put $prefix
      }
      $user-prompt
    }
  }
  set edit:prompt = $our-prompt
}
if (ours $edit:prompt) { set edit:prompt = ($edit:prompt &autovenv-wrapped=$true) }
wrap-prompt

# A cd takes effect at once. It may be one step of a loop or a script: a venv is
# activated here, but only created at a prompt.
set after-chdir = [(each {|f| if (not (ours $f)) { put $f } } $after-chdir) {|_|
  nop _autovenv-marker
  try {
    fast-now
    if (not-eq $now $fast-was) { if (not (unchanged)) { run --no-create } }
  } catch e {
    echo 'autovenv: the elvish hook failed: '(to-string $e[reason]) >&2
  }
}]

set edit:before-readline = [(each {|f| if (not (ours $f)) { put $f } } $edit:before-readline) {
  nop _autovenv-marker
  if (not-eq $edit:prompt $our-prompt) { wrap-prompt }
  try {
    fast-now
    if (not-eq $now $fast-was) { if (not (unchanged)) { run } }
  } catch e {
    echo 'autovenv: the elvish hook failed: '(to-string $e[reason]) >&2
  }
}]
