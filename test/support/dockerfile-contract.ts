import { DockerfileParser, Instruction } from "dockerfile-ast";

/**
 * Build args BuildKit accepts without an ARG line (proxy settings, frontend options,
 * reproducible-build epoch); passing them is never a mistake.
 */
const PREDEFINED_ARGS = new Set([
    ..."HTTP_PROXY HTTPS_PROXY FTP_PROXY NO_PROXY ALL_PROXY".split(" ").flatMap((n) => [n, n.toLowerCase()]),
    "SOURCE_DATE_EPOCH",
]);

/** One `FROM … [AS name]` section. */
export interface DockerfileStage {
    /** Stage name, lower-cased (stage names are case-insensitive); undefined for an unnamed stage. */
    name?: string;
    /** Position among the stages, from 0 (`COPY --from=<index>` refers to it). */
    index: number;
    /** The FROM image as written, variables unexpanded (e.g. `${BASE_IMAGE}`). */
    from: string;
    /** Names declared by ARG lines inside the stage: the only build args the stage can read. */
    args: string[];
    /**
     * Everything the stage pulls in besides the build context, as written: the FROM image,
     * `COPY/ADD --from=` and `RUN --mount=…,from=` sources. Each is a stage, an image or a named context.
     */
    sources: string[];
}

export interface DockerfileContract {
    /** ARGs declared before the first FROM, with their defaults. Visible only to FROM lines unless re-declared in a stage. */
    globalArgs: ReadonlyMap<string, string | undefined>;
    stages: DockerfileStage[];
}

/** What a build asks of the Dockerfile: the inputs of a docker-build Image that matter here. */
export interface BuildRequest {
    /** Build args passed; a value that is not known yet (undefined) still counts as passed. */
    buildArgs?: Record<string, string | undefined>;
    /** Target stage; the last stage when omitted (as BuildKit does). */
    target?: string;
    /** Names of the named build contexts provided. */
    namedContexts?: string[];
}

/** Reads the stages, ARGs and sources of a Dockerfile. */
export function parseDockerfile(text: string): DockerfileContract {
    const globalArgs = new Map<string, string | undefined>();
    const stages: DockerfileStage[] = [];
    for (const instruction of DockerfileParser.parse(text).getInstructions()) {
        const keyword = instruction.getKeyword();
        const stage = stages[stages.length - 1];
        if (keyword === "FROM") {
            const args = instruction.getArguments().map((a) => a.getValue());
            const asAt = args.findIndex((a) => a.toUpperCase() === "AS");
            const from = args.filter((a) => !a.startsWith("--"))[0] ?? "";
            stages.push({
                name: asAt >= 0 ? args[asAt + 1]?.toLowerCase() : undefined,
                index: stages.length,
                from,
                args: [],
                sources: [from],
            });
        } else if (keyword === "ARG") {
            for (const [name, value] of argDeclarations(instruction)) {
                if (stage) {
                    stage.args.push(name);
                } else {
                    globalArgs.set(name, value);
                }
            }
        } else if (stage) {
            stage.sources.push(...fromFlags(instruction));
        }
    }
    return { globalArgs, stages };
}

/**
 * Problems with building `build.target` of the Dockerfile with the given build args and named
 * contexts, as readable sentences; empty when the build matches the Dockerfile.
 *
 * - A build arg counts as declared for a target when a stage the target builds either declares
 *   it with ARG, or names it in its FROM line through a global ARG. A global ARG that no built
 *   stage re-declares or uses in FROM is invisible to the build, so passing it does nothing.
 * - A source is a named context when it is not a stage and is a bare name: this project writes
 *   images with a tag, digest or registry path (`postgres:18-bookworm`), never as a bare name,
 *   so `COPY --from=pgtrickle-files` is unambiguous. Sources with variables are expanded with
 *   the build args and the global ARG defaults first; one that stays unknown is not classified.
 * - Named contexts needed are those of the stages the target builds; a provided named context is
 *   only flagged when no stage at all uses it (sharing one context list across targets is fine).
 */
export function checkBuildAgainstDockerfile(dockerfileText: string, build: BuildRequest): string[] {
    const contract = parseDockerfile(dockerfileText);
    const buildArgs = build.buildArgs ?? {};
    const provided = new Set(build.namedContexts ?? []);
    const problems: string[] = [];
    if (contract.stages.length === 0) {
        return ["the Dockerfile has no FROM instruction"];
    }

    const vars: Vars = (name) => (name in buildArgs ? buildArgs[name] : (contract.globalArgs.get(name) ?? null));
    const target = findTarget(contract, build.target);
    if (!target) {
        const names = contract.stages.map((s) => s.name).filter((n): n is string => n !== undefined);
        problems.push(`target "${build.target}" does not exist in the Dockerfile (stages: ${names.join(", ")})`);
    }
    // Without a target, only what holds for the Dockerfile as a whole can be checked.
    const built = target ? stagesBuiltFor(contract, target, vars) : [];
    const label = `target "${target?.name ?? target?.index}"`;

    for (const arg of Object.keys(buildArgs)) {
        if (PREDEFINED_ARGS.has(arg) || arg.startsWith("BUILDKIT_")) {
            continue;
        }
        const declaredAnywhere = contract.globalArgs.has(arg) || contract.stages.some((s) => s.args.includes(arg));
        const usedByBuild = built.some(
            (s) => s.args.includes(arg) || (contract.globalArgs.has(arg) && referencedVariables(s.from).includes(arg)),
        );
        if (!declaredAnywhere) {
            problems.push(`build arg "${arg}" is passed but the Dockerfile declares no ARG ${arg}`);
        } else if (target && !usedByBuild) {
            problems.push(
                `build arg "${arg}" is passed but no stage of ${label} declares ARG ${arg} or uses it in FROM, so it has no effect`,
            );
        }
    }

    for (const stage of built) {
        for (const source of stage.sources) {
            const name = namedContextOf(contract, source, vars);
            if (name !== undefined && !provided.has(name)) {
                problems.push(
                    `named context "${name}" is used by stage "${stage.name ?? stage.index}" of ${label} but the build does not provide it`,
                );
            }
        }
    }
    const everySource = contract.stages.flatMap((s) => s.sources.map((src) => expand(src, vars)));
    for (const name of provided) {
        if (!everySource.includes(name)) {
            problems.push(`named context "${name}" is provided but the Dockerfile never uses it`);
        }
    }
    return [...new Set(problems)];
}

/** `ARG A=1 B` → [["A", "1"], ["B", undefined]]. */
function argDeclarations(instruction: Instruction): [string, string | undefined][] {
    return instruction.getArguments().map((a) => {
        const text = a.getValue();
        const eq = text.indexOf("=");
        return eq < 0 ? [text, undefined] : [text.slice(0, eq), unquote(text.slice(eq + 1))];
    });
}

function unquote(value: string): string {
    return /^(["']).*\1$/.test(value) ? value.slice(1, -1) : value;
}

/** Sources named by `--from=X` (COPY, ADD) and `--mount=…,from=X` (RUN) flags. */
function fromFlags(instruction: Instruction): string[] {
    const flags = "getFlags" in instruction ? (instruction as unknown as FlagHolder).getFlags() : [];
    return flags.flatMap((flag) => {
        if (flag.getName() === "from") {
            return [flag.getValue() ?? ""];
        }
        if (flag.getName() === "mount") {
            return flag
                .getOptions()
                .filter((o) => o.getName() === "from")
                .map((o) => o.getValue() ?? "");
        }
        return [];
    });
}

interface FlagHolder {
    getFlags(): { getName(): string; getValue(): string | null; getOptions(): { getName(): string; getValue(): string | null }[] }[];
}

function findTarget(contract: DockerfileContract, target: string | undefined): DockerfileStage | undefined {
    if (target === undefined) {
        return contract.stages[contract.stages.length - 1];
    }
    return contract.stages.find((s) => s.name === target.toLowerCase());
}

/** The stage a source refers to, if it is one: by name or by index, only among earlier stages. */
function stageOf(contract: DockerfileContract, source: string, before: number): DockerfileStage | undefined {
    const lower = source.toLowerCase();
    const earlier = contract.stages.slice(0, before);
    return /^\d+$/.test(source) ? earlier[Number(source)] : earlier.find((s) => s.name === lower);
}

/** The target and every stage it depends on through FROM, --from and --mount from=. */
function stagesBuiltFor(contract: DockerfileContract, target: DockerfileStage, vars: Vars): DockerfileStage[] {
    const seen = new Set<DockerfileStage>();
    const visit = (stage: DockerfileStage): void => {
        if (seen.has(stage)) {
            return;
        }
        seen.add(stage);
        for (const source of stage.sources) {
            const expanded = expand(source, vars);
            const dependency = expanded === undefined ? undefined : stageOf(contract, expanded, stage.index);
            if (dependency) {
                visit(dependency);
            }
        }
    };
    visit(target);
    return contract.stages.filter((s) => seen.has(s));
}

/** The named context a source refers to, or undefined for a stage, an image, `scratch` or an unknown value. */
function namedContextOf(contract: DockerfileContract, source: string, vars: Vars): string | undefined {
    const expanded = expand(source, vars);
    if (expanded === undefined || expanded === "scratch" || stageOf(contract, expanded, contract.stages.length)) {
        return undefined;
    }
    return /^[a-z0-9][a-z0-9._-]*$/.test(expanded) ? expanded : undefined;
}

/** A variable's value: a string, null when unset (expands to ""), undefined when not known yet. */
type Vars = (name: string) => string | null | undefined;

/** Names of the variables a word uses (`$A`, `${A}`, `${A:-x}`). */
function referencedVariables(word: string): string[] {
    return [...word.matchAll(VARIABLE)].map((m) => m[1] ?? m[2]);
}

const VARIABLE = /\$(?:\{([A-Za-z_][A-Za-z0-9_]*)(?::?[-+][^}]*)?\}|([A-Za-z_][A-Za-z0-9_]*))/g;

/**
 * Expands `$A`, `${A}`, `${A:-default}`/`${A-default}` and `${A:+alt}`/`${A+alt}` the way the
 * Dockerfile frontend does for FROM and --from; undefined when a variable's value is unknown.
 */
function expand(word: string, vars: Vars): string | undefined {
    let unknown = false;
    const out = word.replace(VARIABLE, (match, braced: string | undefined, bare: string | undefined) => {
        const name = braced ?? bare!;
        const value = vars(name);
        if (value === undefined) {
            unknown = true;
            return "";
        }
        const modifier = /^\$\{[A-Za-z0-9_]+(:?)([-+])(.*)\}$/.exec(match);
        if (modifier) {
            const [, colon, op, alternative] = modifier;
            const set = value !== null && (colon === "" || value !== "");
            if (op === "-") {
                return set ? value : alternative;
            }
            return set ? alternative : "";
        }
        return value ?? "";
    });
    return unknown ? undefined : out;
}
