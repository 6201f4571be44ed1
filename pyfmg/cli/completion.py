"""``pyfmg completion bash|zsh``: a completion script written from the parser itself.

No extra dependency: the script lists the commands and each command's options, and completes
file names elsewhere. zsh runs the bash function through its ``bashcompinit`` layer.
"""

from __future__ import annotations

import argparse

SCRIPT = """\
# pyfmg completion for {shell}: eval "$(pyfmg completion {shell})"
{preamble}_pyfmg() {{
    local cur=${{COMP_WORDS[COMP_CWORD]}} command="" skip="" word i
    for ((i = 1; i < COMP_CWORD; i++)); do
        word=${{COMP_WORDS[i]}}
        if [[ -n $skip ]]; then skip=""; continue; fi
        case " {takes_value} " in *" $word "*) skip=1; continue ;; esac
        case $word in -*) ;; *) command=$word; break ;; esac
    done
    local words
    case $command in
{cases}
        *) words="{commands} {global_options}" ;;
    esac
    COMPREPLY=($(compgen -W "$words" -- "$cur"))
}}
complete -o default -F _pyfmg pyfmg
"""


def _options(parser: argparse.ArgumentParser) -> list[str]:
    return [flag for action in parser._actions for flag in action.option_strings]


def completion_script(parser: argparse.ArgumentParser, shell: str) -> str:
    subparsers = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    takes_value = sorted(flag for action in parser._actions if action.nargs != 0 for flag in action.option_strings)
    cases = []
    for name, sub in subparsers.choices.items():
        words = _options(sub)
        nested = [a for a in sub._actions if isinstance(a, argparse._SubParsersAction)]
        for action in nested:
            words += list(action.choices)
        for action in sub._actions:
            if action.choices and not action.option_strings and not isinstance(action, argparse._SubParsersAction):
                words += [str(choice) for choice in action.choices]
        cases.append(f'        {name}) words="{" ".join(words)}" ;;')
    preamble = "autoload -U +X bashcompinit && bashcompinit\n" if shell == "zsh" else ""
    return SCRIPT.format(
        shell=shell,
        preamble=preamble,
        takes_value=" ".join(takes_value),
        cases="\n".join(cases),
        commands=" ".join(subparsers.choices),
        global_options=" ".join(_options(parser)),
    )
