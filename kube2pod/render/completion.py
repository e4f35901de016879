"""Shell completion scripts for bash, zsh and fish, written from the argparse parser itself.

Nothing is listed by hand: the commands, each command's options, which options take a value
(its choices, or a file when the metavar names FILE or DIR) all come from the parser, so the
scripts cannot drift from it. The first positional word of ``logs`` and ``exec`` is an object
name, asked of ``kube2pod completion --targets`` (the kube2pod pods and workloads on the host);
every positional word of ``status`` is an object name or a file; other positional words complete
as files. ``--connection`` completes the names ``kube2pod completion --connections`` lists (the
connections ``podman system connection`` stored). zsh runs the bash function through
``bashcompinit``.
"""

from __future__ import annotations

import argparse
import shlex

TARGET_COMMANDS = ("logs", "exec")  # first positional word: an object name
MIXED_COMMANDS = ("status",)  # every positional word: an object name or a file
DYNAMIC = {"--connection": "--connections"}  # option -> the `kube2pod completion` flag listing its values


def commands(parser: argparse.ArgumentParser) -> dict[str, tuple[str, argparse.ArgumentParser]]:
    """``{name: (help, subparser)}`` of the parser's commands."""
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    helps = {a.dest: a.help or "" for a in sub._choices_actions}
    return {name: (helps.get(name, ""), sp) for name, sp in sub.choices.items()}


def options(parser: argparse.ArgumentParser) -> list[argparse.Action]:
    """The documented options (hidden ones and positionals left out)."""
    return [a for a in parser._actions if a.option_strings and a.help != argparse.SUPPRESS]


def takes_value(action: argparse.Action) -> bool:
    return action.nargs != 0


def _lister(action: argparse.Action) -> str:
    """The ``kube2pod completion`` flag that lists the option's values ("" when none)."""
    return next((DYNAMIC[s] for s in action.option_strings if s in DYNAMIC), "")


def takes_file(action: argparse.Action) -> bool:
    return takes_value(action) and any(w in str(action.metavar or "") for w in ("FILE", "DIR"))


def script(parser: argparse.ArgumentParser, shell: str) -> str:
    return {"bash": bash, "zsh": zsh, "fish": fish}[shell](parser)


def _words(items) -> str:
    return shlex.quote(" ".join(items))


def bash(parser: argparse.ArgumentParser) -> str:
    cmds = commands(parser)
    top = [*cmds, *(s for a in options(parser) for s in a.option_strings)]
    cases = []
    for name, (_, sp) in cmds.items():
        acts = options(sp)
        opts = [s for a in acts for s in a.option_strings]
        valued = [s for a in acts if takes_value(a) for s in a.option_strings]
        lines = [f"        {name})", f"            opts={_words(opts)}; valued={_words(valued)}",
                 '            case "$prev" in']
        for a in acts:
            if not takes_value(a):
                continue
            pattern = "|".join(a.option_strings)
            lister = _lister(a)
            if lister:
                reply = f'COMPREPLY=($(compgen -W "$(kube2pod completion {lister} 2>/dev/null)" -- "$cur"))'
            elif a.choices:
                reply = f'COMPREPLY=($(compgen -W {_words(map(str, a.choices))} -- "$cur"))'
            elif takes_file(a):
                reply = 'COMPREPLY=($(compgen -f -- "$cur")); compopt -o filenames 2>/dev/null'
            else:
                reply = "COMPREPLY=()"
            lines.append(f"                {pattern}) {reply}; return ;;")
        lines += ["            esac ;;"]
        cases.append("\n".join(lines))
    targets = "|".join(TARGET_COMMANDS)
    return f"""# kube2pod completion for bash (generated from kube2pod's parser: `kube2pod completion bash`)
# Load it: source <(kube2pod completion bash)
_kube2pod() {{
    local cur="${{COMP_WORDS[COMP_CWORD]}}" prev="${{COMP_WORDS[COMP_CWORD-1]}}"
    local cmd="" at=0 i w opts="" valued=""
    for ((i = 1; i < COMP_CWORD; i++)); do
        case "${{COMP_WORDS[i]}}" in
            {"|".join(cmds)}) cmd="${{COMP_WORDS[i]}}"; at=$i; break ;;
        esac
    done
    if [[ -z "$cmd" ]]; then
        COMPREPLY=($(compgen -W {_words(top)} -- "$cur"))
        return
    fi
    case "$cmd" in
{chr(10).join(cases)}
    esac
    if [[ "$cur" == -* ]]; then
        COMPREPLY=($(compgen -W "$opts" -- "$cur"))
        return
    fi
    local positionals=0 skip=0
    for ((i = at + 1; i < COMP_CWORD; i++)); do
        w="${{COMP_WORDS[i]}}"
        if ((skip)); then skip=0; continue; fi
        [[ "$w" == "--" ]] && {{ positionals=$((positionals + 1)); break; }}
        if [[ "$w" == -* ]]; then
            [[ " $valued " == *" $w "* ]] && skip=1
            continue
        fi
        positionals=$((positionals + 1))
    done
    case "$cmd" in
        {targets})
            if ((positionals == 0)); then
                COMPREPLY=($(compgen -W "$(kube2pod completion --targets 2>/dev/null)" -- "$cur"))
                return
            fi ;;
        {"|".join(MIXED_COMMANDS)})
            COMPREPLY=($(compgen -W "$(kube2pod completion --targets 2>/dev/null)" -- "$cur") $(compgen -f -- "$cur"))
            compopt -o filenames 2>/dev/null
            return ;;
        completion) COMPREPLY=($(compgen -W "bash zsh fish" -- "$cur")); return ;;
    esac
    COMPREPLY=($(compgen -f -- "$cur"))
    compopt -o filenames 2>/dev/null
}}
complete -o bashdefault -o default -F _kube2pod kube2pod
"""


def zsh(parser: argparse.ArgumentParser) -> str:
    return ("# kube2pod completion for zsh (generated: `kube2pod completion zsh`); the bash function, through\n"
            "# bashcompinit. Load it: source <(kube2pod completion zsh)\n"
            "autoload -U +X compinit && compinit\nautoload -U +X bashcompinit && bashcompinit\n"
            + bash(parser).split("\n", 2)[2])


def _fish_quote(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def fish(parser: argparse.ArgumentParser) -> str:
    cmds = commands(parser)
    lines = ["# kube2pod completion for fish (generated from kube2pod's parser: `kube2pod completion fish`)",
             "# Load it: kube2pod completion fish | source",
             "complete -c kube2pod -f"]
    for name, (help_, _) in cmds.items():
        lines.append(f"complete -c kube2pod -n __fish_use_subcommand -a {name} -d {_fish_quote(help_)}")
    for name, (_, sp) in cmds.items():
        cond = f"'__fish_seen_subcommand_from {name}'"
        for a in options(sp):
            flags = " ".join(f"-l {s[2:]}" if s.startswith("--") else f"-s {s[1:]}" for s in a.option_strings)
            extra = ""
            if _lister(a):
                extra = f" -x -a '(kube2pod completion {_lister(a)} 2>/dev/null)'"
            elif a.choices:
                extra = f" -x -a {_fish_quote(' '.join(map(str, a.choices)))}"
            elif takes_file(a):
                extra = " -r -F"
            elif takes_value(a):
                extra = " -x"
            help_ = (a.help or "").replace("%(default)s", str(a.default))
            lines.append(f"complete -c kube2pod -n {cond} {flags}{extra} -d {_fish_quote(help_[:80])}")
        if name in TARGET_COMMANDS:
            lines.append(f"complete -c kube2pod -n {cond} -a '(kube2pod completion --targets 2>/dev/null)'")
        elif name in MIXED_COMMANDS:
            lines.append(f"complete -c kube2pod -n {cond} -F -a '(kube2pod completion --targets 2>/dev/null)'")
        elif name == "completion":
            lines.append(f"complete -c kube2pod -n {cond} -a 'bash zsh fish'")
        else:
            lines.append(f"complete -c kube2pod -n {cond} -F")
    return "\n".join(lines) + "\n"
