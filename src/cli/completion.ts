import type { Command } from 'commander';

/**
 * Shell completion generated from the program itself (never stale): commands, subcommands, each
 * command's options and the global ones, the values of options with choices, run ids of the folder store
 * for report/resume/rollback, files elsewhere. One candidate function written in the shell language bash
 * and zsh share; a small wrapper per shell.
 */
interface Node {
  readonly path: string;
  readonly subs: readonly { readonly name: string; readonly description: string }[];
  readonly options: readonly string[];
}

function walk(cmd: Command, path: string, out: Node[]): void {
  const subs = cmd.commands
    .filter((c) => !(c as Command & { _hidden?: boolean })._hidden)
    .map((c) => ({ name: c.name(), description: c.description() }));
  const options =
    path === '' ? [] : [...cmd.options.flatMap((o) => [o.short, o.long].filter((x): x is string => x !== undefined)), '--help'];
  out.push({ path, subs, options });
  for (const c of cmd.commands) walk(c, path === '' ? c.name() : `${path} ${c.name()}`, out);
}

const q = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

function core(program: Command): string {
  const nodes: Node[] = [];
  walk(program, '', nodes);
  const globals = program.options.flatMap((o) => [o.short, o.long].filter((x): x is string => x !== undefined));
  const every = (c: Command): Command[] => [c, ...c.commands.flatMap(every)];
  const options = every(program).flatMap((c) => c.options);
  const valued = [
    ...new Set(
      options.filter((o) => o.required || o.optional).flatMap((o) => [o.short, o.long].filter((x): x is string => x !== undefined)),
    ),
  ];
  const choices = options.filter((o) => o.argChoices && o.argChoices.length > 0);
  const lines = [
    '__drctl_subcommands() {',
    '  case "$1" in',
    ...nodes
      .filter((n) => n.subs.length > 0)
      .map(
        (n) => `    ${q(n.path)}) printf '%s\\n' ${n.subs.map((s) => q(`${s.name}:${s.description.replace(/:/g, '\\:')}`)).join(' ')} ;;`,
      ),
    '  esac',
    '}',
    '__drctl_options() {',
    '  case "$1" in',
    `    '') echo ${q(globals.join(' '))} ;;`,
    ...nodes.filter((n) => n.path !== '' && n.options.length > 0).map((n) => `    ${q(n.path)}) echo ${q(n.options.join(' '))} ;;`),
    '  esac',
    '}',
    '__drctl_takes_value() {',
    `  case "$1" in ${valued.map(q).join('|')}) return 0 ;; esac`,
    '  return 1',
    '}',
    '__drctl_values() {',
    '  case "$1" in',
    ...choices.map(
      (o) =>
        `    ${[o.short, o.long]
          .filter((x): x is string => x !== undefined)
          .map(q)
          .join('|')}) echo ${q((o.argChoices ?? []).join(' '))} ;;`,
    ),
    '  esac',
    '}',
    '# prints a tag line (cmds, opts, vals, runs, files) and the candidates: the words after "drctl", the current one last',
    '__drctl_candidates() {',
    '  local cmd="" cur="" prev="" w n=0 subs names',
    '  eval "cur=\\${$#}"',
    '  for w in "$@"; do',
    '    n=$((n + 1))',
    '    [ "$n" -eq "$#" ] && break',
    '    if [ -n "$prev" ]; then prev=""; continue; fi',
    '    case "$w" in',
    '      -*=*) ;;',
    '      -*) __drctl_takes_value "$w" && prev="$w" ;;',
    "      *) names=\" $(__drctl_subcommands \"$cmd\" | sed 's/:.*//' | tr '\\n' ' ')\"",
    '         case "$names" in *" $w "*) cmd="${cmd:+$cmd }$w" ;; esac ;;',
    '    esac',
    '  done',
    '  if [ -n "$prev" ]; then',
    '    w=$(__drctl_values "$prev")',
    '    if [ -n "$w" ]; then echo vals; echo "$w"; else echo files; fi',
    '    return',
    '  fi',
    '  case "$cur" in -*) echo opts; echo "$(__drctl_options "$cmd") $(__drctl_options \'\')"; return ;; esac',
    '  subs=$(__drctl_subcommands "$cmd")',
    '  if [ -n "$subs" ]; then echo cmds; echo "$subs"; return; fi',
    '  case "$cmd" in report|resume|rollback)',
    '    case "${DRCTL_STATE:-.drctl}" in *://*) ;; *) echo runs; ls "${DRCTL_STATE:-.drctl}/runs" 2>/dev/null; return ;; esac ;;',
    '  esac',
    '  echo files',
    '}',
  ];
  return lines.join('\n');
}

export function bashCompletion(program: Command): string {
  return `# drctl completion for bash: source <(drctl completion bash)   (or save it in /etc/bash_completion.d/drctl)
${core(program)}
_drctl() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" out tag
  out=$(__drctl_candidates "\${COMP_WORDS[@]:1:COMP_CWORD}")
  tag=\${out%%$'\\n'*}
  [ "$out" = "$tag" ] && out="" || out=\${out#*$'\\n'}
  case "$tag" in
    files) COMPREPLY=() ;;
    cmds) COMPREPLY=($(compgen -W "$(printf '%s\\n' "$out" | sed 's/:.*//')" -- "$cur")) ;;
    *) COMPREPLY=($(compgen -W "$out" -- "$cur")) ;;
  esac
}
complete -o bashdefault -o default -F _drctl drctl
`;
}

export function zshCompletion(program: Command): string {
  return `#compdef drctl
# drctl completion for zsh: source <(drctl completion zsh) after compinit, or save it as _drctl in a folder of $fpath
${core(program)}
_drctl() {
  local out tag
  local -a items
  out=$(__drctl_candidates "\${(@)words[2,CURRENT]}")
  tag=\${out%%$'\\n'*}
  [[ "$out" == "$tag" ]] && out="" || out=\${out#*$'\\n'}
  case $tag in
    files) _files ;;
    cmds) items=("\${(@f)out}"); _describe -t commands 'drctl command' items ;;
    *) items=(\${=out}); compadd -a items ;;
  esac
}
if (( $+functions[compdef] )); then compdef _drctl drctl; fi
`;
}
